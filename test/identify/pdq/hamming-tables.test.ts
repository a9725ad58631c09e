import { describe, expect, it } from 'vitest';
import { chunkAt, NARROW_CHUNKS, placesOf, WIDE_CHUNKS, WIDER_CHUNKS } from '../../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables } from '../../../src/identify/pdq/hamming-tables.js';
import { HASH_WORDS } from '../../../src/identify/pdq/hash256.js';

/** `count` seeded random hashes, a few of them repeated so that values hold several entries. */
function randomPool(count: number, seed: number): Uint32Array {
  const pool = new Uint32Array(count * HASH_WORDS);
  let s = seed;
  for (let i = 0; i < pool.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    pool[i] = s ^ (s >>> 11);
  }
  for (let i = 0; i < count; i += 7) pool.copyWithin(i * HASH_WORDS, 3 * HASH_WORDS, 4 * HASH_WORDS);
  return pool;
}

describe('chunk tables', () => {
  for (const [name, widths, count] of [
    ['16-bit chunks', NARROW_CHUNKS, 30_000],
    ['21-22-bit chunks', WIDE_CHUNKS, 30_000],
    ['23-bit chunks', WIDER_CHUNKS, 20_000],
  ] as const) {
    it(`${name}: value v's members are exactly the entries whose chunk is v, in entry order`, () => {
      const pool = randomPool(count, 7);
      const tables = buildHammingTables(pool, widths);
      // The radix passes rotate their arrays: each chunk's members must be its own, in shared memory (the matching threads read them).
      expect(new Set(tables.members.map((m) => m.buffer)).size).toBe(widths.length);
      expect(tables.members.every((m) => m.buffer instanceof SharedArrayBuffer)).toBe(true);
      placesOf(widths).forEach((place, c) => {
        // What the tables must hold, by a plain sort of (value, entry) pairs.
        const byValue = Array.from({ length: count }, (_, i) => ({ value: chunkAt(pool, i * HASH_WORDS, place), entry: i }));
        byValue.sort((a, b) => a.value - b.value || a.entry - b.entry);
        const members = tables.members[c]!;
        expect(members.length).toBe(count);
        expect(byValue.filter((p, j) => members[j] !== p.entry).length).toBe(0);
        const starts = tables.starts[c]!;
        expect(starts.length).toBe(2 ** place.width + 1);
        expect(starts[0]).toBe(0);
        expect(starts[2 ** place.width]).toBe(count);
        // Value v begins where the first entry of value >= v stands in the sorted order.
        const sorted = Uint32Array.from(byValue, (p) => p.value);
        let at = 0;
        let wrong = 0;
        for (let v = 0; v < 2 ** place.width; v++) {
          if (starts[v] !== at) wrong++;
          while (at < count && sorted[at] === v) at++;
        }
        expect(wrong).toBe(0);
      });
    });
  }
});
