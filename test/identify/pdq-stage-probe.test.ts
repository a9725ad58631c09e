import { describe, expect, it } from 'vitest';
import { NARROW_CHUNKS } from '../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { hamming } from '../../src/identify/pdq/hash256.js';
import { xorshift } from '../support/xorshift.js';

// The index's probe loop loads the candidates' hashes in blocks before it counts their distances
// (hamming-index.ts, TOUCH_BLOCK). A search must still visit exactly the entries, at exactly the
// distances and in exactly the order, of the plain loop: every probed value's members chunk by
// chunk, lighter masks first, each entry at its first meeting within the radius. The index is small
// (narrow chunks) and crowded around the query, so that one search meets hundreds of candidates.

/** Visits in the plain loop's order: chunk by chunk, values within `perChunk` bits lighter first, members in entry order. */
function plainVisits(pool: Uint32Array, query: Uint32Array, perChunk: number, radius: number): [number, number][] {
  const tables = buildHammingTables(pool);
  const out: [number, number][] = [];
  const seen = new Set<number>();
  let bit = 0;
  for (const [c, width] of tables.widths.entries()) {
    const value = Number((BigInt(query[bit >>> 5]!) >> BigInt(bit & 31)) & ((1n << BigInt(width)) - 1n)); // narrow chunks stay in one word
    bit += width;
    const masks: number[][] = [[0], [], [], []];
    for (let a = 0; a < width; a++) {
      masks[1]!.push(2 ** a);
      for (let b = a + 1; b < width; b++) masks[2]!.push(2 ** a + 2 ** b);
    }
    for (let w = 0; w <= perChunk; w++) {
      for (const mask of masks[w]!.sort((x, y) => x - y)) {
        const probe = value ^ mask;
        for (let k = tables.starts[c]![probe]!; k < tables.starts[c]![probe + 1]!; k++) {
          const entry = tables.members[c]![k]!;
          const d = hamming(query, pool.subarray(entry * 8, entry * 8 + 8));
          if (d > radius || seen.has(entry)) continue;
          seen.add(entry);
          out.push([entry, d]);
        }
      }
    }
  }
  return out;
}

describe('index probes with the candidates loaded in blocks', () => {
  const next = xorshift(21);
  const size = 20_000;
  const pool = new Uint32Array(size * 8);
  for (let i = 0; i < pool.length; i++) pool[i] = next();
  const query = Uint32Array.from({ length: 8 }, () => next());
  // 600 neighbours of the query from 0 to 60 bits away, spread through the pool.
  for (let n = 0; n < 600; n++) {
    const copy = query.slice();
    for (let f = 0; f < n % 61; f++) {
      const b = next() % 256;
      copy[b >>> 5] = (copy[b >>> 5]! ^ (1 << (b & 31))) >>> 0;
    }
    pool.set(copy, (n * 33 + 7) * 8);
  }
  const index = new HammingIndex(buildHammingTables(pool));

  it('cuts 16-bit chunks at this size (sampled: the narrow cut, probed shallow)', () => {
    expect(index.size).toBe(size);
    expect(buildHammingTables(pool).widths).toEqual(NARROW_CHUNKS);
  });

  for (const [depth, radius] of [
    [1, 31],
    [2, 47],
    [2, 63],
  ] as const) {
    it(`depth ${depth}, radius ${radius}: the plain loop's visits, in its order`, () => {
      const visits: [number, number][] = [];
      index.search(query, radius, (entry, distance) => visits.push([entry, distance]), depth);
      const expected = plainVisits(pool, query, depth, radius);
      // Hundreds of candidates: several blocks, and a last one cut short.
      expect(expected.length).toBeGreaterThan(250);
      expect(visits).toEqual(expected);
    });
  }
});
