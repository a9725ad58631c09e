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
 * bucket) and at most two thresholds above it (`thresholds`, f64 a step, +Infinity after the last):
 * a bucket is narrower than a step, and its first step is one below its lower edge's (checked for
 * every bucket: no slope needs a third). Without a loop, so without a mispredicted exit.
 */
// @ts-ignore: decorator
@inline
function stepOf(slope: f64, starts: usize, buckets: i32, scale: f64, limit: f64, thresholds: usize): i32 {
  let b = Math.floor((slope + limit) * scale);
  b = min(max(b, 0), <f64>(buckets - 1));
  let s = <i32>load<u8>(starts + <usize>(<i32>b));
  s += <i32>(slope >= load<f64>(thresholds + (<usize>(s + 1) << 3)));
  s += <i32>(slope >= load<f64>(thresholds + (<usize>(s + 1) << 3)));
  return s;
}

/**
 * Sobel edges of `luma` (f32, w x h) within the edge limit of an axis (quad-lines.ts edgesOf): per
 * pixel 0 or 1 + its step in `horizontal` / `vertical` (bytes, zeroed here), and the edge pixels'
 * indices in memory order in `hAt` / `vAt` (i32). Writes the two counts (i32) at `counts`.
 *
 * In two passes, neither branching on a pixel: in a photo a fifth of the pixels are edges, at
 * random, and a branch per pixel and per edge cost most of the 0.5 CPU-ms a plane. First the
 * gradients four pixels at a time in float32 (sums of at most four multiples of 1/1024 below 256,
 * exact in float32 as in double), every pixel at or over `minGradient` listed with its gradient
 * (`candidates`, `gxs`, `gys`: a plane's worth each); then each listed pixel's axis and step in
 * double, as the JavaScript pass had them.
 */
export function sobelEdges(
  luma: usize, w: i32, h: i32, horizontal: usize, vertical: usize, hAt: usize, vAt: usize,
  starts: usize, buckets: i32, scale: f64, limit: f64, thresholds: usize, minGradient: f32, counts: usize,
  candidates: usize, gxs: usize, gys: usize,
): void {
  memory.fill(horizontal, 0, <usize>(w * h));
  memory.fill(vertical, 0, <usize>(w * h));
  const least = f32x4.splat(minGradient);
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    const a = luma + (<usize>(row - w) << 2);
    const m = luma + (<usize>row << 2);
    const b = luma + (<usize>(row + w) << 2);
    let x = 1;
    for (; x + 4 <= w - 1; x += 4) {
      const o = <usize>x << 2;
      const aL = v128.load(a + o - 4);
      const aC = v128.load(a + o);
      const aR = v128.load(a + o + 4);
      const bL = v128.load(b + o - 4);
      const bC = v128.load(b + o);
      const bR = v128.load(b + o + 4);
      const mL = v128.load(m + o - 4);
      const mR = v128.load(m + o + 4);
      const sL = f32x4.add(f32x4.add(aL, f32x4.add(mL, mL)), bL);
      const sR = f32x4.add(f32x4.add(aR, f32x4.add(mR, mR)), bR);
      const gx = f32x4.sub(sR, sL);
      const dC = f32x4.sub(bC, aC);
      const gy = f32x4.add(f32x4.add(f32x4.sub(bL, aL), f32x4.add(dC, dC)), f32x4.sub(bR, aR));
      const on = f32x4.ge(f32x4.add(f32x4.abs(gx), f32x4.abs(gy)), least);
      const i = row + x;
      n = list(candidates, gxs, gys, n, i, f32x4.extract_lane(gx, 0), f32x4.extract_lane(gy, 0), i32x4.extract_lane(on, 0));
      n = list(candidates, gxs, gys, n, i + 1, f32x4.extract_lane(gx, 1), f32x4.extract_lane(gy, 1), i32x4.extract_lane(on, 1));
      n = list(candidates, gxs, gys, n, i + 2, f32x4.extract_lane(gx, 2), f32x4.extract_lane(gy, 2), i32x4.extract_lane(on, 2));
      n = list(candidates, gxs, gys, n, i + 3, f32x4.extract_lane(gx, 3), f32x4.extract_lane(gy, 3), i32x4.extract_lane(on, 3));
    }
    for (; x < w - 1; x++) {
      const o = <usize>x << 2;
      const up0 = load<f32>(a + o - 4);
      const up2 = load<f32>(a + o + 4);
      const down0 = load<f32>(b + o - 4);
      const down2 = load<f32>(b + o + 4);
      const gx = up2 + 2 * load<f32>(m + o + 4) + down2 - (up0 + 2 * load<f32>(m + o - 4) + down0);
      const gy = down0 - up0 + 2 * (load<f32>(b + o) - load<f32>(a + o)) + (down2 - up2);
      n = list(candidates, gxs, gys, n, row + x, gx, gy, -<i32>(Mathf.abs(gx) + Mathf.abs(gy) >= minGradient));
    }
  }
  let nh = 0;
  let nv = 0;
  for (let k = 0; k < n; k++) {
    const i = load<i32>(candidates + (<usize>k << 2));
    const gx = <f64>load<f32>(gxs + (<usize>k << 2));
    const gy = <f64>load<f32>(gys + (<usize>k << 2));
    const ax = Math.abs(gx);
    const ay = Math.abs(gy);
    // The edge runs across the gradient: slope dy/dx = -gx/gy for a near-horizontal edge.
    const across = ax <= limit * ay;
    const down = !across && ay <= limit * ax;
    const slope = select<f64>(-gx, -gy, across) / select<f64>(gy, gx, across);
    const step = <u8>(1 + stepOf(slope, starts, buckets, scale, limit, thresholds));
    store<u8>(horizontal + <usize>i, select<u8>(step, 0, across));
    store<u8>(vertical + <usize>i, select<u8>(step, 0, down));
    store<i32>(hAt + (<usize>nh << 2), i);
    store<i32>(vAt + (<usize>nv << 2), i);
    nh += <i32>across;
    nv += <i32>down;
  }
  store<i32>(counts, nh);
  store<i32>(counts + 4, nv);
}

