// PDQ's hot loops in WebAssembly (AssemblyScript; compiled by scripts/build.js, loaded by simd.ts):
// luma, the Jarosz tent filter and the 64x64 -> 16x16 DCT (the last two in SIMD, four lanes of
// float32), the decimation's sampling, PDQ's quality metric (quality.ts, exported from here) and
// the linear Hamming scan (popcnt). Every lane does the float32 operations of ThreatExchange's
// pdqhashing.cpp and downscaling.cpp in the same order, one rounding each, so results are
// bit-identical to the reference: test/identify/pdq-kernels.test.ts compares them with plain
// JavaScript ports of the C++. WebAssembly's baseline SIMD has no fused multiply-add, so no
// product is ever kept unrounded.
//
// Memory is laid out by the caller (simd.ts); every pointer here is a byte offset, 16-byte aligned.

export { quality } from './quality';

/** Where the caller may start laying out its buffers: after this module's own static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * out(16x16) = D(16x64) · A(64x64) · Dt, summed in k order in float32. `d` is D row-major,
 * `dt` its transpose (64x16), `t` 16x64 scratch.
 */
export function dct64To16(a: usize, d: usize, dt: usize, t: usize, out: usize): void {
  // T = D · A, sixteen columns of T at a time.
  for (let i: usize = 0; i < 16; i++) {
    for (let j: usize = 0; j < 64; j += 16) combine16(d + i * 256, a + j * 4, 256, t + i * 256 + j * 4, 64);
  }
  // out = T · Dt: out[i][j] = sum_k T[i][k] * D[j][k], a row of out from Dt's rows.
  for (let i: usize = 0; i < 16; i++) combine16(t + i * 256, dt, 64, out + i * 64, 64);
}

/**
 * out (16 x 16) = D (16 x 32) · A (32 x 32) · Dt: the DCT of a coarse rough sample (the sub-image
 * search's coarse-hash.ts), PDQ's dct64To16 over 32 samples a side. `d` is D row-major, `dt` its
 * transpose (32 x 16), `t` a 16 x 32 scratch.
 */
export function dct32To16(a: usize, d: usize, dt: usize, t: usize, out: usize): void {
  // T = D · A: each row of T in two halves of sixteen columns.
  for (let i: usize = 0; i < 16; i++) {
    combine16(d + i * 128, a, 128, t + i * 128, 32);
    combine16(d + i * 128, a + 64, 128, t + i * 128 + 64, 32);
  }
  // out = T · Dt, a row of out from Dt's rows.
  for (let i: usize = 0; i < 16; i++) combine16(t + i * 128, dt, 64, out + i * 64, 32);
}

/**
 * 16 floats at `out` = the sum over k < `count`, in k order, of coefficient k (floats at
 * `coefficients`) times the 16 floats at `rows + k * rowStride`: four vector accumulators, each
 * product and sum rounded to float32.
 */
// @ts-ignore: decorator
@inline
function combine16(coefficients: usize, rows: usize, rowStride: usize, out: usize, count: usize): void {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let src = rows;
  for (let k: usize = 0; k < count; k++, src += rowStride) {
    const c = f32x4.splat(load<f32>(coefficients + k * 4));
    s0 = f32x4.add(s0, f32x4.mul(c, v128.load(src)));
    s1 = f32x4.add(s1, f32x4.mul(c, v128.load(src, 16)));
    s2 = f32x4.add(s2, f32x4.mul(c, v128.load(src, 32)));
    s3 = f32x4.add(s3, f32x4.mul(c, v128.load(src, 48)));
  }
  v128.store(out, s0);
  v128.store(out, s1, 16);
  v128.store(out, s2, 32);
  v128.store(out, s3, 48);
}

/** Four floats `lane` bytes apart, as one vector (four rows' samples at the same column). */
// @ts-ignore: decorator
@inline
function load4(p: usize, lane: usize): v128 {
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + lane));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * lane));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * lane));
}

/** The inverse of load4. */
// @ts-ignore: decorator
@inline
function store4(p: usize, lane: usize, v: v128): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  store<f32>(p + lane, f32x4.extract_lane(v, 1));
  store<f32>(p + 2 * lane, f32x4.extract_lane(v, 2));
  store<f32>(p + 3 * lane, f32x4.extract_lane(v, 3));
}

/**
 * One box-filter pass along four rows at once, as box4 in jarosz.ts: lane k reads samples
 * `base + k * lane + i * step` (bytes). The window leans right for even sizes and shrinks at the
 * edges, dividing by the number of samples actually summed.
 */
