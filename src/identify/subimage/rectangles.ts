import type { Rect } from '../pdq/pdq-hasher.js';
import type { RegionFinder } from './candidate.js';
import { edgeKernels } from './edge-kernels.js';
import type { LowRes } from './low-res.js';
import { TOO_SMALL_SIDE } from './too-small.js';

/**
 * Axis-aligned rectangles in a query that look like a picture placed inside it: a window of a
 * viewer in a screenshot, a cell of a contact sheet or collage. Such a picture ends at straight
 * edges across its whole side, which natural scenes rarely draw on all four sides of one box; so a
 * candidate is a pair of long straight horizontal edges with the same ends whose vertical sides
 * are edges too (or the same with the axes swapped). Everything runs on the low-resolution plane.
 */

/** Luma step (0-255, across two low-resolution pixels) that counts as an edge. */
const EDGE_STEP = 14;
/** Edge pixels a straight run may skip (where the picture's edge matches its surround). */
const RUN_GAP = 2;
/** Shortest side of a candidate, as a share of the query's side along it. */
export const MIN_SIDE_SHARE = 0.12;
/**
 * Shortest side of a candidate in query pixels, and shortest longer side (TOO_SMALL_SIDE): a region
 * smaller than that cannot be decided by the matcher (too-small.ts), so looking for it only costs.
 * In a 100 px thumbnail the share alone admitted 12 px boxes by the hundred, and the box search
 * cost six times the whole-image match.
 */
const MIN_REGION_SIDE = 24;
/** Share of a candidate's crossing sides that must be edge pixels. */
const SIDE_COVERAGE = 0.8;
/** Candidates spanning at least this share of both query sides are the whole image, which the first stage saw. */
const WHOLE_SHARE = 0.9;
/** Most candidates returned (largest first): a 3x3 contact sheet has nine cells. */
export const MAX_CANDIDATES = 12;

/** Most straight-line positions per axis kept (longest first): bounds the rectangle search. */
const MAX_LINES = 28;

/** Candidate rectangles in low-resolution pixels (inQuery maps them), most clearly framed first, near-duplicates merged. */
export function findRectangles(plane: LowRes): Rect[] {
  const { width: w, height: h } = plane;
  const minW = Math.ceil(Math.max(w * MIN_SIDE_SHARE, MIN_REGION_SIDE / plane.scaleX));
  const minH = Math.ceil(Math.max(h * MIN_SIDE_SHARE, MIN_REGION_SIDE / plane.scaleY));
  const { rowEdges, colEdges, rowRuns, colRuns } = edgeMaps(plane);
  const horizontal: Sides = { spread: new LineSums(rowEdges, w, h, 1), exact: new LineSums(rowEdges, w, h, 0) };
  const vertical: Sides = { spread: new LineSums(colEdges, h, w, 1), exact: new LineSums(colEdges, h, w, 0) };
  const minLonger = TOO_SMALL_SIDE;
  // Every rectangle whose four sides lie on straight lines: a window's frame, the cells of a grid
  // (whose collinear edges merge into one line across the sheet when the gutter is thin).
  const ys = lines(rowRuns, minW);
  const xs = lines(colRuns, minH);
  const nx = xs.length;
  const ny = ys.length;
  // Each side's score (a line, its span between two crossing lines, which way is out) is computed
  // when a box first needs it and kept; boxes are only formed from left and right sides that pass,
  // so an image without framed content (few sides pass) scores a few hundred sides, not all of them.
  const top = memo(ny * nx * nx);
  const bottom = memo(ny * nx * nx);
  const left = memo(nx * ny * ny);
  const right = memo(nx * ny * ny);
  const horizontalSide = (table: Float32Array, at: number, out: -1 | 1, c: number, d: number) => {
    const k = (at * nx + c) * nx + d;
    if (Number.isNaN(table[k]!)) table[k] = side(horizontal, ys[at]!, out, xs[c]!, xs[d]!);
    return table[k]!;
  };
  const verticalSide = (table: Float32Array, at: number, out: -1 | 1, a: number, b: number) => {
    const k = (at * ny + a) * ny + b;
    if (Number.isNaN(table[k]!)) table[k] = side(vertical, xs[at]!, out, ys[a]!, ys[b]!);
    return table[k]!;
  };
  const found: Box[] = [];
  const lefts: number[] = [];
  const rights: number[] = [];
  for (let a = 0; a < ny; a++) {
    for (let b = a + 1; b < ny; b++) {
      if (ys[b]! - ys[a]! < minH) continue;
      lefts.length = 0;
      rights.length = 0;
      for (let c = 0; c < nx; c++) if (verticalSide(left, c, -1, a, b) >= SIDE_COVERAGE) lefts.push(c);
      if (lefts.length === 0) continue;
      for (let d = lefts[0]! + 1; d < nx; d++) if (verticalSide(right, d, 1, a, b) >= SIDE_COVERAGE) rights.push(d);
      for (const c of lefts) {
        for (const d of rights) {
          if (d <= c || xs[d]! - xs[c]! < minW) continue;
          if (Math.max((xs[d]! - xs[c]!) * plane.scaleX, (ys[b]! - ys[a]!) * plane.scaleY) < minLonger) continue;
          const t = horizontalSide(top, a, -1, c, d);
          if (t < SIDE_COVERAGE) continue;
          const score = Math.min(left[(c * ny + a) * ny + b]!, t, horizontalSide(bottom, b, 1, c, d), right[(d * ny + a) * ny + b]!);
          if (score >= SIDE_COVERAGE) found.push({ x0: xs[c]!, y0: ys[a]!, x1: xs[d]!, y1: ys[b]!, score });
        }
      }
    }
  }
  const distinct: Box[] = [];
  for (const box of found.sort((a, b) => b.score - a.score || area(b) - area(a) || a.y0 - b.y0 || a.x0 - b.x0)) {
    if (box.x1 - box.x0 >= WHOLE_SHARE * w && box.y1 - box.y0 >= WHOLE_SHARE * h) continue;
    if (distinct.some((d) => near(d, box, w, h))) continue;
    distinct.push(box);
    if (distinct.length === MAX_CANDIDATES) break;
  }
  return distinct.map((b) => ({ x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 }));
}

