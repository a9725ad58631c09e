import { describe, expect, it } from 'vitest';
import { cheapestExactDepths, WIDE_CHUNKS } from '../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { hamming } from '../../src/identify/pdq/hash256.js';
import { MATCH_THRESHOLD, searchPlan } from '../../src/identify/pdq/match-settings.js';
import { xorshift } from '../support/xorshift.js';

// Stage one of a large (wide-chunk) index probes each chunk only as deep as finding every stored
// hash within the match threshold needs (cheapestExactDepths): 2 bits in eight chunks, 1 in four.
// Pigeonhole makes that exact to 31 bits; the tightest pattern that escapes it is 32 bits (3 flips
// in every depth-2 chunk, 2 in every depth-1 chunk), which these tests plant on purpose.

/** `hash` with `counts[c]` distinct bits flipped in chunk c of `widths`, chosen by `next`. */
function flippedPerChunk(hash: Uint32Array, widths: readonly number[], counts: readonly number[], next: () => number): Uint32Array {
  const out = hash.slice();
  let start = 0;
  for (const [c, width] of widths.entries()) {
    const done = new Set<number>();
    while (done.size < counts[c]!) done.add(start + (next() % width));
    for (const bit of done) out[bit >>> 5] = (out[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
    start += width;
  }
  return out;
}

describe('per-chunk probe depths exact to the match threshold', () => {
  const entries = 3_000_000;
  const depths = cheapestExactDepths(WIDE_CHUNKS, MATCH_THRESHOLD, entries);

  it('are the plan of a wide index: 2 in eight chunks, 1 in four, fewer probes than 2 everywhere', () => {
    expect(searchPlan(entries).depth).toEqual(depths);
    expect(depths.filter((d) => d === 2)).toHaveLength(8);
    expect(depths.filter((d) => d === 1)).toHaveLength(4);
    // The sum of (depth + 1) just passes the threshold: that is all pigeonhole needs.
    expect(depths.reduce((sum, d) => sum + d + 1, 0)).toBe(MATCH_THRESHOLD + 1);
    // A matcher opened to 47 bits (calibration) probes 3 deep everywhere, as before.
    expect(cheapestExactDepths(WIDE_CHUNKS, 47, entries)).toEqual(WIDE_CHUNKS.map(() => 3));
  });

  it('find every planted neighbour within 31 bits, even the ones spread to evade the probes', () => {
    const next = xorshift(31);
    const size = 40_000;
    const pool = new Uint32Array(size * 8);
    for (let i = 0; i < pool.length; i++) pool[i] = next();
    const query = Uint32Array.from({ length: 8 }, () => next());
    // Spread as evenly as the depths allow: 3 flips in depth-2 chunks, 2 in depth-1 chunks, minus `short` flips.
    const evading = depths.map((d) => d + 1);
    const planted: { entry: number; bits: number }[] = [];
    for (let k = 0; k < 60; k++) {
      const counts = evading.slice();
      // 1-3 flips taken off (31, 30, 29 bits) from rotating chunks; every fourth keeps the 32-bit evader.
      const short = k % 4 === 3 ? 0 : (k % 4) + 1;
      for (let s = 0; s < short; s++) counts[(k + s) % counts.length]!--;
      const entry = 500 + k * 613;
      const hash = flippedPerChunk(query, WIDE_CHUNKS, counts, next);
      pool.set(hash, entry * 8);
      planted.push({ entry, bits: hamming(query, hash) });
    }
    const index = new HammingIndex(buildHammingTables(pool, WIDE_CHUNKS));
    const visits = new Map<number, number>();
    index.search(query, 81, (entry, distance) => visits.set(entry, distance), depths);
    for (const { entry, bits } of planted) {
      if (bits <= MATCH_THRESHOLD) expect(visits.get(entry)).toBe(bits);
      // The 32-bit evaders escape the probes (each chunk one flip past its depth), as pigeonhole allows.
      else expect(visits.has(entry)).toBe(false);
    }
    expect(planted.filter((p) => p.bits === 32)).toHaveLength(15);
    // Two bits deep everywhere (exact to 35) does meet them: the depths, not the index, leave them out.
    const deep = new Set<number>();
    index.search(query, 81, (entry) => deep.add(entry), 2);
    for (const { entry } of planted) expect(deep.has(entry)).toBe(true);
  });
});
