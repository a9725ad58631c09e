import { describe, expect, it } from 'vitest';
import { HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { hamming } from '../../../src/identify/pdq/hash256.js';
import { buildLowBand, CHECK_BITS, CHECK_LIMIT, LOW_BAND, LowBandIndex, lowBandBits } from '../../../src/identify/pdq/low-band.js';
import { xorshift } from '../../support/xorshift.js';

// The low-band index (low-band.ts): stored hashes found by their lowest-frequency bits, where a
// trimmed or turned copy keeps its reference's bits while the multi-index's chunks, which mix all
// frequencies, all differ. These tests plant hashes far from a query in all bits but a few of its
// low band among random ones, and check the search against a brute force over the same rule.

const bitOf = (h: Uint32Array, k: number) => (h[k >>> 5]! >>> (k & 31)) & 1;
const flip = (h: Uint32Array, k: number) => {
  h[k >>> 5] = (h[k >>> 5]! ^ (1 << (k & 31))) >>> 0;
};

describe('low-band index', () => {
  const next = xorshift(2118);
  const random = () => Uint32Array.from({ length: 8 }, next);
  const query = random();
  const bits = lowBandBits(9_000);
  const band = new Set(LOW_BAND.slice(0, bits));
  const checked = new Set(LOW_BAND.slice(0, bits + CHECK_BITS));
  const outside = Array.from({ length: 256 }, (_, k) => k).filter((k) => !checked.has(k));
  // Entry 0: 70 bits from the query, none in its key or check; entry 1: 70 bits, one of them in its
  // key; entry 2: 70 bits, two in its key. Then random hashes, past the 8,192 an index scans.
  const planted = [0, 1, 2].map((inBand) => {
    const h = query.slice();
    for (let i = 0; i < inBand; i++) flip(h, LOW_BAND[i]!);
    for (let i = 0; i < 70 - inBand; i++) flip(h, outside[(i * 7) % outside.length]!);
    return h;
  });
  // And random hashes that share the query's key (at ~128 bits), their check bits as drawn or all
  // but the first 0, 4, 7, 8 and 12 the query's: the rule, not the distance, decides.
  const checkBand = LOW_BAND.slice(bits, bits + CHECK_BITS);
  const sameKey = [undefined, 0, 4, 7, 8, 12].map((differ) => {
    const h = random();
    for (const k of band) if (bitOf(h, k) !== bitOf(query, k)) flip(h, k);
    if (differ !== undefined) for (const [i, k] of checkBand.entries()) if ((bitOf(h, k) !== bitOf(query, k)) !== i < differ) flip(h, k);
    return h;
  });
  const hashes = [...planted, ...Array.from({ length: 9_000 }, random), ...sameKey];
  const pool = new Uint32Array(hashes.length * 8);
  hashes.forEach((h, i) => {
    pool.set(h, i * 8);
  });
  const met = (index: LowBandIndex, radius: number) => {
    const out = new Map<number, number>();
    index.search(query, radius, (entry, distance) => out.set(entry, distance));
    return out;
  };

  it('keys on the lowest frequencies, DC left out, and more bits as the index grows', () => {
    expect(LOW_BAND.slice(0, 5)).toEqual([1, 16, 2, 17, 32]);
    expect(LOW_BAND).not.toContain(0);
    expect(lowBandBits(3_000_000)).toBe(20);
    expect(lowBandBits(30_000_000)).toBe(24);
  });

  it('meets a hash 70 bits away that differs in at most one low-band bit, which the multi-index does not', () => {
    const found = met(new LowBandIndex(pool), 80);
    expect(found.get(0)).toBe(70);
    expect(found.get(1)).toBe(70);
    expect(found.has(2)).toBe(false);
    const sampled: number[] = [];
    new HammingIndex(hashes).search(query, 80, (entry) => sampled.push(entry), 0);
    expect(sampled).not.toContain(0);
  });

  it('visits exactly the hashes whose key is within one bit, as a brute force does', () => {
    const tables = buildLowBand(pool);
    const found = met(new LowBandIndex(pool, tables), 256);
    const expected = new Map<number, number>();
    hashes.forEach((h, entry) => {
      let keyDiff = 0;
      let checkDiff = 0;
      for (let i = 0; i < bits; i++) keyDiff += bitOf(h, LOW_BAND[i]!) ^ bitOf(query, LOW_BAND[i]!);
      for (let i = bits; i < bits + CHECK_BITS; i++) checkDiff += bitOf(h, LOW_BAND[i]!) ^ bitOf(query, LOW_BAND[i]!);
      if (keyDiff <= 1 && checkDiff <= CHECK_LIMIT) expected.set(entry, hamming(h, query));
    });
    expect(expected.size).toBeGreaterThanOrEqual(5);
    expect(found.has(hashes.length - 2)).toBe(false);
    expect(found.has(hashes.length - 3)).toBe(true);
    expect(new Map([...found].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...expected].sort((a, b) => a[0] - b[0])));
    expect(tables.starts.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
