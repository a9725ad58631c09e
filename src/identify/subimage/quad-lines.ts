import { edgeKernels } from './edge-kernels.js';
import type { LowRes } from './low-res.js';
import { MAX_ANGLE, SLOPES } from './quad-steps.js';

/**
 * Straight lines a few degrees off the axes in the low-resolution plane: the sides of a picture
 * that was turned, photographed at an angle or shown on a screen. A Hough transform restricted to
 * small angles, in which each edge pixel votes only for angles near its own gradient direction, so
 * a textured photo costs a few votes per edge pixel rather than one per angle.
 */

/** Angles (in steps) either side of a pixel's own gradient direction it votes for: its direction is that noisy. */
const VOTE_SPREAD = 8;
/** Sobel magnitude that counts as an edge: a luma step of about 12 across two pixels (Sobel weighs 4). */
const MIN_GRADIENT = 48;
/** Most lines kept per axis, strongest first. */
const MAX_LINES = 10;

/**
 * A straight line near one axis. `horizontal`: y = at + slope (x - cx), cx the plane's centre
 * column; `vertical`: x = at + slope (y - cy). In continuous coordinates (pixel i covers [i, i + 1)).
 */
export interface Line {
  axis: 'horizontal' | 'vertical';
  at: number;
  slope: number;
  /** Edge pixels on it (its votes). */
  votes: number;
  /**
   * Prefix sums along the line's axis of "an edge of the line's direction within a pixel of it":
   * `cover[i + 1] - cover[i]` is 1 where column (row) i of the line is an edge.
   */
  cover: Uint16Array;
}

/** Edges of a plane split by direction, with each pixel's own angle step. */
export interface Edges {
  width: number;
  height: number;
  /** Per pixel: 0 no edge, else 1 + the angle step of a near-horizontal edge. */
  horizontal: Uint8Array;
  /** Per pixel: 0 no edge, else 1 + the angle step of a near-vertical edge (slope dx/dy). */
  vertical: Uint8Array;
  /**
   * The pixels (indices) of each map that are edges, in memory order: a fifth of a photo's pixels
   * are, and the line transform read every pixel of both maps to find them.
   */
  horizontalAt: Int32Array;
  verticalAt: Int32Array;
}

/**
 * Sobel edges of the plane whose direction is within MAX_ANGLE of an axis: a pixel whose gradient
 * (|gx| + |gy|) is at least MIN_GRADIENT is a near-horizontal edge where |gx| <= EDGE_LIMIT |gy|,
 * its step that of the slope -gx / gy (stepOf), or likewise a near-vertical one. In WebAssembly
 * (edge-kernels.ts): in JavaScript this pass was 0.54 CPU-ms of an unrelated image's search.
 */
export function edgesOf(plane: LowRes): Edges {
  const kernels = edgeKernels();
  const edges: Edges = { width: plane.width, height: plane.height, ...kernels.sobelEdges(plane, MIN_GRADIENT) };
  // Its lists stay in the module's memory for the two line transforms that follow.
  kernels.keep(edges);
  return edges;
}

/**
 * The strongest lines along one axis (at most MAX_LINES, each at least `minVotes` edge pixels), and
 * the votes per angle over the whole plane (`histogram`), whose peak is the turn of a picture that
 * fills the query. Accumulated in the transposed frame for vertical lines, so both axes share code.
 */
export function houghLines(edges: Edges, axis: Line['axis'], minVotes: number): { lines: Line[]; histogram: Float64Array } {
  const vertical = axis === 'vertical';
  const along = vertical ? edges.height : edges.width;
  const across = vertical ? edges.width : edges.height;
  const map = vertical ? edges.vertical : edges.horizontal;
  const centre = along / 2;
  const margin = Math.ceil(Math.tan((MAX_ANGLE * Math.PI) / 180) * centre) + 1;
  const bins = across + 2 * margin;
  // Each edge pixel votes for the steps within VOTE_SPREAD of its own, in the map's memory order;
  // then per position its best angle, and per angle how concentrated its votes are (the sum of
  // their squares: straight lines at that angle). In WebAssembly (edge-kernels.ts): 0.6 CPU-ms of an
  // unrelated image in JavaScript. Position p votes at step s for the bin
  // floor(q + 0.5 - SLOPES[s] * (p + 0.5 - centre)) + margin: q further than position 0 across
  // would, since q is an integer (checked exhaustively in double arithmetic for every dp, a
  // multiple of 0.5 up to 160, and q below 320: no rounding differs), so the kernel adds q to a
  // per-position offset (its lineVotes).
  const { best, bestStep, histogram } = edgeKernels().lineVotes(edges, vertical, bins, margin, VOTE_SPREAD);
  // Positions that are the strongest within 3 of their neighbours.
  const peaks: { bin: number; votes: number }[] = [];
  for (let b = 0; b < bins; b++) {
    const v = best[b]!;
    if (v < minVotes) continue;
    let top = true;
    for (let d = -3; d <= 3 && top; d++) if (d !== 0 && b + d >= 0 && b + d < bins && (best[b + d]! > v || (best[b + d] === v && d < 0))) top = false;
    if (top) peaks.push({ bin: b, votes: v });
  }
  peaks.sort((a, b) => b.votes - a.votes || a.bin - b.bin);
  const lines = peaks.slice(0, MAX_LINES).map(({ bin, votes }) => {
    const slope = SLOPES[bestStep[bin]!]!;
    const at = bin - margin + 0.5;
    return { axis, at, slope, votes, cover: coverOf(map, edges.width, along, across, vertical, at, slope, centre) };
  });
  return { lines, histogram };
}

/** Prefix sums of edge presence within a pixel of the line, along it (Line.cover); off the plane counts as edge. */
function coverOf(map: Uint8Array, width: number, along: number, across: number, vertical: boolean, at: number, slope: number, centre: number): Uint16Array {
  const cover = new Uint16Array(along + 1);
  for (let p = 0; p < along; p++) {
    const q = Math.floor(at + slope * (p + 0.5 - centre));
    // Beyond the frame counts as edge: a picture seen at an angle may run off the query there.
    let on = q < 0 || q >= across ? 1 : 0;
    for (let d = -1; d <= 1 && !on; d++) {
      const qq = q + d;
      if (qq >= 0 && qq < across && map[vertical ? p * width + qq : qq * width + p]! !== 0) on = 1;
    }
    cover[p + 1] = cover[p]! + on;
  }
  return cover;
}
