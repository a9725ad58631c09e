// The character-row test's hot loops in WebAssembly (AssemblyScript; compiled by scripts/build.js,
// driven by ../marks.ts): the bilinear doubling of a place, and its marks (summed-area table, local
// binarisation, 4-connected components). They are marks.ts's JavaScript loops step for step, in
// 32-bit integers, so the bytes, the marks and their order are the same; in JavaScript the test ran
// at about 25 ns a pixel (35 doubled), most of an unrelated photo's cost with --read-plates.
//
// Memory is laid out by the caller; every pointer here is a byte offset. Planes are `w` bytes a row.

/** Where the caller may start laying out its buffers: after this module's own static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * Source column (or row) and weight in quarters of output position `x` of a side `w` long drawn at
 * twice its size: (x - 0.5) / 2 clamped to [0, w - 1], as quarters (0, 1 or 3).
 */
// @ts-ignore: decorator
@inline
function sourceOf(x: i32, w: i32): i32 {
  const t = 2 * x - 1;
  if (t < 0) return 0;
  if (t >= 4 * (w - 1)) return (w - 1) << 2;
  return t;
}

/** `src` (w x h) drawn at twice its size into `dst` (2w x 2h), bilinear, rounded in integers. */
export function double(src: usize, w: i32, h: i32, dst: usize): void {
  const w2 = 2 * w;
  for (let y = 0; y < 2 * h; y++) {
    const sy = sourceOf(y, h);
    const top = sy >> 2;
    const fy = sy & 3;
    const a = src + <usize>(top * w);
    const b = src + <usize>(min(h - 1, top + 1) * w);
    const row = dst + <usize>(y * w2);
    for (let x = 0; x < w2; x++) {
      const sx = sourceOf(x, w);
      const left = sx >> 2;
      const fx = sx & 3;
      const right = min(w - 1, left + 1);
      const upper = <i32>load<u8>(a + <usize>left) * (4 - fx) + <i32>load<u8>(a + <usize>right) * fx;
      const lower = <i32>load<u8>(b + <usize>left) * (4 - fx) + <i32>load<u8>(b + <usize>right) * fx;
      store<u8>(row + <usize>x, (upper * (4 - fy) + lower * fy + 8) >> 4);
    }
  }
}

/**
 * The dark and light marks of `src` (w x h): pixels at least `contrast` below (above) the mean of
 * the square `window` pixels each side, 4-connected. Writes five i32 a mark at `out`, in the order
 * their first pixel comes in a raster scan: left, top, width, height, and the pixel count, negative
 * for a light mark. Returns the number of marks. `sums` holds (w + 1) x (h + 1) i32, `state` w x h
 * bytes, `stack` w x h i32, `out` five i32 a pixel (every pixel can be a mark).
 */
