// The sub-image search's edge passes in WebAssembly (AssemblyScript; compiled by scripts/build.js,
// driven by ../edge-kernels.ts): the Sobel edges near the axes and the line transform's votes
// (../quad-lines.ts), and the rectangles' step maps and runs (../rectangles.ts). They are those
// JavaScript loops step for step, in the same double arithmetic on the same float32 plane, so every
// map, list, count and sum is the same; in JavaScript they were about 2 of the search's ~5 ms on an
// image with no agency content (scripts/bench/subimage-steps.js).
//
// Memory is laid out by the caller; every pointer here is a byte offset.

/** Where the caller may start laying out its buffers: after this module's own static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * The accumulator step of a slope (quad-steps.ts stepOf): the bucket's first step (`starts`, u8 a
 * bucket) and the thresholds above it (`thresholds`, f64 a step).
 */
// @ts-ignore: decorator
@inline
function stepOf(slope: f64, starts: usize, buckets: i32, scale: f64, limit: f64, thresholds: usize, angles: i32): i32 {
  let b = Math.floor((slope + limit) * scale);
  if (b < 0) b = 0;
  if (b > <f64>(buckets - 1)) b = <f64>(buckets - 1);
  let s = <i32>load<u8>(starts + <usize>(<i32>b));
  while (s < angles - 1 && slope >= load<f64>(thresholds + (<usize>(s + 1) << 3))) s++;
  return s;
}

/**
 * Sobel edges of `luma` (f32, w x h) within the edge limit of an axis (quad-lines.ts edgesOf): per
 * pixel 0 or 1 + its step in `horizontal` / `vertical` (bytes, zeroed here), and the edge pixels'
 * indices in memory order in `hAt` / `vAt` (i32). Writes the two counts (i32) at `counts`.
 */
export function sobelEdges(
  luma: usize, w: i32, h: i32, horizontal: usize, vertical: usize, hAt: usize, vAt: usize,
  starts: usize, buckets: i32, scale: f64, limit: f64, thresholds: usize, angles: i32, minGradient: f64, counts: usize,
): void {
  memory.fill(horizontal, 0, <usize>(w * h));
  memory.fill(vertical, 0, <usize>(w * h));
  let nh = 0;
  let nv = 0;
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    const a = luma + (<usize>(row - w) << 2);
    const m = luma + (<usize>row << 2);
    const b = luma + (<usize>(row + w) << 2);
    let s0: f64 = <f64>load<f32>(a) + 2 * <f64>load<f32>(m) + <f64>load<f32>(b);
    let d0: f64 = <f64>load<f32>(b) - <f64>load<f32>(a);
    let s1: f64 = <f64>load<f32>(a + 4) + 2 * <f64>load<f32>(m + 4) + <f64>load<f32>(b + 4);
    let d1: f64 = <f64>load<f32>(b + 4) - <f64>load<f32>(a + 4);
    for (let x = 1; x < w - 1; x++) {
      const o = <usize>(x + 1) << 2;
      const up = <f64>load<f32>(a + o);
      const down = <f64>load<f32>(b + o);
      const s2 = up + 2 * <f64>load<f32>(m + o) + down;
      const d2 = down - up;
      const gx = s2 - s0;
      const gy = d0 + 2 * d1 + d2;
      s0 = s1;
      s1 = s2;
      d0 = d1;
      d1 = d2;
      const ax = Math.abs(gx);
      const ay = Math.abs(gy);
      if (ax + ay < minGradient) continue;
      const i = row + x;
      if (ax <= limit * ay) {
        store<u8>(horizontal + <usize>i, 1 + stepOf(-gx / gy, starts, buckets, scale, limit, thresholds, angles));
        store<i32>(hAt + (<usize>nh << 2), i);
        nh++;
      } else if (ay <= limit * ax) {
        store<u8>(vertical + <usize>i, 1 + stepOf(-gy / gx, starts, buckets, scale, limit, thresholds, angles));
        store<i32>(vAt + (<usize>nv << 2), i);
        nv++;
      }
    }
  }
  store<i32>(counts, nh);
  store<i32>(counts + 4, nv);
}

