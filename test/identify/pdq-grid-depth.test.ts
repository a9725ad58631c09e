import { describe, expect, it } from 'vitest';
import { chunkWidths, WIDE_CHUNKS, WIDE_ENTRIES } from '../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { hamming } from '../../src/identify/pdq/hash256.js';
import { WIDE_GRID_DEPTH } from '../../src/identify/pdq/match-settings.js';
import { flipped, xorshift } from '../support/xorshift.js';

// The crop grid's searches in a large (wide-chunk) index probe WIDE_GRID_DEPTH bits deep per chunk:
// exact to 12 x (depth + 1) - 1 bits, a sample beyond, each entry visited once. The index's three-pass
// probe loop must keep exactly that. The index is just past WIDE_ENTRIES, so it cuts wide chunks.

describe('wide-chunk index searched at the crop grid depth', () => {
  const next = xorshift(17);
  const size = WIDE_ENTRIES + 4096;
  const pool = new Uint32Array(size * 8);
  for (let i = 0; i < pool.length; i++) pool[i] = next();
  const query = Uint32Array.from({ length: 8 }, () => next());
  // Neighbours of the query at every distance from 0 to 70 bits, spread through the pool.
  const planted = new Map<number, number>();
  for (let d = 0; d <= 70; d++) {
    const entry = 1000 + d * 14_000;
    pool.set(flipped(query, d, next), entry * 8);
    planted.set(entry, d);
  }
  const index = new HammingIndex(buildHammingTables(pool));
  const hashOf = (entry: number) => pool.subarray(entry * 8, entry * 8 + 8);

  it('cuts wide chunks at this size and probes the grid 1 bit deep', () => {
    expect(chunkWidths(size)).toBe(WIDE_CHUNKS);
    expect(WIDE_GRID_DEPTH).toBe(1);
  });

  for (const depth of [1, 2]) {
    it(`depth ${depth}: exact to ${12 * (depth + 1) - 1} bits, each entry visited once at its true distance`, () => {
      const exact = 12 * (depth + 1) - 1;
      const visits = new Map<number, number>();
      let repeated = 0;
      index.search(
        query,
        70,
        (entry, distance) => {
          if (visits.has(entry)) repeated++;
          visits.set(entry, distance);
        },
        depth,
      );
      expect(repeated).toBe(0);
      for (const [entry, distance] of visits) {
        expect(distance).toBe(hamming(query, hashOf(entry)));
        expect(distance).toBeLessThanOrEqual(70);
      }
      // Every planted neighbour within the exact radius is met; beyond it only some are.
      for (const [entry, d] of planted) if (d <= exact) expect(visits.get(entry)).toBe(d);
      const beyond = [...planted].filter(([entry, d]) => d > exact + 20 && visits.has(entry)).length;
      expect(beyond).toBeLessThan([...planted].filter(([, d]) => d > exact + 20).length);
      // Within the exact radius the probes see what a scan sees.
      const scanned = new Map<number, number>();
      index.scan(query, exact, (entry, distance) => scanned.set(entry, distance));
      const probed = new Map([...visits].filter(([, distance]) => distance <= exact));
      expect(probed).toEqual(scanned);
    });
  }

  it('a depth-1 search compares about a tenth of what a depth-2 search does (the cost it saves)', () => {
    // Visits out to the whole hash count every candidate compared: the measure of a search's work.
    let compared1 = 0;
    let compared2 = 0;
    index.search(query, 256, () => compared1++, 1);
    index.search(query, 256, () => compared2++, 2);
    expect(compared1 * 5).toBeLessThan(compared2);
  });
});