export function marks(src: usize, w: i32, h: i32, window: i32, contrast: i32, sums: usize, state: usize, stack: usize, out: usize): i32 {
  const stride = w + 1;
  memory.fill(sums, 0, <usize>(stride * 4));
  for (let y = 0; y < h; y++) {
    let row: i32 = 0;
    const from = src + <usize>(y * w);
    const above = sums + <usize>(y * stride * 4);
    const here = sums + <usize>((y + 1) * stride * 4);
    store<i32>(here, 0);
    for (let x = 0; x < w; x++) {
      row += <i32>load<u8>(from + <usize>x);
      store<i32>(here + <usize>((x + 1) * 4), load<i32>(above + <usize>((x + 1) * 4)) + row);
    }
  }
  // 1 = dark mark, 2 = light mark; compared as value * area against the window's sum, as marks.ts did.
  const full = (2 * window + 1) * (2 * window + 1);
  const fullNeeded = contrast * full;
  const side = <usize>(2 * window + 1) * 4;
  for (let y = 0; y < h; y++) {
    const top = max(0, y - window);
    const bottom = min(h, y + window + 1);
    const topRow = sums + <usize>(top * stride * 4);
    const bottomRow = sums + <usize>(bottom * stride * 4);
    const from = src + <usize>(y * w);
    const states = state + <usize>(y * w);
    const rows = bottom - top;
    // Columns whose window lies inside the place need no clamping, and rows whose window does (most
    // of them) share one area: a third of the cost of clamping every pixel (measured).
    const inFrom = min(window, w);
    const inTo = max(inFrom, w - window);
    for (let x = 0; x < inFrom; x++) store<u8>(states + <usize>x, stateAt(x, w, window, rows, contrast, topRow, bottomRow, from));
    if (rows == 2 * window + 1) {
      let l = <usize>(inFrom - window) * 4;
      let x = inFrom;
      // Sixteen pixels at a time: four lanes of window sums each, narrowed to sixteen states.
      const fullV = i32x4.splat(full);
      const neededV = i32x4.splat(fullNeeded);
      const one = i32x4.splat(1);
      const two = i32x4.splat(2);
      for (; x + 16 <= inTo; x += 16, l += 64) {
        const pixels = v128.load(from + <usize>x);
        const low = i16x8.extend_low_i8x16_u(pixels);
        const high = i16x8.extend_high_i8x16_u(pixels);
        const s0 = states4(bottomRow + l, topRow + l, side, i32x4.extend_low_i16x8_u(low), fullV, neededV, one, two);
        const s1 = states4(bottomRow + l + 16, topRow + l + 16, side, i32x4.extend_high_i16x8_u(low), fullV, neededV, one, two);
        const s2 = states4(bottomRow + l + 32, topRow + l + 32, side, i32x4.extend_low_i16x8_u(high), fullV, neededV, one, two);
        const s3 = states4(bottomRow + l + 48, topRow + l + 48, side, i32x4.extend_high_i16x8_u(high), fullV, neededV, one, two);
        v128.store(states + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(s0, s1), i16x8.narrow_i32x4_u(s2, s3)));
      }
      for (; x < inTo; x++, l += 4) {
        const total = load<i32>(bottomRow + l + side) - load<i32>(topRow + l + side) - load<i32>(bottomRow + l) + load<i32>(topRow + l);
        const scaled = <i32>load<u8>(from + <usize>x) * full;
        const d = total - scaled;
        store<u8>(states + <usize>x, select<u8>(1, select<u8>(2, 0, -d >= fullNeeded), d >= fullNeeded));
      }
    } else {
      for (let x = inFrom; x < inTo; x++) store<u8>(states + <usize>x, stateAt(x, w, window, rows, contrast, topRow, bottomRow, from));
    }
    for (let x = inTo; x < w; x++) store<u8>(states + <usize>x, stateAt(x, w, window, rows, contrast, topRow, bottomRow, from));
  }
  let count: i32 = 0;
  const size = w * h;
  for (let start = 0; start < size; start++) {
    const kind = load<u8>(state + <usize>start);
    if (kind == 0) continue;
    store<u8>(state + <usize>start, 0);
    let depth: i32 = 0;
    store<i32>(stack, start);
    depth = 1;
    let minX = w;
    let minY = h;
    let maxX = -1;
    let maxY = -1;
    let pixels: i32 = 0;
    while (depth > 0) {
      const at = load<i32>(stack + <usize>(--depth * 4));
      const y = at / w;
      const x = at - y * w;
      pixels++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (x > 0 && load<u8>(state + <usize>(at - 1)) == kind) {
        store<u8>(state + <usize>(at - 1), 0);
        store<i32>(stack + <usize>(depth++ * 4), at - 1);
      }
      if (x < w - 1 && load<u8>(state + <usize>(at + 1)) == kind) {
        store<u8>(state + <usize>(at + 1), 0);
        store<i32>(stack + <usize>(depth++ * 4), at + 1);
      }
      if (y > 0 && load<u8>(state + <usize>(at - w)) == kind) {
        store<u8>(state + <usize>(at - w), 0);
        store<i32>(stack + <usize>(depth++ * 4), at - w);
      }
      if (y < h - 1 && load<u8>(state + <usize>(at + w)) == kind) {
        store<u8>(state + <usize>(at + w), 0);
        store<i32>(stack + <usize>(depth++ * 4), at + w);
      }
    }
    const o = out + <usize>(count * 20);
    store<i32>(o, minX);
    store<i32>(o, minY, 4);
    store<i32>(o, maxX - minX + 1, 8);
    store<i32>(o, maxY - minY + 1, 12);
    store<i32>(o, kind == 1 ? pixels : -pixels, 16);
    count++;
  }
  return count;
}

/** The state of pixel `x` of a row whose window may be clipped at the place's edges. */
// @ts-ignore: decorator
@inline
function stateAt(x: i32, w: i32, window: i32, rows: i32, contrast: i32, topRow: usize, bottomRow: usize, from: usize): u8 {
  const left = max(0, x - window);
  const right = min(w, x + window + 1);
  const area = rows * (right - left);
  const total = load<i32>(bottomRow + <usize>(right * 4)) - load<i32>(topRow + <usize>(right * 4)) - load<i32>(bottomRow + <usize>(left * 4)) + load<i32>(topRow + <usize>(left * 4));
  const scaled = <i32>load<u8>(from + <usize>x) * area;
  const needed = contrast * area;
  return total - scaled >= needed ? 1 : scaled - total >= needed ? 2 : 0;
}

/** The states (0, 1 dark, 2 light) of four neighbouring pixels whose windows lie inside the place. */
// @ts-ignore: decorator
@inline
function states4(bottom: usize, top: usize, side: usize, pixels: v128, full: v128, needed: v128, one: v128, two: v128): v128 {
  const total = i32x4.add(i32x4.sub(i32x4.sub(v128.load(bottom + side), v128.load(top + side)), v128.load(bottom)), v128.load(top));
  const d = i32x4.sub(total, i32x4.mul(pixels, full));
  const dark = i32x4.ge_s(d, needed);
  const light = i32x4.ge_s(i32x4.neg(d), needed);
  // Dark first, as the scalar select: with a contrast of 0 both hold, and the pixel is dark.
  return v128.bitselect(one, v128.and(light, two), dark);
}
