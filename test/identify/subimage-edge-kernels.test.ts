import { describe, expect, it } from 'vitest';
import { edgeKernels } from '../../src/identify/subimage/edge-kernels.js';
import type { LowRes } from '../../src/identify/subimage/low-res.js';
import { edgesOf, houghLines } from '../../src/identify/subimage/quad-lines.js';
import { ANGLES, EDGE_LIMIT, MAX_ANGLE, SLOPES, stepByAngle } from '../../src/identify/subimage/quad-steps.js';

/**
 * The edge passes in WebAssembly (wasm/edges.ts) against the JavaScript loops they replaced, kept
 * here as the definition: every map, list, vote and sum must be the same, or the sub-image search's
 * candidates (and so its claims) would move.
 */

/** A plane of grey levels in the plane's unit (multiples of 1/1024 below 256): noise, then lines and boxes at small angles. */
function plane(w: number, h: number, seed: number): LowRes {
  let s = seed;
  const rand = () => (s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
  const luma = new Float32Array(w * h);
  const noise = seed % 3 === 0 ? 255 : 12;
  for (let i = 0; i < luma.length; i++) luma[i] = Math.floor(rand() * noise * 1024) / 1024;
  for (let k = 0; k < 6; k++) {
    const slope = (rand() - 0.5) * 0.5;
    const at = rand() * h;
    const level = Math.floor(rand() * 200 * 1024) / 1024;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (y > at + slope * (x - w / 2) && x < w * (0.3 + 0.1 * k)) luma[y * w + x] = level;
  }
  return { luma, width: w, height: h, scaleX: 1, scaleY: 1 };
}

/** The JavaScript edge pass (quad-lines.ts before its kernel), with the step by its definition. */
function referenceEdges(p: LowRes) {
  const { luma, width: w, height: h } = p;
  const horizontal = new Uint8Array(w * h);
  const vertical = new Uint8Array(w * h);
  const hAt: number[] = [];
  const vAt: number[] = [];
  const at = (x: number, y: number) => luma[y * w + x]!;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - (at(x - 1, y - 1) + 2 * at(x - 1, y) + at(x - 1, y + 1));
      const gy = at(x - 1, y + 1) - at(x - 1, y - 1) + 2 * (at(x, y + 1) - at(x, y - 1)) + at(x + 1, y + 1) - at(x + 1, y - 1);
      const ax = Math.abs(gx);
      const ay = Math.abs(gy);
      if (ax + ay < 48) continue;
      if (ax <= EDGE_LIMIT * ay) {
        horizontal[y * w + x] = 1 + stepByAngle(-gx / gy);
        hAt.push(y * w + x);
      } else if (ay <= EDGE_LIMIT * ax) {
        vertical[y * w + x] = 1 + stepByAngle(-gy / gx);
        vAt.push(y * w + x);
      }
    }
  return { horizontal, vertical, horizontalAt: Int32Array.from(hAt), verticalAt: Int32Array.from(vAt) };
}

/** The JavaScript votes: per bin the best vote and its step, per step the sum of squared votes. */
function referenceVotes(map: Uint8Array, list: Int32Array, w: number, h: number, vertical: boolean) {
  const along = vertical ? h : w;
  const across = vertical ? w : h;
  const centre = along / 2;
  const margin = Math.ceil(Math.tan((MAX_ANGLE * Math.PI) / 180) * centre) + 1;
  const bins = across + 2 * margin;
  const acc = new Uint16Array(ANGLES * bins);
  for (const i of list) {
    const r = Math.trunc(i / w);
    const p = vertical ? r : i - r * w;
    const q = vertical ? i - r * w : r;
    const e = map[i]! - 1;
    for (let s = Math.max(0, e - 8); s <= Math.min(ANGLES - 1, e + 8); s++)
      acc[s * bins + Math.floor(q + 0.5 - SLOPES[s]! * (p + 0.5 - centre)) + margin]! += 1;
  }
  const best = new Uint16Array(bins);
  const bestStep = new Uint16Array(bins);
  const histogram = new Float64Array(ANGLES);
  for (let s = 0; s < ANGLES; s++)
    for (let b = 0; b < bins; b++) {
      const v = acc[s * bins + b]!;
      histogram[s]! += v * v;
      if (v > best[b]!) [best[b], bestStep[b]] = [v, s];
    }
  return { best, bestStep, histogram, bins };
}