/**
 * The line transform of one axis (quad-lines.ts houghLines): each of the `n` edge pixels at `at`
 * (i32 indices into `map`, a plane `width` wide) votes for the angle steps within `spread` of its
 * own, at accumulator (u16, `angles` x `bins`, zeroed here) index offsets[p * angles + s] + q;
 * then per bin its most voted step (`best`, `bestStep`: u16 a bin) and per step the sum of its
 * squared votes (`histogram`: f64 a step).
 */
export function lineVotes(
  at: usize, n: i32, map: usize, width: i32, vertical: bool, offsets: usize, acc: usize, angles: i32, bins: i32, spread: i32,
  best: usize, bestStep: usize, histogram: usize,
): void {
  memory.fill(acc, 0, <usize>(angles * bins) << 1);
  for (let k = 0; k < n; k++) {
    const i = load<i32>(at + (<usize>k << 2));
    const e = <i32>load<u8>(map + <usize>i);
    const r = i / width;
    const p = vertical ? r : i - r * width;
    const q = vertical ? i - r * width : r;
    const from = max(0, e - 1 - spread);
    const to = min(angles - 1, e - 1 + spread);
    let o = offsets + (<usize>(p * angles + from) << 2);
    for (let s = from; s <= to; s++, o += 4) {
      const v = acc + (<usize>(load<i32>(o) + q) << 1);
      store<u16>(v, load<u16>(v) + 1);
    }
  }
  memory.fill(best, 0, <usize>bins << 1);
  memory.fill(bestStep, 0, <usize>bins << 1);
  for (let s = 0; s < angles; s++) {
    let squares: f64 = 0;
    const row = acc + (<usize>(s * bins) << 1);
    for (let b = 0; b < bins; b++) {
      const v = load<u16>(row + (<usize>b << 1));
      squares += <f64>v * <f64>v;
      if (v > load<u16>(best + (<usize>b << 1))) {
        store<u16>(best + (<usize>b << 1), v);
        store<u16>(bestStep + (<usize>b << 1), <u16>s);
      }
    }
    store<f64>(histogram + (<usize>s << 3), squares);
  }
}

/**
 * The rectangles' luma step maps and longest runs (rectangles.ts edgeMaps): `rowEdges` [row * w + x]
 * and `colEdges` [col * h + y] (bytes, zeroed here), `rowRuns` (i32 a row) and `colRuns` (i32 a
 * column; `colStart` and `colLast` i32 a column of scratch).
 */
export function stepMaps(
  luma: usize, w: i32, h: i32, step: f64, gap: i32, rowEdges: usize, colEdges: usize, rowRuns: usize, colRuns: usize, colStart: usize, colLast: usize,
): void {
  memory.fill(rowEdges, 0, <usize>(w * h));
  memory.fill(colEdges, 0, <usize>(w * h));
  memory.fill(colRuns, 0, <usize>w << 2);
  memory.fill(colStart, 0xff, <usize>w << 2);
  memory.fill(colLast, 0xff, <usize>w << 2);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const across = y > 0 && y < h - 1;
    let start = -1;
    let last = -1;
    let longest = 0;
    for (let x = 0; x < w; x++) {
      if (across && Math.abs(<f64>load<f32>(luma + (<usize>(row + w + x) << 2)) - <f64>load<f32>(luma + (<usize>(row - w + x) << 2))) >= step) {
        store<u8>(rowEdges + <usize>(row + x), 1);
        if (start < 0 || x - last > gap + 1) start = x;
        last = x;
        if (last - start + 1 > longest) longest = last - start + 1;
      }
      if (x > 0 && x < w - 1 && Math.abs(<f64>load<f32>(luma + (<usize>(row + x + 1) << 2)) - <f64>load<f32>(luma + (<usize>(row + x - 1) << 2))) >= step) {
        store<u8>(colEdges + <usize>(x * h + y), 1);
        const cs = colStart + (<usize>x << 2);
        const cl = colLast + (<usize>x << 2);
        if (load<i32>(cs) < 0 || y - load<i32>(cl) > gap + 1) store<i32>(cs, y);
        store<i32>(cl, y);
        const run = y - load<i32>(cs) + 1;
        const cr = colRuns + (<usize>x << 2);
        if (run > load<i32>(cr)) store<i32>(cr, run);
      }
    }
    store<i32>(rowRuns + (<usize>y << 2), longest);
  }
}
