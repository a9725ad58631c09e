import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/identify/image-decode.js';
import { hashFromHex, hashToHex } from '../../src/identify/pdq/hash256.js';
import { searchPlan } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { buildPdqIndex } from '../../src/identify/pdq/pdq-index.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import { columnsFromReferences } from '../../src/references/columns.js';
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
    // 6,002 references x 3 claimable views: past the 8,192 a scan covers, so sampled: 16-bit chunks
    // probed 1 bit deep (exact to 31 bits, a sample beyond), the crop grid and trims as shallow.
    expect(searchPlan(18_006)).toMatchObject({ depth: Array.from({ length: 16 }, () => 1) });
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

describe('a set that indexes only its core crops (past 4,194,304 claimable views)', () => {
  it('finds copies cut on one or two sides through the query views that show the stored 10% crop, and nothing unrelated', async () => {
    const real = [await reference('refs/bridge.jpg', bridge), await reference('refs/q2821.jpg', readFileSync(path.join(fixtures, 'q2821.jpg')))];
    const { columns, tables } = columnsFromReferences(real);
    const index = buildPdqIndex(columns, tables, undefined, 0);
    expect(index.core).toBe(true);
    // Full, 5% and 10% on every side: 3 per reference.
    expect(index.entryView.length).toBe(6);
    const matcher = new PerceptualMatcher(index);
    const cut = async (region: { left: number; top: number; width: number; height: number }) => {
      const decoded = await decodeImage(await sharp(bridge).extract(region).jpeg().toBuffer(), { maxImagePixels: 50e6 });
      if (!decoded.ok) throw new Error(decoded.detail);
      return matcher.match(decoded.image);
    };
    for (const [name, region] of [
      ['10% off the left', { left: 64, top: 0, width: 576, height: 402 }],
      ['10% off the top and right', { left: 0, top: 40, width: 576, height: 362 }],
    ] as const) {
      const outcome = await cut(region);
      expect(outcome.kind, name).toBe('match');
      if (outcome.kind === 'match') {
        expect(outcome.match.reference.id).toBe('refs/bridge.jpg');
        expect(outcome.match.transform).toMatch(/^trim:/);
        expect(outcome.match.variant).toBe('crop:10,10,10,10');
      }
    }
    const decoded = await decodeImage(unrelated, { maxImagePixels: 50e6 });
    if (!decoded.ok) throw new Error(decoded.detail);
    expect(matcher.match(decoded.image).kind).not.toBe('match');
  }, 60_000);
});