/** The rectangles' step maps (rectangles.ts before its kernel): steps of 14 across two pixels, runs bridging gaps of 2. */
function referenceStepMaps(p: LowRes) {
  const { luma, width: w, height: h } = p;
  const rowEdges = new Uint8Array(w * h);
  const colEdges = new Uint8Array(w * h);
  for (let y = 1; y < h - 1; y++) for (let x = 0; x < w; x++) if (Math.abs(luma[(y + 1) * w + x]! - luma[(y - 1) * w + x]!) >= 14) rowEdges[y * w + x] = 1;
  for (let y = 0; y < h; y++) for (let x = 1; x < w - 1; x++) if (Math.abs(luma[y * w + x + 1]! - luma[y * w + x - 1]!) >= 14) colEdges[x * h + y] = 1;
  const runs = (map: Uint8Array, lines: number, length: number) =>
    Int32Array.from({ length: lines }, (_, l) => {
      let longest = 0;
      let start = -1;
      let last = -1;
      for (let i = 0; i < length; i++) {
        if (!map[l * length + i]) continue;
        if (start < 0 || i - last > 3) start = i;
        last = i;
        longest = Math.max(longest, last - start + 1);
      }
      return longest;
    });
  return { rowEdges, colEdges, rowRuns: runs(rowEdges, h, w), colRuns: runs(colEdges, w, h) };
}

describe('the sub-image search edge kernels (wasm/edges.ts)', () => {
  // Sides up to the plane's 320, whose vote offsets come from the resident floors, and past it (400).
  const planes = [
    plane(320, 240, 1),
    plane(240, 320, 2),
    plane(320, 213, 3),
    plane(100, 68, 4),
    plane(3, 3, 5),
    plane(320, 320, 6),
    plane(400, 301, 7),
    plane(301, 400, 9),
  ];

  it('finds the same Sobel edges, steps and edge lists as the JavaScript pass', () => {
    for (const p of planes) {
      const edges = edgesOf(p);
      const want = referenceEdges(p);
      expect(edges.horizontalAt.length + edges.verticalAt.length).toBeGreaterThan(p.width > 3 ? 100 : -1);
      expect(edges.horizontal).toEqual(want.horizontal);
      expect(edges.vertical).toEqual(want.vertical);
      expect(edges.horizontalAt).toEqual(want.horizontalAt);
      expect(edges.verticalAt).toEqual(want.verticalAt);
    }
  });

  it('casts the same line votes, whether the edges are the last pass’s or copied in, at every plane size', () => {
    for (const p of planes) {
      const edges = edgesOf(p);
      // Another plane's pass in between: the first plane's edges are then copied back in.
      const other = edgesOf(planes[(planes.indexOf(p) + 1) % planes.length]!);
      for (const [e, label] of [
        [other, 'resident'],
        [edges, 'copied'],
        [edges, 'copied, then resident'],
      ] as const)
        for (const vertical of [false, true]) {
          const want = referenceVotes(vertical ? e.vertical : e.horizontal, vertical ? e.verticalAt : e.horizontalAt, e.width, e.height, vertical);
          const got = edgeKernels().lineVotes(e, vertical, want.bins, (want.bins - (vertical ? e.width : e.height)) / 2, 8);
          expect(got.best, label).toEqual(want.best);
          expect(got.bestStep, label).toEqual(want.bestStep);
          expect(got.histogram, label).toEqual(want.histogram);
          // houghLines passes its own offsets: its histogram is the same.
          expect(houghLines(e, vertical ? 'vertical' : 'horizontal', 1).histogram, label).toEqual(want.histogram);
        }
    }
  });

  it('makes the same step maps and runs as the JavaScript pass', () => {
    for (const p of planes) expect(edgeKernels().stepMaps(p, 14, 2)).toEqual(referenceStepMaps(p));
  });
});

describe('edge kernels: the resident edge lists', () => {
  it('are not taken for an earlier pass after a direct edge pass of another plane overwrote them', () => {
    const a = plane(64, 48, 1);
    const b = plane(64, 48, 2);
    const want = [...houghLines(edgesOf(a), 'horizontal', 3).histogram];
    const edgesA = edgesOf(a);
    // The kernel's own edge pass, which does not mark its lists as any EdgeSet's.
    edgeKernels().sobelEdges(b, 48);
    expect([...houghLines(edgesA, 'horizontal', 3).histogram]).toEqual(want);
  });
});
