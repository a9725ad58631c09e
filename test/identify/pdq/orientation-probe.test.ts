import { describe, expect, it } from 'vitest';
import { gridCandidates } from '../../../src/identify/pdq/crop-grid.js';
import { type Crop, cropRect } from '../../../src/identify/pdq/crops.js';
import { type Dihedral, transformDct } from '../../../src/identify/pdq/dihedral.js';
import { FilteredPlane } from '../../../src/identify/pdq/filtered-plane.js';
import { HammingIndex } from '../../../src/identify/pdq/hamming-index.js';
import { newHash } from '../../../src/identify/pdq/hash256.js';
import { CHECK_BITS, LOW_BAND, LowBandIndex, lowBandBits } from '../../../src/identify/pdq/low-band.js';
import { PROBE_DEPTH, PROBE_QUERY_CROPS, PROBED_TURNS, probeOrientations, probeTurns } from '../../../src/identify/pdq/orientation-probe.js';
import { PdqHasher } from '../../../src/identify/pdq/pdq-hasher.js';
import { COARSE_QUERY_CROPS, type QueryView } from '../../../src/identify/pdq/views.js';
import { blobImage } from '../../support/blob-image.js';
import { xorshift } from '../../support/xorshift.js';

// The orientation probe (orientation-probe.ts): where a sampled index's first stage met nothing
// near, a few crops searched in the likely orientations tell the crop grid which turned orientation
// to look in, where it looked upright only. These tests plant the stored hash of a turned probe crop
// among unrelated ones and check that the probe meets it in its orientation and that the grid then
// searches that orientation's fine crops next to it, and no coarse crops in the probed orientations.

