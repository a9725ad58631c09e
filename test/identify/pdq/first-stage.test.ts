import { describe, expect, it } from 'vitest';
import { DIHEDRAL, type Dihedral } from '../../../src/identify/pdq/dihedral.js';
import { chunkWidths, placesOf, WIDE_CHUNKS, WIDE_ENTRIES } from '../../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { hamming } from '../../../src/identify/pdq/hash256.js';
import { halfDepths, MATCH_THRESHOLD, searchPlan } from '../../../src/identify/pdq/match-settings.js';
import { collectCandidates, cropOrientations, searchOrientations, shallowDepths } from '../../../src/identify/pdq/orientation-search.js';
import { flipped, xorshift } from '../../support/xorshift.js';

// The first stage leaves the deep probes of the orientations whose shallow searches met something
// owed (FirstStage.deepen) so that the matcher can settle a direct copy first: the probes owed can
// only add stored hashes owedFrom bits away or more, and once paid those searches hold exactly what
// searches to the plan's depth hold; an orientation that met nothing is never deepened.

describe('first stage with deep probes owed', () => {
  const next = xorshift(41);
  const size = 40_000;
  const pool = new Uint32Array(size * 8);
  for (let i = 0; i < pool.length; i++) pool[i] = next();
  // One hash per orientation, each with neighbours at 0-80 bits, so that the deep probes meet some.
  const hashes = new Map<Dihedral, Uint32Array>(DIHEDRAL.map((d) => [d, Uint32Array.from({ length: 8 }, () => next())]));
  let slot = 11;
  for (const hash of hashes.values()) for (let n = 0; n < 120; n++, slot += 41) pool.set(flipped(hash, n % 81, next), slot * 8);
  const index = new HammingIndex(buildHammingTables(pool, WIDE_CHUNKS));
  const deep = [2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1];
  const shallow = deep.map((d) => Math.min(d, 1));
  const plan = { radius: 81, depth: deep };
  const view = { rect: { x: 0, y: 0, width: 64, height: 64 } };
  const hashOf = (_: unknown, d: Dihedral) => hashes.get(d)!;
  const sorted = (hits: number[]) => {
    const pairs: [number, number][] = [];
    for (let h = 0; h < hits.length; h += 2) pairs.push([hits[h]!, hits[h + 1]!]);
    return pairs.sort((a, b) => a[0] - b[0]);
  };

  it('owes the deep probes, which add only hashes owedFrom bits away or more', () => {
    const stage = searchOrientations(index, [view], hashOf, 81, plan, shallow);
    expect(stage.owedFrom).toBe(shallow.reduce((sum, d) => sum + d + 1, 0));
    const before = stage.searches.map((s) => s.hits.length);
    stage.deepen();
    expect(stage.owedFrom).toBe(Infinity);
    let added = 0;
    for (const [i, s] of stage.searches.entries()) {
      for (let h = before[i]!; h < s.hits.length; h += 2, added++) expect(s.hits[h + 1]!).toBeGreaterThanOrEqual(24);
    }
    expect(added).toBeGreaterThan(0);
    // The upright search is probed shallow first too, and deepened on its own hit.
    expect(stage.searches[0]!.hits.length).toBeGreaterThan(before[0]!);
  });

  it('once deepened, holds what searches to the plan depth hold, and the same candidates', () => {
    const owed = searchOrientations(index, [view], hashOf, 81, plan, shallow);
    owed.deepen();
    const whole = searchOrientations(index, [view], hashOf, 81, plan, undefined);
    expect(whole.owedFrom).toBe(Infinity);
    for (const [i, s] of owed.searches.entries()) expect(sorted(s.hits)).toEqual(sorted(whole.searches[i]!.hits));
    const a = collectCandidates(owed.searches, [], 31);
    const b = collectCandidates(whole.searches, [], 31);
    expect([...a.found.keys()].sort()).toEqual([...b.found.keys()].sort());
    expect(a.nearestBy).toEqual(b.nearestBy);
  });

  it('deepens only the orientations whose shallow searches met something', () => {
    // The upright hash meets its neighbours; a turned one has a single neighbour 2 bits off in every
    // chunk (24 bits), which the shallow probes cannot meet and the deep ones (2 bits in 8 chunks) do.
    const far = Uint32Array.from({ length: 8 }, () => next());
    const lone = far.slice();
    for (const p of placesOf(WIDE_CHUNKS)) {
      for (const k of [0, 1]) {
        const bit = p.word * 32 + p.shift + k;
        lone[bit >>> 5] = (lone[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
      }
    }
    const lonePool = new Uint32Array(pool);
    lonePool.set(lone, 5 * 8);
    const loneIndex = new HammingIndex(buildHammingTables(lonePool, WIDE_CHUNKS));
    expect(hamming(far, lone)).toBe(24);
    const hashOf = (_: unknown, d: Dihedral) => (d === 'original' ? hashes.get(d)! : far);
    const stage = searchOrientations(loneIndex, [view], hashOf, 81, plan, shallow);
    expect(stage.searches[0]!.hits.length).toBeGreaterThan(0);
    expect(stage.searches.slice(1).every((s) => s.hits.length === 0)).toBe(true);
    expect(stage.owedFrom).toBe(24);
    stage.deepen();
    // The turned searches met nothing shallow, so their neighbour at 24 bits stays unmet.
    expect(stage.searches.slice(1).every((s) => s.hits.length === 0)).toBe(true);
    const whole = searchOrientations(loneIndex, [view], hashOf, 81, plan, undefined);
    expect(whole.searches[1]!.hits).toEqual([5, 24]);
  });

  it('owes nothing when no search met anything', () => {
    const far = Uint32Array.from({ length: 8 }, () => next());
    const stage = searchOrientations(index, [view], () => far, 81, plan, shallow);
    expect(stage.searches.every((s) => s.hits.length === 0)).toBe(true);
    expect(stage.owedFrom).toBe(Infinity);
  });
});

describe('first stage below 2^20 hashes: turned searches exact to the match threshold', () => {
  // 300,000 hashes: 14 chunks of 18-19 bits, where 1 bit deep is exact only to 27 bits. A quarter-turned
  // direct copy 28 bits from its stored hash, 2 bits off in every chunk, must still be met (review of
  // e243d52: the turned searches were probed shallow there and never deepened, the copy lost).
  const size = 300_000;
  const next = xorshift(7);
  const pool = new Uint32Array(size * 8);
  for (let i = 0; i < pool.length; i++) pool[i] = next();
  const index = new HammingIndex(buildHammingTables(pool));
  const widths = chunkWidths(size);
  const plan = searchPlan(size);
  const stored = 123_456;
  const query = index.hashOf(stored).slice();
  for (const p of placesOf(widths)) {
    for (const k of [0, 1]) {
      const bit = p.word * 32 + p.shift + k;
      query[bit >>> 5] = (query[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
    }
  }
  const far = Uint32Array.from({ length: 8 }, () => next());
  const view = { rect: { x: 0, y: 0, width: 64, height: 64 } };

  it('finds the turned copy with the depths the matcher uses', () => {
    expect(widths).toHaveLength(14);
    expect(hamming(query, index.hashOf(stored))).toBe(28);
    const shallow = shallowDepths(index, plan);
    expect(shallow).toBeUndefined();
    const hashOf = (_: unknown, d: Dihedral) => (d === 'rotate90' ? query : far);
    const { searches } = searchOrientations(index, [view], hashOf, plan.radius, plan, shallow);
    const found = collectCandidates(searches, [], MATCH_THRESHOLD).found;
    expect(found.get(stored)).toMatchObject({ distance: 28, dihedral: 'rotate90' });
  });
});

describe('orientations the crop stage searches', () => {
  // A quarter-turned copy nearest, and a chance hash in the upright orientation a little farther.
  const nearestBy = new Map<Dihedral, number>([
    ['original', 79],
    ['rotate90', 62],
  ]);

  it('are the best two, nearest first, up to 2^20 hashes', () => {
    expect(cropOrientations(nearestBy, WIDE_ENTRIES)).toEqual(['rotate90', 'original']);
  });

  it('are the best only past 2^20 hashes, where a chance hash puts a second orientation in most queries', () => {
    expect(cropOrientations(nearestBy, WIDE_ENTRIES + 1)).toEqual(['rotate90']);
    expect(cropOrientations(new Map(), WIDE_ENTRIES + 1)).toEqual([]);
  });
});

describe('first stage past 2^20 hashes: shallow searches at half depths', () => {
  // Past 2^20 hashes the shallow searches (and the trim views') probe 1 bit deep in every other chunk
  // and the chunk's own value in the rest (halfDepths), never deeper than the plan; below, none.
  const probing = (size: number) => ({ size, probedAt: () => true }) as unknown as HammingIndex;

  it('halves the probes of the 12 and 11 wide chunks, within the plan', () => {
    for (const size of [3_000_000, 30_000_000]) {
      const plan = searchPlan(size);
      const shallow = shallowDepths(probing(size), plan)!;
      expect(shallow).toEqual(halfDepths(size));
      expect(shallow).toEqual(chunkWidths(size).map((_, c) => (c % 2 === 0 ? 1 : 0)));
      for (const [c, d] of shallow.entries()) expect(d).toBeLessThanOrEqual((plan.depth as number[])[c]!);
    }
    expect(halfDepths(WIDE_ENTRIES)).toBeUndefined();
    expect(shallowDepths(probing(WIDE_ENTRIES), searchPlan(WIDE_ENTRIES))).toBeUndefined();
  });
});
