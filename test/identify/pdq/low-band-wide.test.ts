import { describe, expect, it } from 'vitest';
import { hamming } from '../../../src/identify/pdq/hash256.js';
import { buildLowBand, CHECK_BITS, LOW_BAND, LowBandIndex, lowBandBits, WIDE_FINE_BITS, WIDE_LIMIT } from '../../../src/identify/pdq/low-band.js';
import { xorshift } from '../../support/xorshift.js';

// The low band's wide lookup (LowBandIndex.searchWide, the sub-image rough gate's): stored hashes
// whose first 16 key bits are within 1 or 2 of the query's and whose other key bits and check
// together differ in at most WIDE_LIMIT. Checked against a brute force over the same rule, in an
// index whose groups are wider than a wide key (9,000 hashes) and one where a wide key spans
// several groups (past 2^20), with hashes planted 2 and 3 bits off in the key's first 16.

const bitOf = (h: Uint32Array, k: number) => (h[k >>> 5]! >>> (k & 31)) & 1;
const flip = (h: Uint32Array, k: number) => {
  h[k >>> 5] = (h[k >>> 5]! ^ (1 << (k & 31))) >>> 0;
};

function setUp(size: number) {
  const next = xorshift(1917 + size);
  const random = () => Uint32Array.from({ length: 8 }, next);
  const query = random();
  const bits = lowBandBits(size);
  const checked = new Set(LOW_BAND.slice(0, bits + CHECK_BITS));
  const outside = Array.from({ length: 256 }, (_, k) => k).filter((k) => !checked.has(k));
  // Entries 0-3: 60 bits from the query, 0, 1, 2 and 3 of them in the key's first 16 bits (spread
  // over it), the rest outside the key and check.
  const planted = [0, 1, 2, 3].map((inWide) => {
    const h = query.slice();
    for (let i = 0; i < inWide; i++) flip(h, LOW_BAND[i * 5]!);
    for (let i = 0; i < 60 - inWide; i++) flip(h, outside[(i * 7) % outside.length]!);
    return h;
  });
  const hashes = [...planted, ...Array.from({ length: size - planted.length }, random)];
  const pool = new Uint32Array(hashes.length * 8);
  hashes.forEach((h, i) => {
    pool.set(h, i * 8);
  });
  // Each hash's differences from the query in the wide key, in the rest (fine bits and check), and in all: read once.
  const diffs = hashes.map((h) => {
    let wide = 0;
    let rest = 0;
    for (let i = 0; i < bits + CHECK_BITS; i++) {
      const d = bitOf(h, LOW_BAND[i]!) ^ bitOf(query, LOW_BAND[i]!);
      if (i < bits - WIDE_FINE_BITS) wide += d;
      else rest += d;
    }
    return { wide, rest, distance: hamming(h, query) };
  });
  const brute = (depth: number, radius: number) => {
    const expected = new Map<number, number>();
    diffs.forEach(({ wide, rest, distance }, entry) => {
      if (wide <= depth && rest <= WIDE_LIMIT && distance <= radius) expected.set(entry, distance);
    });
    return expected;
  };
  const index = new LowBandIndex(pool, buildLowBand(pool));
  const wide = (depth: 1 | 2, radius: number) => {
    const out = new Map<number, number>();
    index.searchWide(query, radius, depth, (entry, distance) => out.set(entry, distance));
    return out;
  };
  return { brute, wide, index, query };
}

describe('low-band wide lookup', () => {
  for (const size of [9_000, 1_100_000]) {
    it(`visits exactly the hashes the rule admits, 1 and 2 bits deep in the key's first 16 (${size} hashes)`, () => {
      const { brute, wide, index, query } = setUp(size);
      for (const depth of [1, 2] as const) {
        const found = wide(depth, 256);
        expect([...found.entries()].sort((a, b) => a[0] - b[0])).toEqual([...brute(depth, 256).entries()].sort((a, b) => a[0] - b[0]));
        // The planted hash 2 bits off in the first 16 is met only 2 deep, the one 3 off never.
        expect(found.get(0)).toBe(60);
        expect(found.get(1)).toBe(60);
        expect(found.has(2)).toBe(depth === 2);
        expect(found.has(3)).toBe(false);
      }
      // The radius holds: nothing past it is visited.
      expect(wide(2, 59).size).toBe(0);
      // The ordinary lookup (key within 1 of all its bits) misses the one 2 bits off.
      const near: number[] = [];
      index.search(query, 256, (entry) => near.push(entry));
      expect(near).toContain(1);
      expect(near).not.toContain(2);
    }, 240_000);
  }
});
