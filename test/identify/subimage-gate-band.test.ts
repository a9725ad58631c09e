import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildHammingTables, HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { HASH_WORDS, hamming } from '../../src/identify/pdq/hash256.js';
import { CHECK_BITS, LOW_BAND, LowBandIndex, lowBandBits } from '../../src/identify/pdq/low-band.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { findRectangles, inQuery } from '../../src/identify/subimage/rectangles.js';
import { RoughGate } from '../../src/identify/subimage/rough-gate.js';
import { bridge, decoded, onCanvas, reference } from './support/perceptual.js';

// The rough gate's low-band lookup (low-band.ts searchWide): at a million references the gate's
// sampled searches reach a region's stored hash only within ~40 bits, and a plate in a screenshot
// or sheet cell lay 52-84 bits from its reference's nearest core view, 1-2 bits off in the key's
// first 16. Here a framed picture's region is given a stored hash 62 bits from its rough hash, 2 of
// them in those 16 bits and the rest spread over every chunk, among random hashes past the 8,192
// an index scans: the gate drops the region without the lookup and passes it with it.

describe('rough gate, low-band lookup', () => {
  it('passes a region whose stored hash is 62 bits away and 2 bits off in the low band, which the sampled search alone drops', async () => {
    const index = pdqIndexOfReferences([await reference('refs/bridge.jpg', bridge)]);
    const whole = new PerceptualMatcher(index);
    const shown = await sharp(bridge).resize(560).toBuffer();
    const image = await decoded(await onCanvas(bridge, 560, 300, 120));
    whole.match(image);
    const plane = lowRes(image);
    const region = findRectangles(plane).map((r) => inQuery(r, plane))[0]!;
    // The region's upright rough hash: the first hash the gate hands its index.
    const seen: Uint32Array[] = [];
    new RoughGate({ size: 27, search: (q: Uint32Array) => seen.push(q.slice()) } as unknown as HammingIndex).near(image, region);
    const rough = seen[0]!;
    const size = 9_000;
    const checked = new Set(LOW_BAND.slice(0, lowBandBits(size) + CHECK_BITS));
    const outside = Array.from({ length: 256 }, (_, k) => k).filter((k) => !checked.has(k));
    const far = rough.slice();
    const flip = (k: number) => {
      far[k >>> 5] = (far[k >>> 5]! ^ (1 << (k & 31))) >>> 0;
    };
    flip(LOW_BAND[3]!);
    flip(LOW_BAND[9]!);
    for (let i = 0; i < 60; i++) flip(outside[Math.floor((i * outside.length) / 60)]!);
    expect(hamming(far, rough)).toBe(62);
    const pool = new Uint32Array(new SharedArrayBuffer(size * HASH_WORDS * 4));
    pool.set(far);
    let seed = 29;
    for (let i = HASH_WORDS; i < pool.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      pool[i] = seed ^ (seed >>> 13);
    }
    const sampled = new HammingIndex(buildHammingTables(pool));
    expect(new RoughGate(sampled).near(image, region)).toBe(false);
    expect(new RoughGate(sampled, [], new LowBandIndex(pool)).near(image, region)).toBe(true);
    // A region of a picture the store holds nothing near is still dropped.
    const blank = await decoded(
      await sharp({ create: { width: 1000, height: 700, channels: 3, background: '#c8c8c8' } })
        .composite([{ input: await sharp(shown).flip().negate().toBuffer(), left: 300, top: 120 }])
        .png()
        .toBuffer(),
    );
    whole.match(blank);
    expect(new RoughGate(sampled, [], new LowBandIndex(pool)).near(blank, region)).toBe(false);
  }, 60_000);
});
