import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Crop } from '../../src/identify/pdq/crops.js';
import { WIDE_ENTRIES } from '../../src/identify/pdq/hamming-chunks.js';
import { buildHammingTables, HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { HASH_WORDS } from '../../src/identify/pdq/hash256.js';
import { searchPlan } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { findRectangles, inQuery } from '../../src/identify/subimage/rectangles.js';
import { GATE_UPRIGHT_DEPTH, RoughGate, turnedGateDepths } from '../../src/identify/subimage/rough-gate.js';
import { TOO_SMALL_SIDE } from '../../src/identify/subimage/too-small.js';
import { bridge, decoded, onCanvas, reference, unrelated } from './support/perceptual.js';

describe('sub-image search cost gates', () => {
  it('the rough gate passes the framed copy of a reference and refuses the same frame around an unrelated picture', async () => {
    const index = pdqIndexOfReferences([await reference('refs/bridge.jpg', bridge)]);
    const gate = new RoughGate(new HammingIndex(index.hamming));
    const whole = new PerceptualMatcher(index);
    for (const [picture, expected] of [
      [bridge, true],
      [unrelated, false],
    ] as const) {
      const image = await decoded(await onCanvas(picture, 560, 300, 120));
      // The whole-image matcher runs first in the audit and leaves its filtered plane resident, which
      // the gate samples (it filters the image again itself when nothing is resident).
      whole.match(image);
      const plane = lowRes(image);
      const regions = findRectangles(plane).map((r) => inQuery(r, plane));
      expect(regions.length).toBeGreaterThan(0);
      expect(regions.some((r) => gate.near(image, r))).toBe(expected);
    }
  }, 30_000);

  it('probes the upright orientation 1 bit deep and the turned ones and trim views half as deep in a wide-chunk index, and still passes an upright and a flipped framed copy', async () => {
    const index = pdqIndexOfReferences([await reference('refs/bridge.jpg', bridge)]);
    // The reference's own hashes first, then seeded random hashes past WIDE_ENTRIES (12 wide chunks).
    const own = index.hamming.pool;
    const pool = new Uint32Array(new SharedArrayBuffer((WIDE_ENTRIES + 4096) * HASH_WORDS * 4));
    pool.set(own);
    let seed = 17;
    for (let i = own.length; i < pool.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      pool[i] = seed ^ (seed >>> 13);
    }
    const hamming = new HammingIndex(buildHammingTables(pool));
    const depths: unknown[] = [];
    const search = hamming.search.bind(hamming);
    hamming.search = (query, radius, visit, depth) => {
      depths.push(depth);
      search(query, radius, visit, depth);
    };
    // The four one-sided 10% crops a large set leaves out of its index: each region's trim views.
    const trims: Crop[] = [
      [10, 0, 0, 0],
      [0, 10, 0, 0],
      [0, 0, 10, 0],
      [0, 0, 0, 10],
    ];
    const gate = new RoughGate(hamming, trims);
    const whole = new PerceptualMatcher(index);
    const regionsOf = async (picture: Buffer) => {
      const image = await decoded(await onCanvas(picture, 560, 300, 120));
      whole.match(image);
      const plane = lowRes(image);
      return { image, regions: findRectangles(plane).map((r) => inQuery(r, plane)) };
    };
    // An unrelated picture is searched in all eight orientations, then through its four trim views
    // upright, none at the plan's depth (~2,000 probes): only the upright search 1 bit deep in every chunk.
    const other = await regionsOf(unrelated);
    expect(other.regions.some((r) => gate.near(other.image, r))).toBe(false);
    const turned = turnedGateDepths(hamming.size);
    expect(turned).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    const upright = depths.filter((d) => d === GATE_UPRIGHT_DEPTH).length;
    expect(upright).toBeGreaterThan(0);
    expect(depths.filter((d) => d !== GATE_UPRIGHT_DEPTH)).toEqual(depths.filter((d) => d !== GATE_UPRIGHT_DEPTH).map(() => turned));
    // Each region: seven turned orientations, then trim views at the same half depths (before, 1 bit deep in every chunk).
    expect(depths.length - upright).toBeGreaterThan(7 * upright);
    expect(depths).not.toContainEqual(searchPlan(hamming.size).depth);
    // An upright copy's rough hash is met in the original orientation at the shallow depth.
    const copy = await regionsOf(bridge);
    expect(copy.regions.some((r) => gate.near(copy.image, r))).toBe(true);
    // A mirrored copy's rough hash is met in its turned orientation at the turned orientations' depths.
    const flipped = await regionsOf(await sharp(bridge).flop().toBuffer());
    expect(flipped.regions.some((r) => gate.near(flipped.image, r))).toBe(true);
  }, 60_000);

  it(`proposes no region whose longer side is under ${TOO_SMALL_SIDE} query pixels (the matcher could not decide it)`, async () => {
    // A thumbnail with a small framed picture in it: 40x30 px on a 120x90 canvas.
    const shown = await sharp(bridge).resize(40, 30).toBuffer();
    const thumb = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#e0e0e0' } })
      .composite([{ input: shown, left: 40, top: 30 }])
      .png()
      .toBuffer();
    const small = lowRes(await decoded(thumb));
    expect(findRectangles(small)).toEqual([]);
    // The same layout at four times the size is proposed (160x120 px inside 480x360).
    const large = lowRes(await decoded(await sharp(thumb).resize(480, 360, { kernel: 'nearest' }).png().toBuffer()));
    const found = findRectangles(large).map((r) => inQuery(r, large));
    expect(found.some((r) => Math.abs(r.x - 160) <= 8 && Math.abs(r.width - 160) <= 10)).toBe(true);
  }, 30_000);
});
