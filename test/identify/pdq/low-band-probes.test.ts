import { describe, expect, it } from 'vitest';
import { medianOf256 } from '../../../src/identify/pdq/dct.js';
import { buildHammingTables, HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { HASH_WORDS, hamming } from '../../../src/identify/pdq/hash256.js';
import { CHECK_BITS, LOW_BAND, LowBandIndex, lowBandBits, WIDE_FINE_BITS } from '../../../src/identify/pdq/low-band.js';
import { MARGIN_PROBES, marginFlips } from '../../../src/identify/pdq/low-band-probes.js';
import { PerceptualMatcher } from '../../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../../src/identify/subimage/low-res.js';
import { findRectangles, inQuery } from '../../../src/identify/subimage/rectangles.js';
import { RoughGate } from '../../../src/identify/subimage/rough-gate.js';
import { xorshift } from '../../support/xorshift.js';
import { bridge, decoded, onCanvas, reference } from '../support/perceptual.js';

// The wide keys a trim view's low-band lookup reads, cheapest margins first (low-band-probes.ts):
// checked against every subset of the wide key's bits, and in the rough gate, where a stored hash
// 4 bits off in the wide key (beyond the 1 and 2 bits deep lookups) at the trim view's least sure
// bits is met, and the region passes.

const score = (mask: number, margins: number[], bits: number) => margins.reduce((s, m, i) => s + ((mask >>> (bits - 1 - i)) & 1 ? m : 0), 0);

describe('margin-ordered low-band probes', () => {
  it('reads the key, then the cheapest flips by summed margin, then any single flip left', () => {
    const next = xorshift(2017);
    const dct = Float32Array.from({ length: 256 }, () => (next() % 20001) - 10000);
    const bits = 16;
    const median = medianOf256(dct, new Float32Array(256));
    const margins = LOW_BAND.slice(0, bits).map((k) => Math.abs(dct[k]! - median));
    const flips = marginFlips(dct, bits, MARGIN_PROBES, new Float32Array(256));
    expect(flips[0]).toBe(0);
    expect(new Set(flips).size).toBe(flips.length);
    const ordered = flips.slice(0, MARGIN_PROBES).map((f) => score(f, margins, bits));
    for (let i = 1; i < ordered.length; i++) expect(ordered[i]!).toBeGreaterThanOrEqual(ordered[i - 1]!);
    // Exactly the cheapest: no subset left out scores below the dearest read.
    const read = new Set(flips.slice(0, MARGIN_PROBES));
    const dearest = Math.max(...ordered);
    for (let mask = 0; mask < 2 ** bits; mask++) if (!read.has(mask)) expect(score(mask, margins, bits)).toBeGreaterThanOrEqual(dearest);
    for (let i = 0; i < bits; i++) expect(flips).toContain(2 ** i);
    expect(flips.length).toBeLessThanOrEqual(MARGIN_PROBES + bits);
  });

  it("passes a region whose trim view's stored hash is 54 bits away and 4 bits off in the wide key, at its least sure bits", async () => {
    const index = pdqIndexOfReferences([await reference('refs/bridge.jpg', bridge)]);
    const whole = new PerceptualMatcher(index);
    const image = await decoded(await onCanvas(bridge, 560, 300, 120));
    whole.match(image);
    const region = findRectangles(lowRes(image)).map((r) => inQuery(r, lowRes(image)))[0]!;
    // The trim view's rough hash and DCT: the ninth search the gate makes (eight orientations of the region first).
    const trims = [[0, 0, 10, 0] as const];
    const seen: Uint32Array[] = [];
    let dct = new Float32Array(256);
    const recorder: RoughGate = new RoughGate(
      {
        size: 27,
        search: (q: Uint32Array) => {
          if (seen.push(q.slice()) === 9) dct = Float32Array.from((recorder as unknown as { dct: Float32Array }).dct);
        },
      } as unknown as HammingIndex,
      trims,
    );
    recorder.near(image, region);
    const trim = seen[8]!;
    const size = 9_000;
    const wideBits = lowBandBits(size) - WIDE_FINE_BITS;
    const median = medianOf256(dct, new Float32Array(256));
    const leastSure = Array.from({ length: wideBits }, (_, i) => i).sort(
      (a, b) => Math.abs(dct[LOW_BAND[a]!]! - median) - Math.abs(dct[LOW_BAND[b]!]! - median),
    );
    const far = trim.slice();
    const flip = (k: number) => {
      far[k >>> 5] = (far[k >>> 5]! ^ (1 << (k & 31))) >>> 0;
    };
    for (const i of leastSure.slice(0, 4)) flip(LOW_BAND[i]!);
    const checked = new Set(LOW_BAND.slice(0, lowBandBits(size) + CHECK_BITS));
    const outside = Array.from({ length: 256 }, (_, k) => k).filter((k) => !checked.has(k));
    for (let i = 0; i < 50; i++) flip(outside[Math.floor((i * outside.length) / 50)]!);
    expect(hamming(far, trim)).toBe(54);
    const pool = new Uint32Array(new SharedArrayBuffer(size * HASH_WORDS * 4));
    pool.set(far);
    const next = xorshift(31);
    for (let i = HASH_WORDS; i < pool.length; i++) pool[i] = next();
    const sampled = new HammingIndex(buildHammingTables(pool));
    const band = new LowBandIndex(pool);
    // Neither the sampled search nor the region's own lookup meets it; 4 bits off, no lookup 1 or 2 bits deep would.
    expect(new RoughGate(sampled, trims).near(image, region)).toBe(false);
    expect(new RoughGate(sampled, [], band).near(image, region)).toBe(false);
    const deep: number[] = [];
    band.searchWide(trim, 85, 2, (e) => deep.push(e));
    expect(deep).not.toContain(0);
    // Read by margin, it is met; the regions the gate reads 1 bit deep alone (past MARGIN_REGIONS) still drop.
    expect(new RoughGate(sampled, trims, band).near(image, region, true)).toBe(true);
    expect(new RoughGate(sampled, trims, band).near(image, region, false)).toBe(false);
  }, 60_000);
});
