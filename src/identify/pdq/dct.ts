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
