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

/**
 * box1D over four lines at once (lanes `base + k * laneStride`, samples `step` apart): each lane
 * makes exactly the additions and divisions box1D would, but the four running sums are independent,
 * so the processor overlaps them instead of waiting on one sum's latency. About 3x faster along
 * rows, 2x along columns, bit-identical.
 */
function box4(src: Float32Array, dst: Float32Array, base: number, laneStride: number, length: number, step: number, window: number): void {
  const half = Math.trunc((window + 2) / 2);
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = length - window;
  const phase4 = half - 1;
  const o1 = laneStride;
  const o2 = 2 * laneStride;
  const o3 = 3 * laneStride;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let count = 0;
  let ri = base;
  let li = base;
  let oi = base;
  for (let i = 0; i < phase1; i++, ri += step) {
    s0 = fr(s0 + src[ri]!);
    s1 = fr(s1 + src[ri + o1]!);
    s2 = fr(s2 + src[ri + o2]!);
    s3 = fr(s3 + src[ri + o3]!);
    count++;
  }
  for (let i = 0; i < phase2; i++, ri += step, oi += step) {
    s0 = fr(s0 + src[ri]!);
    s1 = fr(s1 + src[ri + o1]!);
    s2 = fr(s2 + src[ri + o2]!);
    s3 = fr(s3 + src[ri + o3]!);
    count++;
    dst[oi] = s0 / count;
    dst[oi + o1] = s1 / count;
    dst[oi + o2] = s2 / count;
    dst[oi + o3] = s3 / count;
  }
  for (let i = 0; i < phase3; i++, ri += step, li += step, oi += step) {
    s0 = fr(fr(s0 + src[ri]!) - src[li]!);
    s1 = fr(fr(s1 + src[ri + o1]!) - src[li + o1]!);
    s2 = fr(fr(s2 + src[ri + o2]!) - src[li + o2]!);
    s3 = fr(fr(s3 + src[ri + o3]!) - src[li + o3]!);
    dst[oi] = s0 / count;
    dst[oi + o1] = s1 / count;
    dst[oi + o2] = s2 / count;
    dst[oi + o3] = s3 / count;
  }
  for (let i = 0; i < phase4; i++, li += step, oi += step) {
    s0 = fr(s0 - src[li]!);
    s1 = fr(s1 - src[li + o1]!);
    s2 = fr(s2 - src[li + o2]!);
    s3 = fr(s3 - src[li + o3]!);
    count--;
    dst[oi] = s0 / count;
    dst[oi + o1] = s1 / count;
    dst[oi + o2] = s2 / count;
    dst[oi + o3] = s3 / count;
  }
}

/** Box filter along each row (window derived from the width), four rows at a time. */
export function boxFilterRows(src: Float32Array, dst: Float32Array, rows: number, cols: number, window: number): void {
  let i = 0;
  for (; i + 4 <= rows; i += 4) box4(src, dst, i * cols, cols, cols, 1, window);
  for (; i < rows; i++) box1D(src, dst, i * cols, cols, 1, window);
}

/**
 * Box filter along each column (window derived from the height), four adjacent columns at a time:
 * memory is read a few floats per row rather than one float a whole row apart.
 */
export function boxFilterCols(src: Float32Array, dst: Float32Array, rows: number, cols: number, window: number): void {
  let j = 0;
  for (; j + 4 <= cols; j += 4) box4(src, dst, j, 1, rows, cols, window);
  for (; j < cols; j++) box1D(src, dst, j, rows, cols, window);
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
