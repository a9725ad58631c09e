import { describe, expect, it } from 'vitest';
import { FINE_NEIGHBOURS, gridCandidates, nextTo } from '../../../src/identify/pdq/crop-grid.js';
import { type Crop, cropRect } from '../../../src/identify/pdq/crops.js';
import { FilteredPlane } from '../../../src/identify/pdq/filtered-plane.js';
import { HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { newHash } from '../../../src/identify/pdq/hash256.js';
import { PdqHasher } from '../../../src/identify/pdq/pdq-hasher.js';
import { COARSE_QUERY_CROPS, FINE_QUERY_CROPS, type QueryView } from '../../../src/identify/pdq/views.js';
import { blobImage } from '../../support/blob-image.js';

// The crop grid of a large set searches the fine crops only next to the coarse crops that came
// nearest (crop-grid.ts): these tests plant stored hashes of chosen grid crops and check which
// fine crops are searched, and that the grid without the restriction still searches them all.

describe('crop grid: fine crops next to the nearest coarse ones', () => {
  const img = blobImage(5, 320, 240);
  const plane = new FilteredPlane(img);
  const whole = { x: 0, y: 0, width: img.width, height: img.height };
  const view: QueryView = { name: 'whole', rect: whole, result: { hash: newHash(), quality: 100, dct: new Float32Array(256) } };
  const hasher = new PdqHasher();
  const hashOfCrop = (crop: Crop) => {
    const dct = new Float32Array(256);
    plane.dctOf(cropRect(whole, crop), dct);
    return hasher.hashFromDct(dct, newHash()).slice();
  };
  const coarse: Crop = [0, 8, 0, 8];
  const near: Crop = [4, 8, 0, 4];
  const far: Crop = [4, 0, 4, 0];
  const index = new HammingIndex([hashOfCrop(coarse), hashOfCrop(near), hashOfCrop(far)]);
  const run = (nearBest: number | undefined) => {
    let searches = 0;
    const counting = Object.create(index) as HammingIndex;
    counting.search = (...args: Parameters<HammingIndex['search']>) => {
      searches++;
      index.search(...args);
    };
    const found = gridCandidates({
      index: counting,
      plane,
      views: [view],
      dihedrals: ['original'],
      hashOf: (dct) => hasher.hashFromDct(dct, newHash()),
      radius: 54,
      depth: undefined,
      ...(nearBest !== undefined && { nearBest }),
    });
    return { searches, found };
  };

  it('each coarse crop has 15 fine neighbours, and together they cover the fine crops', () => {
    expect(nextTo(near, coarse)).toBe(true);
    expect(nextTo(far, coarse)).toBe(false);
    for (const c of COARSE_QUERY_CROPS) expect(FINE_QUERY_CROPS.filter((f) => nextTo(f, c))).toHaveLength(15);
    expect(FINE_QUERY_CROPS.every((f) => COARSE_QUERY_CROPS.some((c) => nextTo(f, c)))).toBe(true);
    expect(FINE_NEIGHBOURS).toBeGreaterThanOrEqual(1);
  });

  it('without the restriction, every fine crop is searched and each planted crop is met exactly', () => {
    const { searches, found } = run(undefined);
    expect(searches).toBe(COARSE_QUERY_CROPS.length + FINE_QUERY_CROPS.length);
    expect([0, 1, 2].map((e) => found.get(e)?.distance)).toEqual([0, 0, 0]);
  });

  it('with it, only the nearest coarse crop neighbours are searched: the fine crop beside it is met, the far one is not', () => {
    const { searches, found } = run(1);
    expect(searches).toBe(COARSE_QUERY_CROPS.length + 15);
    expect(found.get(0)?.distance).toBe(0);
    expect(found.get(1)).toMatchObject({ distance: 0, rect: cropRect(whole, near) });
    // The far crop's stored hash may still be met by a neighbouring crop, never by its own rectangle.
    expect(found.get(2)?.rect).not.toEqual(cropRect(whole, far));
    expect(found.get(2)?.distance ?? Infinity).toBeGreaterThan(0);
  });

  it("gives each view its nearest coarse crop's fine neighbours, where another view's crops came nearer", () => {
    // Two views of the query (whole and an unbordered one inside it): two coarse crops of the whole
    // view are stored, as chance neighbours in a crowded index can be, and the unbordered view's
    // coarse crop and the fine crop beside it; ties go to the grid's order, the whole view first.
    const inner = { x: 16, y: 12, width: 288, height: 216 };
    const unbordered: QueryView = { ...view, name: 'unbordered', rect: inner };
    const hashOf = (rect: typeof whole) => {
      const dct = new Float32Array(256);
      plane.dctOf(rect, dct);
      return hasher.hashFromDct(dct, newHash()).slice();
    };
    const stored = [cropRect(whole, coarse), cropRect(whole, [8, 0, 8, 0]), cropRect(inner, coarse), cropRect(inner, near)];
    const found = gridCandidates({
      index: new HammingIndex(stored.map(hashOf)),
      plane,
      views: [view, unbordered],
      dihedrals: ['original'],
      hashOf: (dct) => hasher.hashFromDct(dct, newHash()),
      radius: 54,
      depth: undefined,
      nearBest: FINE_NEIGHBOURS,
    });
    // Candidates are kept per view (a stored hash met by both views is aligned from each).
    const met = [...found.values()].filter((c) => c.entry === 3);
    expect(met).toContainEqual(expect.objectContaining({ distance: 0, view: unbordered, rect: cropRect(inner, near) }));
  });
});
