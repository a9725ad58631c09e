import { describe, expect, it } from 'vitest';
import { chunkWidths, samples, WIDE_CHUNKS, WIDER_CHUNKS, WIDER_ENTRIES } from '../../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { hamming, hashToHex } from '../../../src/identify/pdq/hash256.js';
import { CHANCE_CANDIDATES, ORIENTATION_RADIUS, ORIENTATION_SCAN_ENTRIES, searchPlan } from '../../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../../src/identify/pdq/matcher.js';
import { buildPdqIndex, pdqIndexOfReferences, storedHash } from '../../../src/identify/pdq/pdq-index.js';
import { columnsFromReferences, combineColumns } from '../../../src/references/columns.js';
import type { Reference } from '../../../src/references/schema.js';

function poolOf(hashes: readonly Uint32Array[]): Uint32Array {
  const pool = new Uint32Array(hashes.length * 8);
  hashes.forEach((h, i) => {
    pool.set(h, i * 8);
  });
  return pool;
}

function randomHashes(n: number, seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  return Array.from({ length: n }, () => Uint32Array.from({ length: 8 }, next));
}

/** `hash` with `flips` distinct bits flipped, spread over the 256. */
function flipped(hash: Uint32Array, flips: number, seed: number): Uint32Array {
  const out = Uint32Array.from(hash);
  const bits = Array.from({ length: 256 }, (_, k) => k);
  let s = seed;
  for (let k = 0; k < flips; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = k + (s % (256 - k));
    [bits[k], bits[j]] = [bits[j]!, bits[k]!];
    const bit = bits[k]!;
    out[bit >>> 5] = (out[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
  }
  return out;
}

/** P(Bin(256, 1/2) <= r), summed directly. */
function chance(r: number): number {
  let term = 2 ** -256;
  let sum = 0;
  for (let k = 0; k <= r; k++) {
    sum += term;
    term = (term * (256 - k)) / (k + 1);
  }
  return sum;
}

describe('searchPlan: radii follow the index size', () => {
  it('keeps the measured scan out to 95 bits for small sets', () => {
    expect(searchPlan(450)).toEqual({ radius: ORIENTATION_RADIUS });
    expect(searchPlan(ORIENTATION_SCAN_ENTRIES)).toEqual({ radius: ORIENTATION_RADIUS });
  });

  it('shrinks the radius as the index grows, so chance candidates per query stay under the bound', () => {
    let last = ORIENTATION_RADIUS;
    for (const entries of [10_000, 100_000, 1_000_000, 3_000_000, 30_000_000]) {
      const { radius, depth } = searchPlan(entries);
      expect(radius).toBeLessThanOrEqual(last);
      expect(entries * 16 * chance(radius)).toBeLessThanOrEqual(CHANCE_CANDIDATES);
      // The largest such radius: one bit more would pass the bound.
      if (radius < ORIENTATION_RADIUS) expect(entries * 16 * chance(radius + 1)).toBeGreaterThan(CHANCE_CANDIDATES);
      expect(Math.min(...[depth ?? 0].flat())).toBeGreaterThanOrEqual(1);
      last = radius;
    }
    // Wide chunks: depth 2 in the four 22-bit chunks and four of the 21-bit ones, 1 in the rest (exact to 31 bits).
    expect(searchPlan(3_000_000)).toEqual({ radius: 81, depth: [2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1] });
    // Past 2^24 entries 11 chunks of 23 bits: depth 2 in all but one (exact to 31 bits).
    expect(searchPlan(30_000_000)).toEqual({ radius: 78, depth: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1] });
    // Between a scan and a million entries the chunks hold about one hash per value (13 of 19-20
    // bits at 700,000), probed no deeper than the match threshold needs, as wide chunks are.
    expect(searchPlan(700_000)).toEqual({ radius: 82, depth: [2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1] });
    expect(searchPlan(100_000)).toEqual({ radius: 85, depth: Array.from({ length: 16 }, () => 1) });
  });

  it('samples past the scan: chunks of about one hash per value, continuous with the wide chunks at 2^20', () => {
    expect(samples(ORIENTATION_SCAN_ENTRIES)).toBe(false);
    let chunks = 16;
    for (let entries = ORIENTATION_SCAN_ENTRIES + 1; entries <= 2 ** 20; entries = Math.ceil(entries * 1.37)) {
      const widths = chunkWidths(entries);
      expect(samples(entries), `${entries}`).toBe(true);
      expect(widths.reduce((a, b) => a + b, 0)).toBe(256);
      // At most 2 stored hashes per value of the narrowest chunk, and no more chunks as the index grows.
      expect(entries / 2 ** Math.min(...widths)).toBeLessThanOrEqual(2);
      expect(widths.length).toBeLessThanOrEqual(chunks);
      chunks = widths.length;
      // The plan is exact to the match threshold at every size.
      const depth = searchPlan(entries).depth as number[];
      expect(depth).toHaveLength(widths.length);
      expect(depth.reduce((sum, d) => sum + d + 1, 0)).toBeGreaterThan(31);
    }
    expect(chunkWidths(2 ** 20)).toEqual(WIDE_CHUNKS);
  });

  it('scans where a matcher opened past the threshold needs more than probes 3 bits deep reach', () => {
    // Calibration opens the matcher to 47 bits: 12 chunks at depth 3 reach 47, 11 reach only 43.
    expect(searchPlan(3_000_000, 47)).toEqual({ radius: 81, depth: Array.from({ length: 12 }, () => 3) });
    expect(searchPlan(30_000_000, 47)).toEqual({ radius: 78 });
    expect(searchPlan(30_000_000, 43).depth).toEqual(Array.from({ length: 11 }, () => 3));
  });
});

describe('HammingIndex.search with a probe depth', () => {
  const stored = randomHashes(20_000, 5);
  const index = new HammingIndex(stored);
  const queries = [3, 20, 40, 47, 60, 70, 85].map((flips, i) => flipped(stored[i * 1000]!, flips, i + 1));

  it('is exact out to 16 x depth + 15 bits, and never visits beyond the radius', () => {
    for (const depth of [1, 2]) {
      for (const q of queries) {
        const seen = new Map<number, number>();
        index.search(q, 90, (e, d) => seen.set(e, d), depth);
        for (const [e, d] of seen) {
          expect(d).toBeLessThanOrEqual(90);
          expect(hamming(q, stored[e]!)).toBe(d);
        }
        const exact = 16 * depth + 15;
        stored.forEach((h, e) => {
          if (hamming(q, h) <= exact) expect(seen.get(e)).toBe(hamming(q, h));
        });
      }
    }
  });

  it('cuts 12 wide chunks when asked (as past a million entries), exact to 35 bits at depth 2', () => {
    const wide = new HammingIndex(buildHammingTables(poolOf(stored), WIDE_CHUNKS));
    for (const q of queries) {
      const seen = new Map<number, number>();
      wide.search(q, 81, (e, d) => seen.set(e, d), 2);
      for (const [e, d] of seen) expect(hamming(q, stored[e]!)).toBe(d);
      stored.forEach((h, e) => {
        if (hamming(q, h) <= 35) expect(seen.get(e)).toBe(hamming(q, h));
      });
      // Without a depth: exact at any radius (scans where probing would not pay).
      for (const radius of [20, 40, 90]) {
        const all: string[] = [];
        wide.search(q, radius, (e, d) => all.push(`${e}:${d}`));
        expect(all.sort()).toEqual(stored.flatMap((h, e) => (hamming(q, h) <= radius ? [`${e}:${hamming(q, h)}`] : [])).sort());
      }
    }
    expect(chunkWidths(2_000_000)).toBe(WIDE_CHUNKS);
    expect(WIDE_CHUNKS.reduce((a, b) => a + b, 0)).toBe(256);
  });

  it('cuts 11 wider chunks (23 bits, the last 3 bits unprobed) past 2^24 entries, exact to 32 bits at depth 2', () => {
    const wider = new HammingIndex(buildHammingTables(poolOf(stored), WIDER_CHUNKS));
    for (const q of queries) {
      const seen = new Map<number, number>();
      wider.search(q, 81, (e, d) => seen.set(e, d), 2);
      for (const [e, d] of seen) expect(hamming(q, stored[e]!)).toBe(d);
      stored.forEach((h, e) => {
        if (hamming(q, h) <= 32) expect(seen.get(e)).toBe(hamming(q, h));
      });
    }
    expect(chunkWidths(WIDER_ENTRIES)).toBe(WIDE_CHUNKS);
    expect(chunkWidths(WIDER_ENTRIES + 1)).toBe(WIDER_CHUNKS);
    expect(samples(WIDER_ENTRIES + 1)).toBe(true);
    expect(WIDER_CHUNKS.reduce((a, b) => a + b, 0)).toBe(253);
  });

  it('samples beyond the exact radius: a near copy at 60 bits is met at depth 2 far more often than not', () => {
    let met = 0;
    const trials = 40;
    for (let t = 0; t < trials; t++) {
      const q = flipped(stored[t]!, 60, 1000 + t);
      let found = false;
      index.search(q, 81, (e) => (found ||= e === t), 2);
      if (found) met++;
    }
    expect(met).toBeGreaterThanOrEqual(trials * 0.85);
  });
});

describe('PdqIndex over columns', () => {
  const hashes = randomHashes(12, 77);
  const reference = (id: string, views: Uint32Array[]): Reference => ({
    id,
    class: id.startsWith('t') ? 'traveler-image' : 'vehicle-image',
    size: 100,
    sha256: '0'.repeat(64),
    md5: '0'.repeat(32),
    media: 'image/jpeg',
    pdq: views.map((h, k) => ({ hash: hashToHex(h), quality: 90, variant: k === 0 ? 'full' : `tile:0,${k - 1}` })),
  });

  it('reads stored hashes from the column bytes into memory layout', () => {
    const { columns } = columnsFromReferences([reference('a', [hashes[0]!])]);
    expect([...storedHash(columns.viewHash, 0, new Uint32Array(8))]).toEqual([...hashes[0]!]);
  });

  it('numbers entries in reference-id order whatever order the sets hold them in (lowest id wins a tie)', () => {
    // Two sets out of id order, the same full hash in both: the tie goes to the lower id.
    const later = columnsFromReferences([reference('v/z.jpg', [hashes[1]!, hashes[2]!])]);
    const earlier = columnsFromReferences([reference('t/a.jpg', [hashes[1]!, hashes[3]!]), reference('v/b.jpg', [hashes[4]!])]);
    const combined = combineColumns([later, earlier]);
    const index = buildPdqIndex(combined.columns, combined.tables);
    // Tiles are not entries: one full view per reference.
    expect(index.entryView.length).toBe(3);
    const ids = [...index.entryView].map((v) => combined.columns.viewReference[v]!);
    expect(ids).toEqual([1, 2, 0]);
    const hamming = new HammingIndex(index.hamming);
    expect(hamming.nearest(hashes[1]!, 0)).toEqual({ entry: 0, distance: 0 });
  });

  it('gives a matcher over shared columns the answers of one over v1 objects', () => {
    const refs = hashes.slice(0, 6).map((h, i) => reference(`v/${i}.jpg`, [h]));
    const a = new PerceptualMatcher(refs);
    const b = new PerceptualMatcher(pdqIndexOfReferences(refs));
    expect(a.size).toBe(6);
    expect(b.size).toBe(6);
  });
});
