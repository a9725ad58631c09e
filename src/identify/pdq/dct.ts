/**
 * PDQ's 64x64 -> 16x16 DCT (skipping the DC term), its quality metric and the median used to cut
 * bits, all float32-faithful to ThreatExchange `pdqhashing.cpp`.
 */

const fr = Math.fround;

/**
 * D[i][j] = (float)(sqrt(2/64) as float * cos(pi/128 * (i+1) * (2j+1))): the float scale times a
 * double cosine, rounded once to float, exactly as the C++ initialiser computes it.
 */
const DCT_MATRIX: Float32Array = (() => {
  const d = new Float32Array(16 * 64);
  const scale = fr(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) d[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return d;
})();

/** B = D A Dt with float accumulation in k order. `t` is 16x64 scratch, `out` 16x16. */
export function dct64To16(a: Float32Array, t: Float32Array, out: Float32Array): void {
  const d = DCT_MATRIX;
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fr(sum + fr(d[i * 64 + k]! * a[k * 64 + j]!));
      t[i * 64 + j] = sum;
    }
  }
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fr(sum + fr(t[i * 64 + k]! * d[j * 64 + k]!));
      out[i * 16 + j] = sum;
    }
  }
}

/**
 * The same 64x64 -> 16x16 DCT in double precision, folding each row of the cosine matrix on its
 * symmetry (D[i][63-k] = (-1)^(i+1) D[i][k]) to halve the multiplications. Agrees with
 * {@link dct64To16} to float32 rounding (about 1e-5 of the largest coefficient), so a hash bit
 * differs only when a coefficient sits on the median; used where exact agreement with the reference
 * is not the point (crop search, tiles).
 */
export function dct64To16Fast(a: Float32Array, t: Float64Array, out: Float32Array): void {
  const d = DCT_MATRIX_64;
  const sums = FOLD_SUMS;
  const diffs = FOLD_DIFFS;
  for (let k = 0; k < 32; k++) {
    const top = k * 64;
    const bottom = (63 - k) * 64;
    for (let j = 0; j < 64; j++) {
      const x = a[top + j]!;
      const y = a[bottom + j]!;
      sums[top + j] = x + y;
      diffs[top + j] = x - y;
    }
  }
  for (let i = 0; i < 16; i++) {
    // Row i holds frequency i+1: even frequencies are symmetric (use sums), odd ones antisymmetric.
    const folded = (i & 1) === 1 ? sums : diffs;
    const row = i * 64;
    for (let j = 0; j < 64; j++) t[row + j] = 0;
    for (let k = 0; k < 32; k++) {
      const c = d[row + k]!;
      const src = k * 64;
      for (let j = 0; j < 64; j++) t[row + j]! += c * folded[src + j]!;
    }
  }
  for (let i = 0; i < 16; i++) {
    const row = i * 64;
    for (let j = 0; j < 16; j++) {
      const col = j * 64;
      const sign = (j & 1) === 1 ? 1 : -1;
      let sum = 0;
      for (let k = 0; k < 32; k++) sum += d[col + k]! * (t[row + k]! + sign * t[row + 63 - k]!);
      out[i * 16 + j] = sum;
    }
  }
}

const DCT_MATRIX_64: Float64Array = Float64Array.from(DCT_MATRIX);
const FOLD_SUMS = new Float64Array(32 * 64);
const FOLD_DIFFS = new Float64Array(32 * 64);

/**
 * Sum of truncated `(u - v) * 100 / 255` over all vertical and horizontal neighbour pairs, divided
 * by 90 and capped at 100: flat or nearly flat images score low and give unstable bits.
 */
export function qualityOf64x64(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      sum += Math.abs(Math.trunc(fr(fr(fr(a[i * 64 + j]! - a[(i + 1) * 64 + j]!) * 100) / 255)));
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      sum += Math.abs(Math.trunc(fr(fr(fr(a[i * 64 + j]! - a[i * 64 + j + 1]!) * 100) / 255)));
    }
  }
  return Math.min(100, Math.trunc(sum / 90));
}

/**
 * The 128th smallest of 256 values. Torben's algorithm in the reference always returns that element
 * (the lower median) exactly, so any exact selection gives identical bits; a numeric typed-array sort
 * of a 256-entry scratch copy is simple and allocation-free.
 */
export function medianOf256(values: Float32Array, scratch: Float32Array): number {
  scratch.set(values.subarray(0, 256));
  scratch.sort();
  return scratch[127]!;
}