function box4(src: usize, dst: usize, base: usize, lane: usize, length: i32, step: usize, window: i32): void {
  const half = (window + 2) / 2;
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = length - window;
  const phase4 = half - 1;
  let sum = f32x4.splat(0);
  let count: i32 = 0;
  let ri = base;
  let li = base;
  let oi = base;
  for (let i = 0; i < phase1; i++, ri += step) {
    sum = f32x4.add(sum, load4(src + ri, lane));
    count++;
  }
  for (let i = 0; i < phase2; i++, ri += step, oi += step) {
    sum = f32x4.add(sum, load4(src + ri, lane));
    count++;
    store4(dst + oi, lane, f32x4.div(sum, f32x4.splat(<f32>count)));
  }
  const n = f32x4.splat(<f32>count);
  for (let i = 0; i < phase3; i++, ri += step, li += step, oi += step) {
    sum = f32x4.sub(f32x4.add(sum, load4(src + ri, lane)), load4(src + li, lane));
    store4(dst + oi, lane, f32x4.div(sum, n));
  }
  for (let i = 0; i < phase4; i++, li += step, oi += step) {
    sum = f32x4.sub(sum, load4(src + li, lane));
    count--;
    store4(dst + oi, lane, f32x4.div(sum, f32x4.splat(<f32>count)));
  }
}

/** The scalar box filter of downscaling.cpp, for the lines left over after groups of four. */
function box1(src: usize, dst: usize, base: usize, length: i32, step: usize, window: i32): void {
  const half = (window + 2) / 2;
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = length - window;
  const phase4 = half - 1;
  let sum: f32 = 0;
  let count: i32 = 0;
  let ri = base;
  let li = base;
  let oi = base;
  for (let i = 0; i < phase1; i++, ri += step) {
    sum += load<f32>(src + ri);
    count++;
  }
  for (let i = 0; i < phase2; i++, ri += step, oi += step) {
    sum += load<f32>(src + ri);
    count++;
    store<f32>(dst + oi, sum / <f32>count);
  }
  for (let i = 0; i < phase3; i++, ri += step, li += step, oi += step) {
    sum += load<f32>(src + ri);
    sum -= load<f32>(src + li);
    store<f32>(dst + oi, sum / <f32>count);
  }
  for (let i = 0; i < phase4; i++, li += step, oi += step) {
    sum -= load<f32>(src + li);
    count--;
    store<f32>(dst + oi, sum / <f32>count);
  }
}

/**
 * One row step of boxColumns for every column: its running sum takes in row `ri` (with `add`), then
 * lets go of row `li` (with `sub`), as box1 does; with `average`, sum / count goes to row `oi`.
 * Inlined with constant flags, each of the four phases compiles to its own branch-free loop.
 */
// @ts-ignore: decorator
@inline
function columnStep(sums: usize, ri: usize, li: usize, oi: usize, rowBytes: usize, add: bool, sub: bool, average: bool, count: i32): void {
  const vectorBytes = rowBytes & ~15;
  const n = f32x4.splat(<f32>count);
  for (let j: usize = 0; j < vectorBytes; j += 16) {
    let sum = v128.load(sums + j);
    if (add) sum = f32x4.add(sum, v128.load(ri + j));
    if (sub) sum = f32x4.sub(sum, v128.load(li + j));
    v128.store(sums + j, sum);
    if (average) v128.store(oi + j, f32x4.div(sum, n));
  }
  for (let j = vectorBytes; j < rowBytes; j += 4) {
    let sum = load<f32>(sums + j);
    if (add) sum += load<f32>(ri + j);
    if (sub) sum -= load<f32>(li + j);
    store<f32>(sums + j, sum);
    if (average) store<f32>(oi + j, sum / <f32>count);
  }
}

/**
 * The box filter along every column at once: one running sum per column (at `sums`, `width`
 * floats), advanced a whole row at a time, so every load and store is a contiguous vector. Each
 * column's sum sees exactly the additions, subtractions and divisions of box1 down that column.
 */