/** findRectangles of a plane, found once for every finder that reads them (rectangles, grid cells). */
const found = new WeakMap<LowRes, Rect[]>();
export function rectanglesOf(plane: LowRes): Rect[] {
  let rects = found.get(plane);
  if (!rects) found.set(plane, (rects = findRectangles(plane)));
  return rects;
}

/** The region finder of framed rectangles (method `rectangle`), in query pixels. */
export const framedRectangles: RegionFinder = (_image, plane) =>
  rectanglesOf(plane).map((r) => ({ method: 'rectangle', region: inQuery(r, plane), rotation: 0, skew: 0 }));

/** A rectangle of the low-resolution plane in query pixels. */
export function inQuery(r: Rect, plane: LowRes): Rect {
  const x = Math.round(r.x * plane.scaleX);
  const y = Math.round(r.y * plane.scaleY);
  return { x, y, width: Math.round((r.x + r.width) * plane.scaleX) - x, height: Math.round((r.y + r.height) * plane.scaleY) - y };
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** The least edge coverage of its four sides (0-1): how sure the box is a picture's frame. */
  score: number;
}

const area = (b: Box) => (b.x1 - b.x0) * (b.y1 - b.y0);

/** Two boxes whose every edge is within 2% of the side (one picture found twice). */
function near(a: Box, b: Box, w: number, h: number): boolean {
  const dx = Math.max(2, 0.02 * w);
  const dy = Math.max(2, 0.02 * h);
  return Math.abs(a.x0 - b.x0) <= dx && Math.abs(a.x1 - b.x1) <= dx && Math.abs(a.y0 - b.y0) <= dy && Math.abs(a.y1 - b.y1) <= dy;
}

/** Luma step maps of a plane and the longest straight run of edge pixels along each of their lines. */
interface EdgeMaps {
  /** Where a pixel differs from the one two rows away (an edge running across), indexed [row * w + x]. */
  rowEdges: Uint8Array;
  /** The same across columns, indexed transposed [col * h + y] so both scan alike. */
  colEdges: Uint8Array;
  /** Per row, the longest run of edge pixels (gaps of at most RUN_GAP bridged); 0 on the first and last. */
  rowRuns: Int32Array;
  /** The same per column. */
  colRuns: Int32Array;
}

/**
 * Both edge maps and their longest runs in one pass over the plane, row by row (a column's run is
 * followed across the rows in per-column state). In WebAssembly (edge-kernels.ts): in JavaScript
 * this pass was most of the rectangles' 0.97 CPU-ms on an unrelated image.
 */
