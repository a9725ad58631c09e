import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashFromHex, hashToHex } from '../../src/identify/pdq/hash256.js';
import { searchPlan } from '../../src/identify/pdq/match-settings.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import type { Reference } from '../../src/references/schema.js';
import { bridge, COPIES, detect, fixtures, reference, setupFor, unrelated } from './support/perceptual.js';

/** Seeded PRNG (xorshift32). */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
}

/**
 * Distractors as an agency-scale set holds them: consecutive captures of the real references' lanes
 * (every view flipped by the same 36-80 bits) and unrelated captures (uniform hashes).
 */
function distractors(real: readonly Reference[], count: number): Reference[] {
  const next = prng(2026);
  const out: Reference[] = [];
  for (let i = 0; i < count; i++) {
    const base = real[i % real.length]!;
    const derived = i % 2 === 0;
    const flips = new Set<number>();
    const want = 36 + (next() % 45);
    while (flips.size < want) flips.add(next() % 256);
    const pdq = base.pdq!.map((entry) => {
      const hash = derived ? hashFromHex(entry.hash)! : Uint32Array.from({ length: 8 }, next);
      if (derived) for (const bit of flips) hash[bit >>> 5] = (hash[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
      return { ...entry, hash: hashToHex(hash) };
    });
    out.push({ ...base, id: `lanes/${String(i).padStart(6, '0')}.jpg`, pdq });
  }
  return out;
}

describe('perceptual matching in a set past the scan size (radii follow the index size)', () => {
  let refs: Reference[];

  beforeAll(async () => {
    const real = [await reference('refs/bridge.jpg', bridge), await reference('refs/q2821.jpg', readFileSync(path.join(fixtures, 'q2821.jpg')))];
    refs = [...real, ...distractors(real, 6000)];
  }, 60_000);

  it('still finds every kind of copy, names the right reference, and claims nothing unrelated (threads share one index)', async () => {
    const setup = { ...setupFor(refs), threads: 2 };
    // 6,002 references x 3 claimable views: past the 8,192 a scan covers.
    expect(searchPlan(18_006)).toMatchObject({ depth: 3 });
    const detector = perceptualDetector.create(setup)!;
    try {
      for (const [name, make] of COPIES) {
        const result = await detect(detector, `share/${name}.img`, await make());
        expect(result.identifications, name).toHaveLength(1);
        expect(result.identifications[0], name).toMatchObject({ method: 'perceptual', reference: 'refs/bridge.jpg' });
      }
      const none = await detect(detector, 'share/other.jpg', unrelated);
      expect(none.identifications).toEqual([]);
    } finally {
      await detector.close!();
    }
  }, 180_000);
});
