import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { plateDigest } from '../../../src/identify/plates/key.js';
import { PlateMatcher, plateShapes } from '../../../src/identify/plates/matcher.js';
import { type PlateScanResult, scanPlates, scanPlatesHere } from '../../../src/identify/plates/scan.js';
import { scanThreadCount, scanThreadsStarted, THREAD_MIN_BYTES } from '../../../src/identify/plates/scan-pool.js';
import { csvText, jsonlText, logLine, makePlates, prng, spell } from './generate.js';

const KEY = Buffer.from('test-plate-key-0123456789abcdef');
const AGENCY = makePlates(300, 11);
const OTHERS = makePlates(300, 12, new Set(AGENCY));
const MATCHER = PlateMatcher.fromHex(
  KEY,
  AGENCY.map((p) => plateDigest(KEY, p)),
  plateShapes(AGENCY),
);

/** Text of at least `bytes`, agency plates spread through it (the last ones near the end). */
function large(kind: 'log' | 'csv' | 'jsonl', bytes: number, seed: number): Buffer {
  const rng = prng(seed);
  const parts: string[] = [];
  let size = 0;
  let n = 0;
  while (size < bytes) {
    const plates = [...OTHERS.slice(0, 40), AGENCY[n % AGENCY.length]!];
    const text =
      kind === 'csv'
        ? csvText(plates, rng)
        : kind === 'jsonl'
          ? jsonlText(plates, rng)
          : plates.map((p, i) => logLine(n * 50 + i, spell(p, rng), rng)).join('\n');
    // A CSV keeps one header: later pieces drop theirs.
    const piece = kind === 'csv' && n > 0 ? text.slice(text.indexOf('\n') + 1) : `${text}\n`;
    parts.push(piece);
    size += piece.length;
    n++;
  }
  return Buffer.from(parts.join(''));
}

function chunked(bytes: Buffer, size = 1 << 20): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

describe('plate scans on threads', () => {
  const threaded = scanThreadCount() > 1;

  it.each(['log', 'csv'] as const)('a long %s gives on a thread what it gives on the calling thread', async (kind) => {
    const bytes = large(kind, THREAD_MIN_BYTES + 512 * 1024, kind.length);
    const here = await scanPlatesHere(chunked(bytes, 64 * 1024), MATCHER);
    const there = await scanPlates(chunked(bytes), MATCHER);
    expect(there).toEqual(here);
    expect(here.records).toBeGreaterThan(50);
    expect(here.bytes).toBe(bytes.length);
    // Threads are kept for later scans: at least one has been started by now.
    if (threaded) expect(scanThreadsStarted()).toBeGreaterThan(0);
  });

  it('three long scans at once (more than two threads), each get their own result', async () => {
    const files = [0, 1, 2].map((seed) => large(seed % 2 === 0 ? 'log' : 'csv', THREAD_MIN_BYTES + 256 * 1024 * (seed + 1), 100 + seed));
    const expected: PlateScanResult[] = [];
    for (const file of files) expected.push(await scanPlatesHere(chunked(file), MATCHER));
    const results = await Promise.all(files.map((file) => scanPlates(chunked(file), MATCHER)));
    expect(results).toEqual(expected);
  });

  it('a stream that fails after the threshold rejects, and the next long scan still works', async () => {
    const bytes = large('log', THREAD_MIN_BYTES + (2 << 20), 7);
    async function* failing() {
      for (let i = 0; i < bytes.length; i += 1 << 20) {
        if (i > THREAD_MIN_BYTES + (1 << 20)) throw Object.assign(new Error('read failed'), { code: 'EIO' });
        yield bytes.subarray(i, i + (1 << 20));
      }
    }
    await expect(scanPlates(Readable.from(failing()), MATCHER)).rejects.toThrow('read failed');
    const again = await scanPlates(chunked(bytes), MATCHER);
    expect(again).toEqual(await scanPlatesHere(chunked(bytes), MATCHER));
  });
});
