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
  // Eight output columns at a time, each summed in k order in its own local: the cosine is loaded
  // once per eight products and the sums stay in registers (1.8x faster than updating t in memory
  // for every k, with bit-identical results).
  for (let i = 0; i < 16; i++) {
    // Row i holds frequency i+1: even frequencies are symmetric (use sums), odd ones antisymmetric.
    const folded = (i & 1) === 1 ? sums : diffs;
    const row = i * 64;
    for (let j = 0; j < 64; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let k = 0, src = j; k < 32; k++, src += 64) {
        const c = d[row + k]!;
        s0 += c * folded[src]!;
        s1 += c * folded[src + 1]!;
        s2 += c * folded[src + 2]!;
        s3 += c * folded[src + 3]!;
        s4 += c * folded[src + 4]!;
        s5 += c * folded[src + 5]!;
        s6 += c * folded[src + 6]!;
        s7 += c * folded[src + 7]!;
      }
      t[row + j] = s0;
      t[row + j + 1] = s1;
      t[row + j + 2] = s2;
      t[row + j + 3] = s3;
      t[row + j + 4] = s4;
      t[row + j + 5] = s5;
      t[row + j + 6] = s6;
      t[row + j + 7] = s7;
    }
  }
  const rowSums = ROW_SUMS;
  const rowDiffs = ROW_DIFFS;
  for (let i = 0; i < 16; i++) {
    const row = i * 64;
    for (let k = 0; k < 32; k++) {
      rowSums[k] = t[row + k]! + t[row + 63 - k]!;
      rowDiffs[k] = t[row + k]! - t[row + 63 - k]!;
    }
    for (let j = 0; j < 16; j++) {
      const col = j * 64;
      const folded = (j & 1) === 1 ? rowSums : rowDiffs;
      let sum = 0;
      for (let k = 0; k < 32; k++) sum += d[col + k]! * folded[k]!;
      out[i * 16 + j] = sum;
    }
  }
}

const DCT_MATRIX_64: Float64Array = Float64Array.from(DCT_MATRIX);
const FOLD_SUMS = new Float64Array(32 * 64);
const FOLD_DIFFS = new Float64Array(32 * 64);
const ROW_SUMS = new Float64Array(32);
const ROW_DIFFS = new Float64Array(32);

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
 * (the lower median) exactly, so any exact selection gives identical bits. Quickselect (Hoare
 * partition, median-of-three pivot) on a scratch copy: a tenth of the time of sorting the copy, and
 * the crop search takes a median for every hash it cuts.
 */
export function medianOf256(values: Float32Array, scratch: Float32Array): number {
  const s = scratch;
  s.set(values.subarray(0, 256));
  const k = 127;
  let lo = 0;
  let hi = 255;
  while (hi > lo) {
    const a = s[lo]!;
    const b = s[(lo + hi) >>> 1]!;
    const c = s[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (s[i]! < pivot) i++;
      while (s[j]! > pivot) j--;
      if (i <= j) {
        const t = s[i]!;
        s[i++] = s[j]!;
        s[j--] = t;
      }
    }
    // Now s[lo..j] <= pivot <= s[i..hi], and anything strictly between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return s[k]!;
  }
  return s[k]!;
}
