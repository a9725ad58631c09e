/**
 * The Jarosz tent filter of ThreatExchange `downscaling.cpp`: repeated running-sum box filters, in
 * float32 (each add, subtract and divide rounded with Math.fround so the sums drift exactly like the
 * C++ ones).
 */

const fr = Math.fround;

/** `(old + 2*64 - 1) / (2*64)` in integer arithmetic, i.e. ceil(old / 128). */
export const jaroszWindow = (oldDimension: number): number => Math.trunc((oldDimension + 127) / 128);

/**
 * One box filter over `length` samples spaced `stride` apart. The window leans right for even sizes
 * and shrinks at the edges, dividing by the number of samples actually summed.
 */
function box1D(src: Float32Array, dst: Float32Array, start: number, length: number, stride: number, window: number): void {
  const half = Math.trunc((window + 2) / 2);
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = length - window;
  const phase4 = half - 1;
  let li = start;
  let ri = start;
  let oi = start;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < phase1; i++) {
    sum = fr(sum + src[ri]!);
    count++;
    ri += stride;
  }
  for (let i = 0; i < phase2; i++) {
    sum = fr(sum + src[ri]!);
    count++;
    dst[oi] = sum / count;
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < phase3; i++) {
    sum = fr(sum + src[ri]!);
    sum = fr(sum - src[li]!);
    dst[oi] = sum / count;
    li += stride;
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < phase4; i++) {
    sum = fr(sum - src[li]!);
    count--;
    dst[oi] = sum / count;
    li += stride;
    oi += stride;
  }
}

/** Box filter along each row (window derived from the width). */
export function boxFilterRows(src: Float32Array, dst: Float32Array, rows: number, cols: number, window: number): void {
  for (let i = 0; i < rows; i++) box1D(src, dst, i * cols, cols, 1, window);
}

/**
 * Box filter along each column (window derived from the height). All columns advance together row
 * by row, with one float32 running sum per column: each column sees exactly the additions and
 * divisions `box1D` would make, but memory is read in row order instead of striding a row apart.
 */
export function boxFilterCols(src: Float32Array, dst: Float32Array, rows: number, cols: number, window: number): void {
  const half = Math.trunc((window + 2) / 2);
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = rows - window;
  const phase4 = half - 1;
  const sums = new Float32Array(cols);
  let li = 0;
  let ri = 0;
  let oi = 0;
  let count = 0;
  for (let i = 0; i < phase1; i++, ri++) {
    for (let j = 0, p = ri * cols; j < cols; j++) sums[j] = sums[j]! + src[p + j]!;
    count++;
  }
  for (let i = 0; i < phase2; i++, ri++, oi++) {
    count++;
    for (let j = 0, p = ri * cols, o = oi * cols; j < cols; j++) {
      const s = fr(sums[j]! + src[p + j]!);
      sums[j] = s;
      dst[o + j] = s / count;
    }
  }
  for (let i = 0; i < phase3; i++, ri++, li++, oi++) {
    for (let j = 0, p = ri * cols, q = li * cols, o = oi * cols; j < cols; j++) {
      sums[j] = sums[j]! + src[p + j]!;
      const s = fr(sums[j]! - src[q + j]!);
      sums[j] = s;
      dst[o + j] = s / count;
    }
  }
  for (let i = 0; i < phase4; i++, li++, oi++) {
    count--;
    for (let j = 0, q = li * cols, o = oi * cols; j < cols; j++) {
      const s = fr(sums[j]! - src[q + j]!);
      sums[j] = s;
      dst[o + j] = s / count;
    }
  }
}

/** Box-filter passes per axis in the Jarosz tent filter (`PDQ_NUM_JAROSZ_XY_PASSES`). */
const JAROSZ_PASSES = 2;

/**
 * PDQ's tent filter over a `width` x `height` luma plane, in place (`tmp` is scratch of the same
 * size): windows from the plane's own dimensions, rows then columns, twice.
 */
export function jaroszFilter(luma: Float32Array, tmp: Float32Array, width: number, height: number): void {
  const winRows = jaroszWindow(width);
  const winCols = jaroszWindow(height);
  for (let pass = 0; pass < JAROSZ_PASSES; pass++) {
    boxFilterRows(luma, tmp, height, width, winRows);
    boxFilterCols(tmp, luma, height, width, winCols);
  }
}
