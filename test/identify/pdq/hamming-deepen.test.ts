import { describe, expect, it } from 'vitest';
import { WIDE_CHUNKS } from '../../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { hamming } from '../../../src/identify/pdq/hash256.js';
import { flipped, xorshift } from '../../support/xorshift.js';

// The first stage probes turned orientations shallow, then deepens them only when something was
// near (matcher.ts, shallowTurned). A shallow search then `deepen` must visit exactly what one deep
// search visits, at the same distances, each entry once, even with other searches in between.

describe('a shallow search deepened', () => {
  const next = xorshift(29);
  // Wide chunks over a pool small enough for a test: sparse tables, as at a few million entries.
  const size = 40_000;
  const pool = new Uint32Array(size * 8);
  for (let i = 0; i < pool.length; i++) pool[i] = next();
  const query = Uint32Array.from({ length: 8 }, () => next());
  // Neighbours at 0-80 bits, several per distance, so that some are met only by the deep probes.
  for (let n = 0; n < 400; n++) pool.set(flipped(query, n % 81, next), (n * 97 + 11) * 8);
  const index = new HammingIndex(buildHammingTables(pool, WIDE_CHUNKS));
  const deep = [2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1];
  const shallow = deep.map((d) => Math.min(d, 1));
  const visitsOf = (run: (visit: (entry: number, distance: number) => void) => void) => {
    const visits: [number, number][] = [];
    run((entry, distance) => visits.push([entry, distance]));
    return visits;
  };
  const sorted = (visits: [number, number][]) => [...visits].sort((a, b) => a[0] - b[0]);

  it('probes at both depths at this size', () => {
    expect(index.probedAt(shallow) && index.probedAt(deep)).toBe(true);
  });

  it('visits what one deep search visits, each entry once, at its true distance', () => {
    const whole = visitsOf((visit) => index.search(query, 81, visit, deep));
    const first = visitsOf((visit) => index.search(query, 81, visit, shallow));
    // Another search between the two halves, as the first stage makes (other views and orientations).
    index.search(flipped(query, 40, next), 81, () => {}, deep);
    const rest = visitsOf((visit) => index.deepen(query, 81, visit, shallow, deep));
    expect(first.length).toBeGreaterThan(0);
    expect(rest.length).toBeGreaterThan(0);
    const both = [...first, ...rest];
    expect(new Set(both.map(([entry]) => entry)).size).toBe(both.length);
    expect(sorted(both)).toEqual(sorted(whole));
    for (const [entry, distance] of both) expect(distance).toBe(hamming(query, pool.subarray(entry * 8, entry * 8 + 8)));
  });

  it('the deep probes meet neighbours the shallow ones miss (what skipping them would lose)', () => {
    const first = new Set(visitsOf((visit) => index.search(query, 81, visit, shallow)).map(([entry]) => entry));
    const rest = visitsOf((visit) => index.deepen(query, 81, visit, shallow, deep));
    expect(rest.every(([entry, distance]) => !first.has(entry) && distance > 23)).toBe(true);
  });
});