describe('orientation probe', () => {
  const img = blobImage(11, 320, 240);
  const plane = new FilteredPlane(img);
  const whole = { x: 0, y: 0, width: img.width, height: img.height };
  const view: QueryView = { name: 'whole', rect: whole, result: { hash: newHash(), quality: 100, dct: new Float32Array(256) } };
  const hasher = new PdqHasher();
  const hashOf = (dct: Float32Array, dihedral: Dihedral) => {
    if (dihedral === 'original') return hasher.hashFromDct(dct, newHash());
    const turned = new Float32Array(256);
    transformDct(dct, dihedral, turned);
    return hasher.hashFromDct(turned, newHash());
  };
  const turnedCrop: Crop = [2.5, 7.5, 7.5, 2.5];
  const dct = new Float32Array(256);
  plane.dctOf(cropRect(whole, turnedCrop), dct);
  const next = xorshift(2026);
  // Entry 0: the probe crop seen quarter-turned (as a stored reference of a turned copy would be);
  // then unrelated hashes, past the 8,192 a scan covers so that the probes sample.
  const index = new HammingIndex([hashOf(dct, 'rotate90').slice(), ...Array.from({ length: 9_000 }, () => Uint32Array.from({ length: 8 }, next))]);
  const search = { index, plane, views: [view], hashOf, radius: 54 };

  it('probes the upright orientation at the grid depth through every view, the likely turns at depth 0 through the first, none the first stage met', () => {
    expect(probeTurns(new Map(), 1, 2)).toEqual([
      { dihedral: 'original', depth: 1, views: 2, lowBand: false },
      ...PROBED_TURNS.map((dihedral) => ({ dihedral, depth: PROBE_DEPTH, views: 1, lowBand: true })),
    ]);
    const met = new Map<Dihedral, number>([['rotate90', 70]]);
    expect(probeTurns(met, 1, 1).map((t) => t.dihedral)).toEqual(['original', 'rotate180', 'rotate270', 'flipY']);
    expect(PROBE_QUERY_CROPS).toHaveLength(16);
    expect(PROBE_QUERY_CROPS).toContainEqual(turnedCrop);
  });

  it('meets the turned crop in its own orientation only, at depth 0', () => {
    const probe = probeOrientations(search, probeTurns(new Map(), undefined, 1));
    expect(probe.covered).toEqual(new Set(['original', ...PROBED_TURNS]));
    expect(probe.nearestBy.get('rotate90')).toBe(0);
    expect(probe.nearestBy.has('original')).toBe(false);
    expect(probe.candidates.get('rotate90')?.get(0)).toMatchObject({ distance: 0, dihedral: 'rotate90', rect: cropRect(whole, turnedCrop) });
    expect(probe.candidates.get('original')?.size).toBe(0);
  });

  for (const dihedral of ['rotate90', 'flipY'] as const) {
    it(`meets a ${dihedral} crop 66 bits off but for its low band through the low-band index, which the multi-index does not`, () => {
      // The stored hash of the turned crop with 66 bits flipped outside the low band (key and check), spread over every chunk.
      const stored = hashOf(dct, dihedral).slice();
      const band = new Set(LOW_BAND.slice(0, lowBandBits(9_001) + CHECK_BITS));
      const outside = Array.from({ length: 256 }, (_, k) => k).filter((k) => !band.has(k));
      for (let i = 0; i < 66; i++) {
        const k = outside[Math.floor((i * outside.length) / 66)]!;
        stored[k >>> 5] = (stored[k >>> 5]! ^ (1 << (k & 31))) >>> 0;
      }
      const hashes = [stored, ...Array.from({ length: 9_000 }, () => Uint32Array.from({ length: 8 }, next))];
      const pool = new Uint32Array(hashes.length * 8);
      hashes.forEach((h, i) => {
        pool.set(h, i * 8);
      });
      const far = { ...search, index: new HammingIndex(hashes) };
      const turns = probeTurns(new Map(), undefined, 1);
      expect(probeOrientations(far, turns).nearestBy.get(dihedral)).toBeUndefined();
      const probe = probeOrientations(far, turns, new LowBandIndex(pool));
      expect(probe.nearestBy.get(dihedral)).toBe(66);
      expect(probe.crops).toContainEqual({ view: 0, crop: turnedCrop, dihedral, nearest: 66 });
    });
  }

  it('keeps a stored hash met in a gridded orientation when it was met nearer in one the grid does not search', () => {
    const met = (distance: number, dihedral: Dihedral) => ({ entry: 5, distance, view, rect: whole, dihedral });
    const probed = {
      covered: new Set<Dihedral>(['original', 'rotate180']),
      nearestBy: new Map<Dihedral, number>(),
      crops: [],
      candidates: new Map<Dihedral, Map<number, ReturnType<typeof met>>>([
        ['original', new Map([[5, met(50, 'original')]])],
        ['rotate180', new Map([[5, met(45, 'rotate180')]])],
      ]),
    };
    const found = gridCandidates({ ...search, dihedrals: ['original'], depth: 1, probed });
    expect(found.get(5)).toMatchObject({ distance: 50, dihedral: 'original' });
    expect(gridCandidates({ ...search, dihedrals: ['original', 'rotate180'], depth: 1, probed }).get(5)).toMatchObject({ distance: 45, dihedral: 'rotate180' });
  });

  it('the grid then searches no coarse crops in the probed orientations, and the fine crops next to the probe crop in its orientation only', () => {
    const probed = probeOrientations(search, probeTurns(new Map(), undefined, 1));
    const calls: string[] = [];
    const counting = Object.create(index) as HammingIndex;
    counting.search = (...args: Parameters<HammingIndex['search']>) => {
      calls.push('search');
      index.search(...args);
    };
    const turns: Dihedral[] = [];
    const recording = (d: Float32Array, dihedral: Dihedral) => (turns.push(dihedral), hashOf(d, dihedral));
    const found = gridCandidates({ ...search, index: counting, hashOf: recording, dihedrals: ['original', 'rotate90'], depth: 1, nearBest: 1, probed });
    // [2.5, 7.5, 7.5, 2.5] has 16 neighbours on the 0/4/8 grid (each side one of two), one of them coarse.
    expect(calls).toHaveLength(15);
    expect(new Set(turns)).toEqual(new Set(['rotate90']));
    expect(found.get(0)).toMatchObject({ distance: 0, dihedral: 'rotate90' });
    // Without the probe the same grid searches every coarse crop in both orientations.
    calls.length = 0;
    gridCandidates({ ...search, index: counting, dihedrals: ['original', 'rotate90'], depth: 1, nearBest: 1 });
    expect(calls.length).toBeGreaterThanOrEqual(COARSE_QUERY_CROPS.length * 2);
  });
});