function edgeMaps(plane: LowRes): EdgeMaps {
  return edgeKernels().stepMaps(plane, EDGE_STEP, RUN_GAP);
}

/**
 * Positions of straight lines: lines whose longest run of edge pixels is at least `minLength`,
 * adjacent positions (one edge seen by two rows of the central difference) merged to the longest,
 * and the MAX_LINES longest kept, in position order.
 */
function lines(runs: Int32Array, minLength: number): number[] {
  const merged: { at: number; length: number }[] = [];
  for (let at = 1; at < runs.length - 1; at++) {
    const len = runs[at]!;
    if (len < minLength) continue;
    const last = merged[merged.length - 1];
    if (last && at - last.at <= 1) {
      if (len > last.length) merged[merged.length - 1] = { at, length: len };
    } else merged.push({ at, length: len });
  }
  return merged
    .sort((a, b) => b.length - a.length || a.at - b.at)
    .slice(0, MAX_LINES)
    .map((l) => l.at)
    .sort((a, b) => a - b);
}

/** A score table whose entries are computed on first use (NaN: not yet). */
const memo = (size: number) => new Float32Array(size).fill(Number.NaN);

/**
 * Prefix sums, per line of a line-major edge bitmap, of "an edge pixel on this line" (`spread` 0)
 * or "on this line or a neighbouring one" (`spread` 1: an edge a pixel off its line still counts):
 * the coverage of any span of a line in constant time. Made per line when first asked: the sides
 * only ever look at the straight lines and the few lines outside them.
 */
class LineSums {
  private readonly sums: (Uint16Array | undefined)[];

  constructor(
    private readonly map: Uint8Array,
    private readonly length: number,
    readonly count: number,
    private readonly spread: 0 | 1,
  ) {
    this.sums = new Array(count);
  }

  /** The share of [from, to) along line `at` that is edge. */
  coverage(at: number, from: number, to: number): number {
    const sums = this.sums[at] ?? this.make(at);
    return (sums[to]! - sums[from]!) / (to - from);
  }

  private make(at: number): Uint16Array {
    const { map, length, count, spread } = this;
    const sums = new Uint16Array(length + 1);
    // The line's neighbours, where spread and present (else the line itself again: or-ing it twice
    // changes nothing), so the loop has no test per pixel: made for every straight line and the
    // lines outside it, this was a seventh of the rectangles' time.
    const row = at * length;
    const above = spread && at > 0 ? row - length : row;
    const below = spread && at < count - 1 ? row + length : row;
    let sum = 0;
    for (let i = 0; i < length; i++) {
      sum += map[row + i]! | map[above + i]! | map[below + i]!;
      sums[i + 1] = sum;
    }
    this.sums[at] = sums;
    return sums;
  }
}

/** Lines outside a side (beyond the edge's own spread) whose quiet is checked. */
const OUTSIDE = [2, 3, 4];
/** Edge share on an outside line above which it is texture, not a window's surround or a gutter. */
const QUIET_OUTSIDE = 0.5;

/**
 * How well line `at` over [from, to) frames a picture: its edge coverage, or 0 when none of the
 * lines just outside it (direction `out`) is quiet. In a textured photo every line is covered by
 * chance edges, and tens of thousands of boxes would pass on coverage alone; a picture placed in a
 * viewer or on a sheet has the canvas, chrome or gutter around it, which has few edges along it.
 * A side on the query's own border counts as quiet outside. The surround is judged on exact
 * lines: a gutter a few pixels wide is quiet although both its edges spread into it.
 */
function side(sums: Sides, at: number, out: -1 | 1, from: number, to: number): number {
  // A side covered less than SIDE_COVERAGE fails whatever its surround (every caller compares with
  // it): its surround is only read for sides that pass, a few in a photo without framed content.
  const coverage = sums.spread.coverage(at, from, to);
  if (coverage < SIDE_COVERAGE) return coverage;
  for (const d of OUTSIDE) {
    const line = at + out * d;
    if (line < 0 || line >= sums.exact.count || sums.exact.coverage(line, from, to) < QUIET_OUTSIDE) return coverage;
  }
  return 0;
}

/** Coverage sums of one edge direction: with a pixel's spread (sides) and exact (their surround). */
interface Sides {
  spread: LineSums;
  exact: LineSums;
}
