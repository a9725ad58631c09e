import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reference } from '../../src/references/schema.js';
import { readStore } from '../../src/references/store-read.js';
import { storeChunks } from '../../src/references/store-write.js';
import { tempDir } from '../support/tmp.js';

const COUNT = 300_000;

// A full collection before each sample, so the samples measure what the writer holds, not garbage
// waiting for a collection (which depends on the heap's mood, not on the writer).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const VARIANTS = ['full', 'crop:5,5,5,5', 'crop:10,10,10,10', 'tile:0,0', 'tile:0,1', 'tile:1,1', 'tile:1,2', 'tile:2,1', 'tile:2,2'];

/** Cheap distinct hex for synthetic digests (hashing 4 million of them would dominate the test). */
const hex = (n: number, bytes: number) =>
  (n >>> 0)
    .toString(16)
    .padStart(8, '0')
    .repeat(bytes / 4);

function reference(i: number): Reference {
  return {
    id: `cameras/lane-${i % 97}/${String(i).padStart(8, '0')}.jpg`,
    class: 'vehicle-image',
    size: 50_000 + i,
    sha256: hex(i * 2654435761, 32),
    md5: hex(i * 40503, 16),
    media: 'image/jpeg',
    pdq: VARIANTS.map((variant, v) => ({ hash: hex(i * 9 + v, 32), quality: 90, variant })),
  };
}

describe('fingerprint store v2: writing streams', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir('custody-store-memory-')));
  afterAll(() => cleanup());

  it(`writes ${COUNT.toLocaleString('en')} references with 9 PDQ views each without holding the file`, async () => {
    const file = path.join(dir, 'big.cfs');
    const out = createWriteStream(file);
    const memory = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = memory();
    let peak = before;
    const summary: { digest?: string } = {};
    const chunks = storeChunks(
      function* () {
        for (let i = 0; i < COUNT; i++) yield reference(i);
      },
      undefined,
      { tool: { name: 'custody', version: 'test' }, createdAt: '2026-12-01T00:00:00.000Z', roots: ['cameras'] },
      summary,
    );
    for (const chunk of chunks) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      peak = Math.max(peak, memory());
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const size = (await stat(file)).size;
    const grown = peak - before;
    // The file is ~130 MiB; a writer building it whole (or one big string) would hold at least that.
    expect(size).toBeGreaterThan(120 * 2 ** 20);
    expect(grown, `heap + buffers grew ${(grown / 2 ** 20).toFixed(1)} MiB while writing ${Math.round(size / 2 ** 20)} MiB`).toBeLessThan(8 * 2 ** 20);

    const { footer, columns } = await readStore(file);
    expect(footer.digest).toBe(summary.digest);
    expect(footer.counts).toEqual({ references: COUNT, views: COUNT * 9, idBytes: expect.any(Number), plates: 0 });
    const last = COUNT - 1;
    expect(columns.sizes[last]).toBe(50_000 + last);
    expect(Buffer.from(columns.viewHash.subarray((last * 9 + 8) * 32, (last * 9 + 9) * 32)).toString('hex')).toBe(reference(last).pdq![8]!.hash);
    expect(columns.viewReference[last * 9]).toBe(last);
  });
});