/** Lists pixel `i` and its gradient at entry `n`, kept (the count moved on) where `on` (all ones or 0). */
// @ts-ignore: decorator
@inline
function list(candidates: usize, gxs: usize, gys: usize, n: i32, i: i32, gx: f32, gy: f32, on: i32): i32 {
  store<i32>(candidates + (<usize>n << 2), i);
  store<f32>(gxs + (<usize>n << 2), gx);
  store<f32>(gys + (<usize>n << 2), gy);
  return n + (on & 1);
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
  // Eight bins a vector: the larger vote (the first step's on a tie), its step, and the squares
  // summed in 32-bit lanes (at most a few hundred bins of votes under 400: exact, as in double).
  memory.fill(best, 0, <usize>bins << 1);
  memory.fill(bestStep, 0, <usize>bins << 1);
  for (let s = 0; s < angles; s++) {
    const row = acc + (<usize>(s * bins) << 1);
    const step = i16x8.splat(<i16>s);
    let sums = i32x4.splat(0);
    let b = 0;
    for (; b + 8 <= bins; b += 8) {
      const o = <usize>b << 1;
      const v = v128.load(row + o);
      const was = v128.load(best + o);
      v128.store(bestStep + o, v128.bitselect(step, v128.load(bestStep + o), i16x8.gt_u(v, was)));
      v128.store(best + o, i16x8.max_u(v, was));
      sums = i32x4.add(sums, i32x4.add(i32x4.extmul_low_i16x8_u(v, v), i32x4.extmul_high_i16x8_u(v, v)));
    }
    let squares = <f64>(i32x4.extract_lane(sums, 0) + i32x4.extract_lane(sums, 1) + i32x4.extract_lane(sums, 2) + i32x4.extract_lane(sums, 3));
    for (; b < bins; b++) {
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
 * The line votes' offsets for planes `along` long (quad-lines.ts voteOffsets): out[p * angles + s]
 * (i32) = floors[(2p + 1 - along + centre) * angles + s] + s * bins + margin, where `floors` (i32,
 * made once per thread by the caller) holds floor(0.5 - slope(s) * dp) for every dp = row - centre
 * halved, and 2p + 1 - along is 2 dp of position p. Only the sum depends on the plane's size: a
 * floor and a product per entry, 105 steps by up to 320 positions per axis, were remade for nearly
 * every query (a camera roll's sizes differ), 0.25 of the search's ~4.4 CPU-ms per image.
 */
export function voteOffsets(floors: usize, centre: i32, along: i32, angles: i32, bins: i32, margin: i32, out: usize): void {
  const first = i32x4(margin, margin + bins, margin + 2 * bins, margin + 3 * bins);
  const stride = i32x4.splat(4 * bins);
  for (let p = 0; p < along; p++) {
    const row = floors + (<usize>((2 * p + 1 - along + centre) * angles) << 2);
    const o = out + (<usize>(p * angles) << 2);
    let base = first;
    let s = 0;
    for (; s + 4 <= angles; s += 4, base = i32x4.add(base, stride)) v128.store(o + (<usize>s << 2), i32x4.add(v128.load(row + (<usize>s << 2)), base));
    for (; s < angles; s++) store<i32>(o + (<usize>s << 2), load<i32>(row + (<usize>s << 2)) + s * bins + margin);
  }
}

/** Four lanes' masks (all ones or zero) as four bytes of 0 or 1, lane 0 first. */
// @ts-ignore: decorator
@inline
function packFlags(on: v128): u32 {
  const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(on, on), i16x8.splat(0));
  return <u32>i32x4.extract_lane(v128.and(bytes, i8x16.splat(1)), 0);
}

/**
 * The rectangles' luma step maps and longest runs (rectangles.ts edgeMaps): `rowEdges` [row * w + x]
 * and `colEdges` [col * h + y] (bytes), `rowRuns` (i32 a row) and `colRuns` (i32 a column;
 * `colStart` and `colLast` i32 a column of scratch). Without branches on the pixels: in a photo a
 * fifth of them are steps, at random, and the branchy loop was 0.5 CPU-ms a plane, mispredicted.
 * The differences are exact in float32 (the plane holds multiples of 1/1024 below 256).
 */
export function stepMaps(
  luma: usize, w: i32, h: i32, step: f32, gap: i32, rowEdges: usize, colEdges: usize, rowRuns: usize, colRuns: usize, colStart: usize, colLast: usize,
): void {
  memory.fill(colEdges, 0, <usize>(w * h));
  memory.fill(colRuns, 0, <usize>w << 2);
  memory.fill(colStart, 0xff, <usize>w << 2);
  memory.fill(colLast, 0xff, <usize>w << 2);
  // The first and last rows have no step across.
  memory.fill(rowEdges, 0, <usize>w);
  memory.fill(rowEdges + <usize>((h - 1) * w), 0, <usize>w);
  store<i32>(rowRuns, 0);
  store<i32>(rowRuns + (<usize>(h - 1) << 2), 0);
  // Steps across, four at a time; then each row's longest run, four rows side by side (each
  // row's run is a chain of dependent selects: four chains keep the processor busy).
  const step4 = f32x4.splat(step);
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    const above = luma + (<usize>(row - w) << 2);
    const below = luma + (<usize>(row + w) << 2);
    const out = rowEdges + <usize>row;
    let x = 0;
    for (; x + 4 <= w; x += 4) {
      const o = <usize>x << 2;
      const on = f32x4.ge(f32x4.abs(f32x4.sub(v128.load(below + o), v128.load(above + o))), step4);
      store<u32>(out + <usize>x, packFlags(on));
    }
    for (; x < w; x++) {
      const o = <usize>x << 2;
      store<u8>(out + <usize>x, <u8>(Mathf.abs(load<f32>(below + o) - load<f32>(above + o)) >= step));
    }
  }
  let y = 1;
  for (; y + 4 <= h - 1; y += 4) {
    const r0 = rowEdges + <usize>(y * w);
    const r1 = r0 + <usize>w;
    const r2 = r1 + <usize>w;
    const r3 = r2 + <usize>w;
    let s0 = -1, l0 = -1, m0 = 0;
    let s1 = -1, l1 = -1, m1 = 0;
    let s2 = -1, l2 = -1, m2 = 0;
    let s3 = -1, l3 = -1, m3 = 0;
    for (let x = 0; x < w; x++) {
      const on0 = load<u8>(r0 + <usize>x) != 0;
      const on1 = load<u8>(r1 + <usize>x) != 0;
      const on2 = load<u8>(r2 + <usize>x) != 0;
      const on3 = load<u8>(r3 + <usize>x) != 0;
      s0 = select<i32>(select<i32>(x, s0, s0 < 0 || x - l0 > gap + 1), s0, on0);
      s1 = select<i32>(select<i32>(x, s1, s1 < 0 || x - l1 > gap + 1), s1, on1);
      s2 = select<i32>(select<i32>(x, s2, s2 < 0 || x - l2 > gap + 1), s2, on2);
      s3 = select<i32>(select<i32>(x, s3, s3 < 0 || x - l3 > gap + 1), s3, on3);
      l0 = select<i32>(x, l0, on0);
      l1 = select<i32>(x, l1, on1);
      l2 = select<i32>(x, l2, on2);
      l3 = select<i32>(x, l3, on3);
      m0 = select<i32>(max(m0, x - s0 + 1), m0, on0);
      m1 = select<i32>(max(m1, x - s1 + 1), m1, on1);
      m2 = select<i32>(max(m2, x - s2 + 1), m2, on2);
      m3 = select<i32>(max(m3, x - s3 + 1), m3, on3);
    }
    store<i32>(rowRuns + (<usize>y << 2), m0);
    store<i32>(rowRuns + (<usize>(y + 1) << 2), m1);
    store<i32>(rowRuns + (<usize>(y + 2) << 2), m2);
    store<i32>(rowRuns + (<usize>(y + 3) << 2), m3);
  }
  for (; y < h - 1; y++) {
    const r = rowEdges + <usize>(y * w);
    let s = -1, l = -1, m = 0;
    for (let x = 0; x < w; x++) {
      const on = load<u8>(r + <usize>x) != 0;
      s = select<i32>(select<i32>(x, s, s < 0 || x - l > gap + 1), s, on);
      l = select<i32>(x, l, on);
      m = select<i32>(max(m, x - s + 1), m, on);
    }
    store<i32>(rowRuns + (<usize>y << 2), m);
  }
  // Columns four at a time: their run state lies side by side, one vector a step.
  const stepv = f32x4.splat(step);
  const reach = i32x4.splat(gap + 1);
  const zero = i32x4.splat(0);
  const one = i32x4.splat(1);
  for (let y = 0; y < h; y++) {
    const at = luma + (<usize>(y * w) << 2);
    const yv = i32x4.splat(y);
    let x = 1;
    for (; x + 4 <= w - 1; x += 4) {
      const o = <usize>x << 2;
      const on = f32x4.ge(f32x4.abs(f32x4.sub(v128.load(at + o + 4), v128.load(at + o - 4))), stepv);
      const s0 = v128.load(colStart + o);
      const l0 = v128.load(colLast + o);
      const r0 = v128.load(colRuns + o);
      const restart = v128.or(i32x4.lt_s(s0, zero), i32x4.gt_s(i32x4.sub(yv, l0), reach));
      const s1 = v128.bitselect(v128.bitselect(yv, s0, restart), s0, on);
      v128.store(colStart + o, s1);
      v128.store(colLast + o, v128.bitselect(yv, l0, on));
      v128.store(colRuns + o, v128.bitselect(i32x4.max_s(r0, i32x4.add(i32x4.sub(yv, s1), one)), r0, on));
      const flags = colEdges + <usize>(x * h + y);
      store<u8>(flags, <u8>(i32x4.extract_lane(on, 0) & 1));
      store<u8>(flags + <usize>h, <u8>(i32x4.extract_lane(on, 1) & 1));
      store<u8>(flags + <usize>(2 * h), <u8>(i32x4.extract_lane(on, 2) & 1));
      store<u8>(flags + <usize>(3 * h), <u8>(i32x4.extract_lane(on, 3) & 1));
    }
    for (; x < w - 1; x++) {
      const o = <usize>x << 2;
      const on = Mathf.abs(load<f32>(at + o + 4) - load<f32>(at + o - 4)) >= step;
      const s0 = load<i32>(colStart + o);
      const l0 = load<i32>(colLast + o);
      const r0 = load<i32>(colRuns + o);
      const restart = s0 < 0 || y - l0 > gap + 1;
      const s1 = select<i32>(select<i32>(y, s0, restart), s0, on);
      store<i32>(colStart + o, s1);
      store<i32>(colLast + o, select<i32>(y, l0, on));
      store<i32>(colRuns + o, select<i32>(max(r0, y - s1 + 1), r0, on));
      store<u8>(colEdges + <usize>(x * h + y), <u8>on);
    }
  }
}
