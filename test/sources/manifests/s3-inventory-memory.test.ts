import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticInventory } from '../../../scripts/bench/synthetic-inventory.js';
import { readManifest } from '../../../src/sources/manifests/registry.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('S3 inventory streaming', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads a 400,000-row gzip inventory with bounded heap growth', async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-s3mem-'));
    const inv = await writeSyntheticInventory(dir, 400_000, 1);
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let items = 0;
    let incomplete = 0;
    for await (const event of readManifest(inv.manifest)) {
      if (event.kind === 'item') {
        items += 1;
        // Settled heap (after a full GC) every 50k rows: what the reader retains, not garbage.
        if (items % 50_000 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
      } else if (event.kind === 'coverage' && event.entry.incomplete) {
        incomplete += 1;
      }
    }
    expect(items).toBe(400_000);
    expect(incomplete).toBe(0);
    // Retaining the rows would cost hundreds of MiB (400k items of ~300 bytes each).
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  }, 900_000);
});