function boxColumns(src: usize, dst: usize, sums: usize, width: i32, height: i32, window: i32): void {
  const half = (window + 2) / 2;
  const rowBytes = <usize>width * 4;
  memory.fill(sums, 0, rowBytes);
  let count: i32 = 0;
  let ri = src;
  let li = src;
  let oi = dst;
  for (let i = 0; i < half - 1; i++, ri += rowBytes) columnStep(sums, ri, li, oi, rowBytes, true, false, false, ++count);
  for (let i = 0; i < window - half + 1; i++, ri += rowBytes, oi += rowBytes) columnStep(sums, ri, li, oi, rowBytes, true, false, true, ++count);
  for (let i = 0; i < height - window; i++, ri += rowBytes, li += rowBytes, oi += rowBytes) columnStep(sums, ri, li, oi, rowBytes, true, true, true, count);
  for (let i = 0; i < half - 1; i++, li += rowBytes, oi += rowBytes) columnStep(sums, ri, li, oi, rowBytes, false, true, true, --count);
}

/**
 * PDQ's tent filter over a `width` x `height` float32 plane at `plane`, in place: box filters along
 * rows then columns, twice, windows ceil(dimension / 128). `tmp` is scratch of the plane's size,
 * `sums` of one row.
 */
export function jaroszFilter(plane: usize, tmp: usize, sums: usize, width: i32, height: i32): void {
  const winRows = (width + 127) / 128;
  const winCols = (height + 127) / 128;
  const rowBytes = <usize>width * 4;
  for (let pass = 0; pass < 2; pass++) {
    // Rows: four rows per group, each lane one row.
    let i = 0;
    for (; i + 4 <= height; i += 4) box4(plane, tmp, <usize>i * rowBytes, rowBytes, width, 4, winRows);
    for (; i < height; i++) box1(plane, tmp, <usize>i * rowBytes, width, 4, winRows);
    boxColumns(tmp, plane, sums, width, height, winCols);
  }
}

/**
 * Linear Hamming scan over `count` 256-bit hashes at `pool` (32 bytes each) for those within
 * `radius` bits of the hash at `query`: writes (entry, distance) pairs of u32 to `hits` in entry
 * order and returns how many. An entry is dropped as soon as its first half alone is too far.
 */
export function scan(pool: usize, count: i32, query: usize, radius: i32, hits: usize): i32 {
  const q0 = load<u64>(query);
  const q1 = load<u64>(query, 8);
  const q2 = load<u64>(query, 16);
  const q3 = load<u64>(query, 24);
  let found = 0;
  let p = pool;
  for (let i = 0; i < count; i++, p += 32) {
    let d = <i32>(popcnt(q0 ^ load<u64>(p)) + popcnt(q1 ^ load<u64>(p, 8)));
    if (d > radius) continue;
    d += <i32>(popcnt(q2 ^ load<u64>(p, 16)) + popcnt(q3 ^ load<u64>(p, 24)));
    if (d > radius) continue;
    const at = hits + (<usize>found << 3);
    store<u32>(at, i);
    store<u32>(at, d, 4);
    found++;
  }
  return found;
}

/**
 * PDQ luma of the `width` x `height` rectangle at (`x`, `y`) of interleaved 8-bit pixels (`channels`
 * per pixel, `imageWidth` per row), row-major into `out`: 0.299 R + 0.587 G + 0.114 B in float32
 * (each product and sum rounded), or the grey value as is for one or two channels.
 */
export function luma(pixels: usize, imageWidth: i32, channels: i32, x: i32, y: i32, width: i32, height: i32, out: usize): void {
  const r: f32 = 0.299;
  const g: f32 = 0.587;
  const b: f32 = 0.114;
  let o = out;
  for (let row = y; row < y + height; row++) {
    let p = pixels + (<usize>row * <usize>imageWidth + <usize>x) * <usize>channels;
    if (channels >= 3) {
      for (let i = 0; i < width; i++, p += channels, o += 4) {
        store<f32>(o, r * <f32>load<u8>(p) + g * <f32>load<u8>(p, 1) + b * <f32>load<u8>(p, 2));
      }
    } else {
      for (let i = 0; i < width; i++, p += channels, o += 4) store<f32>(o, <f32>load<u8>(p));
    }
  }
}

/**
 * The 64x64 block of a plane (`planeWidth` floats per row) at the given row and column indexes
 * (64 i32 each): PDQ's decimation, its bucket centres computed by the caller.
 */
export function sample(plane: usize, planeWidth: i32, rows: usize, columns: usize, block: usize): void {
  let o = block;
  for (let i: usize = 0; i < 64; i++) {
    const row = plane + <usize>load<i32>(rows + i * 4) * <usize>planeWidth * 4;
    for (let j: usize = 0; j < 64; j++, o += 4) store<f32>(o, load<f32>(row + (<usize>load<i32>(columns + j * 4) << 2)));
  }
}
