import { beforeAll, describe, expect, it } from 'vitest';
import { CalibrationMatcher } from '../../src/calibrate/measure.js';
import { SAMPLED_ENTRIES } from '../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { HASH_WORDS } from '../../src/identify/pdq/hash256.js';
import { searchPlan } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { centreQuad, TURN_CLAIM_DISTANCE, TurnBack } from '../../src/identify/subimage/turn-back.js';
import { bridge, decoded, reference, straightened, unrelated } from './support/perceptual.js';

describe('straightened pictures (turn-back search)', () => {
  let search: TurnBack;
  let whole: PerceptualMatcher;

  beforeAll(async () => {
    whole = new PerceptualMatcher(pdqIndexOfReferences([await reference('refs/bridge.jpg', bridge)]));
    const plan = searchPlan(whole.size);
    search = new TurnBack(whole, whole.hamming, { ...plan, radius: Math.min(plan.radius, 70) });
  });

  it('places the stored centre view at 80% of the frame unturned, and turned about the centre 1/f larger when turned', () => {
    const upright = centreQuad(400, 300, 0);
    expect(upright[0].x).toBeCloseTo(40, 6);
    expect(upright[0].y).toBeCloseTo(30, 6);
    expect(upright[2].x).toBeCloseTo(360, 6);
    expect(upright[2].y).toBeCloseTo(270, 6);
    const turned = centreQuad(400, 300, 6);
    const a = (6 * Math.PI) / 180;
    const f = Math.min(400 / (400 * Math.cos(a) + 300 * Math.sin(a)), 300 / (400 * Math.sin(a) + 300 * Math.cos(a)));
    // Top side: 0.8 / f of the width long, sloping down by the turn (clockwise); centred on the frame.
    expect(Math.hypot(turned[1].x - turned[0].x, turned[1].y - turned[0].y)).toBeCloseTo((0.8 * 400) / f, 6);
    expect(Math.atan2(turned[1].y - turned[0].y, turned[1].x - turned[0].x)).toBeCloseTo(a, 6);
    expect((turned[0].x + turned[2].x) / 2).toBeCloseTo(200, 6);
    expect((turned[0].y + turned[2].y) / 2).toBeCloseTo(150, 6);
  });

  it('claims a reference straightened by 4 and by 6 degrees, which the whole-image matcher misses, with the turn', async () => {
    for (const angle of [4, -6]) {
      const image = await decoded(await straightened(bridge, angle));
      // before: the whole-image stages find nothing
      expect(whole.match(image).kind, `${angle}`).not.toBe('match');
      const found = search.find(image, lowRes(image));
      expect(found?.match.reference.id, `${angle}`).toBe('refs/bridge.jpg');
      expect(found!.match.distance).toBeLessThanOrEqual(TURN_CLAIM_DISTANCE);
      expect(found!.method).toBe('turn-back');
      expect(Math.abs(found!.geometry.rotation - angle), `${angle}`).toBeLessThanOrEqual(0.5);
      expect(found!.geometry.skew).toBe(0);
    }
  }, 60_000);

  it('is measured by calibration as the sub-image stage, so `custody calibrate` reports its distances', async () => {
    const calibration = new CalibrationMatcher([await reference('refs/bridge.jpg', bridge)]);
    const m = await calibration.measure(await straightened(bridge, -6));
    expect(m.subimage?.reference).toBe('refs/bridge.jpg');
    expect(m.subimage!.distance).toBeLessThanOrEqual(TURN_CLAIM_DISTANCE);
    expect(Math.min(m.direct?.distance ?? Infinity, m.aligned?.distance ?? Infinity)).toBeGreaterThan(m.subimage!.distance);
  }, 60_000);

  it('searches only the sparse grid of turns in a picture with nothing near, and every turn where something is', async () => {
    // Full rough hashes are searched at the plan's radius, the coarse first look (coarse-hash.ts)
    // at the radius plus COARSE_MARGIN: each counted apart.
    let searches = 0;
    let coarseSearches = 0;
    const radius = Math.min(searchPlan(whole.size).radius, 70);
    const counting = Object.create(whole.hamming) as HammingIndex;
    counting.search = (...args: Parameters<HammingIndex['search']>) => {
      if (args[1] === radius) searches++;
      else coarseSearches++;
      return whole.hamming.search(...args);
    };
    const plan = searchPlan(whole.size);
    const counted = new TurnBack(whole, counting, { ...plan, radius });
    const far = await decoded(await straightened(unrelated, 4));
    expect(counted.find(far, lowRes(far), true)).toBeUndefined();
    // 10 coarse turns two degrees apart, not the 20 of the one-degree grid, and no full one.
    expect(coarseSearches).toBe(10);
    expect(searches).toBe(0);
    searches = 0;
    const copy = await decoded(await straightened(bridge, 5));
    expect(counted.find(copy, lowRes(copy))?.match.reference.id).toBe('refs/bridge.jpg');
    // The whole grid and the half-degree refinements: the sparse grid let the copy through.
    expect(searches).toBeGreaterThan(20);
  }, 60_000);

  it('makes no full rough hash of the sparse turns where no coarse one comes near, and all ten where one does', async () => {
    const far = await decoded(await straightened(unrelated, 4));
    const none = search.sparse(lowRes(far));
    expect(none.near).toBe(false);
    expect(none.distances.size).toBe(0);
    const copy = await decoded(await straightened(bridge, 5));
    const some = search.sparse(lowRes(copy));
    expect(some.near).toBe(true);
    expect(some.distances.size).toBe(10);
  }, 60_000);

  it('makes all ten full rough hashes of the sparse turns in an index too large to scan, with no coarse look', async () => {
    // Past SAMPLED_ENTRIES a turn's cost is its probes, and the coarse look is left out: an
    // unrelated photo's ten sparse turns are hashed in full, as before the coarse hashes.
    const size = SAMPLED_ENTRIES + 808;
    const pool = new Uint32Array(new SharedArrayBuffer(size * HASH_WORDS * 4));
    let seed = 31;
    for (let i = 0; i < pool.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      pool[i] = seed ^ (seed >>> 13);
    }
    const sampled = new HammingIndex(buildHammingTables(pool));
    const plan = searchPlan(size);
    const large = new TurnBack(whole, sampled, { ...plan, radius: Math.min(plan.radius, 70) });
    const far = await decoded(await straightened(unrelated, 4));
    const turns = large.sparse(lowRes(far));
    expect(turns.distances.size).toBe(10);
    expect(turns.near).toBe(false);
  }, 60_000);

  it('claims nothing in a straightened unrelated picture, nor in the upright one', async () => {
    for (const bytes of [await straightened(unrelated, -6), await straightened(unrelated, 3), unrelated]) {
      const image = await decoded(bytes);
      expect(search.find(image, lowRes(image), true)).toBeUndefined();
    }
  }, 30_000);
});
