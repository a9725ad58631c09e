import { ANGLES, MAX_ANGLE } from './quad-steps.js';

/**
 * Where the edge kernels' buffers lie in their WebAssembly memory (edge-kernels.ts): after the
 * slope tables, every buffer one plane size needs, each 16-byte aligned, laid out again only when
 * the plane's size changes.
 */

/** `n` rounded up to a multiple of 16 bytes. */
export const align = (n: number): number => (n + 15) & ~15;

/** Byte offsets of the buffers of one plane size (w x h). */
export interface Layout {
  w: number;
  h: number;
  luma: number;
  horizontal: number;
  vertical: number;
  hAt: number;
  vAt: number;
  /** The edge pass' scratch: pixels over the gradient threshold and their gradients. */
  candidates: number;
  gxs: number;
  gys: number;
  rowEdges: number;
  colEdges: number;
  rowRuns: number;
  colRuns: number;
  colStart: number;
  colLast: number;
  /** The vote offsets of horizontal lines (along w), then of vertical ones (along h). */
  offsets: number;
  offsetsDown: number;
  acc: number;
  best: number;
  bestStep: number;
  histogram: number;
  counts: number;
}

/** The widest line accumulator of a plane whose longer side is `side` (quad-lines.ts houghLines: bins). */
export function widestBins(side: number): number {
  return side + 2 * (Math.ceil(Math.tan((MAX_ANGLE * Math.PI) / 180) * (side / 2)) + 1);
}

/** The buffers of a w x h plane laid out from byte `from`, and the byte past the last. */
export function bufferLayout(w: number, h: number, from: number): { layout: Layout; end: number } {
  const n = w * h;
  const bins = widestBins(Math.max(w, h));
  let p = from;
  const take = (bytes: number) => {
    const at = p;
    p += align(bytes);
    return at;
  };
  const layout: Layout = {
    w,
    h,
    luma: take(4 * n),
    horizontal: take(n),
    vertical: take(n),
    hAt: take(4 * n),
    vAt: take(4 * n),
    candidates: take(4 * n),
    gxs: take(4 * n),
    gys: take(4 * n),
    rowEdges: take(n),
    colEdges: take(n),
    rowRuns: take(4 * h),
    colRuns: take(4 * w),
    colStart: take(4 * w),
    colLast: take(4 * w),
    offsets: take(4 * w * ANGLES),
    offsetsDown: take(4 * h * ANGLES),
    acc: take(2 * ANGLES * bins),
    best: take(2 * bins),
    bestStep: take(2 * bins),
    histogram: take(8 * ANGLES),
    counts: take(16),
  };
  return { layout, end: p };
}
