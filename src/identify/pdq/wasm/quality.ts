// PDQ's quality metric in WebAssembly (AssemblyScript), part of the kernels module: kernels.ts
// exports it, scripts/build.js compiles the two as one, simd.ts calls it. SIMD over four neighbour
// pairs a vector; test/identify/pdq-kernels.test.ts compares it with qualityOf64x64 (dct.ts).

/** One lane's |trunc((u - v) * 100 / 255)| of qualityOf64x64 (dct.ts), four pairs at once: each operation rounded to float32. */
// @ts-ignore: decorator
@inline
function qualityTerms(u: v128, v: v128): v128 {
  const scaled = f32x4.div(f32x4.mul(f32x4.sub(u, v), f32x4.splat(100)), f32x4.splat(255));
  return i32x4.abs(i32x4.trunc_sat_f32x4_s(scaled));
}

/**
 * PDQ's quality of the 64x64 block at `block` (pdqhashing.cpp, qualityOf64x64 in dct.ts): the sum
 * over vertical and horizontal neighbour pairs of the truncated float32 (u - v) * 100 / 255, in
 * absolute value, divided by 90 and capped at 100. Each term is an integer of at most 100, so the
 * sum is exact in any order (at most 8,064 x 100).
 */
export function quality(block: usize): i32 {
  let sums = i32x4.splat(0);
  // Vertical pairs: row i against row i + 1, sixteen vectors a row.
  for (let i: usize = 0; i < 63; i++) {
    const row = block + i * 256;
    for (let j: usize = 0; j < 256; j += 16) sums = i32x4.add(sums, qualityTerms(v128.load(row + j), v128.load(row + 256 + j)));
  }
  let sum: i32 = 0;
  // Horizontal pairs: columns j and j + 1, j < 63; fifteen vectors a row and the last three alone.
  for (let i: usize = 0; i < 64; i++) {
    const row = block + i * 256;
    for (let j: usize = 0; j < 240; j += 16) sums = i32x4.add(sums, qualityTerms(v128.load(row + j), v128.load(row + j + 4)));
    for (let j: usize = 240; j < 252; j += 4) {
      const scaled = ((load<f32>(row + j) - load<f32>(row + j + 4)) * <f32>100) / <f32>255;
      sum += abs<i32>(<i32>scaled);
    }
  }
  sum += i32x4.extract_lane(sums, 0) + i32x4.extract_lane(sums, 1) + i32x4.extract_lane(sums, 2) + i32x4.extract_lane(sums, 3);
  return min<i32>(100, sum / 90);
}
