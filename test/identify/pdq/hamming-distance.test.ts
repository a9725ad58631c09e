import { describe, expect, it } from 'vitest';
import { WIDE_CHUNKS } from '../../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { hamming } from '../../../src/identify/pdq/hash256.js';
import { xorshift } from '../../support/xorshift.js';

// A probed search must visit a hash exactly at its radius, at its true distance, wherever the
// hash's differing bits lie, and must not visit one a bit further: the edge any shortcut in counting
// a candidate's distance (session 17 tried one: counting in parts, dropped as soon as a part passes
// the radius) has to keep.

/** `query` with bits flipped at the given positions (0-255). */
const withBits = (query: Uint32Array, bits: readonly number[]): Uint32Array => {
  const out = Uint32Array.from(query);
  for (const bit of bits) out[bit >>> 5] = (out[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
  return out;
};

describe('a probed search at the edge of its radius', () => {
  const next = xorshift(41);
  const size = 20_000;
  const query = Uint32Array.from({ length: 8 }, () => next());
  const radius = 60;
  // Where a neighbour's differing bits lie: all in the first 128 bits (the first part alone passes
  // the radius one bit on), in bits 128-191 and 0-127 (the second part), and spread to the last word.
  const layouts: [string, (count: number) => number[]][] = [
    ['first half', (count) => Array.from({ length: count }, (_, i) => 22 + i)],
    ['first six words', (count) => Array.from({ length: count }, (_, i) => 22 + 2 * i)],
    ['every word', (count) => Array.from({ length: count }, (_, i) => 22 + ((i * 37) % 234))],
  ];
  // The first chunk (bits 0-21) is left alone, so that a 1-bit probe meets every neighbour.
  const pool = new Uint32Array(size * 8);
  for (let i = 0; i < pool.length; i++) pool[i] = next();
  const planted: { entry: number; distance: number }[] = [];
  layouts.forEach(([, bitsOf], k) => {
    for (const distance of [radius - 1, radius, radius + 1]) {
      const entry = 1000 * (k + 1) + distance;
      pool.set(withBits(query, bitsOf(distance)), entry * 8);
      planted.push({ entry, distance });
    }
  });
  const index = new HammingIndex(buildHammingTables(pool, WIDE_CHUNKS));

  it('visits every planted hash within the radius at its distance, and none past it', () => {
    const visits = new Map<number, number>();
    index.search(query, radius, (entry, distance) => visits.set(entry, distance), 1);
    for (const { entry, distance } of planted) {
      expect(hamming(index.hashOf(entry), query)).toBe(distance);
      expect(visits.get(entry)).toBe(distance <= radius ? distance : undefined);
    }
  });

  it('visits what a scan does', () => {
    const probed: number[] = [];
    const scanned: number[] = [];
    index.search(query, radius, (entry, distance) => probed.push(entry, distance), 1);
    index.scan(query, radius, (entry, distance) => scanned.push(entry, distance));
    const pairs = (flat: number[]) => flat.flatMap((_, i) => (i % 2 === 0 ? [`${flat[i]}:${flat[i + 1]}`] : [])).sort();
    expect(pairs(probed)).toEqual(pairs(scanned));
  });
});
