/**
 * PDQ's DCT matrix, its quality metric and the median used to cut bits, all float32-faithful to
 * ThreatExchange `pdqhashing.cpp`. The DCT and the quality metric the matcher uses run in WebAssembly
 * (simd.ts).
 */

const fr = Math.fround;

/**
 * D[i][j] = (float)(sqrt(2/n) as float * cos(pi/(2n) * (i+1) * (2j+1))) for 16 rows over `n`
 * samples: the float scale times a double cosine, rounded once to float, exactly as the C++
 * initialiser computes it for n = 64 (PDQ's); n = 32 is the coarse rough hash's (coarse-hash.ts).
 */
export function dctMatrix(n: number): Float32Array {
  const d = new Float32Array(16 * n);
  const scale = fr(Math.sqrt(2 / n));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < n; j++) d[i * n + j] = scale * Math.cos((Math.PI / 2 / n) * (i + 1) * (2 * j + 1));
  }
  return d;
}

/** PDQ's DCT matrix, 16 x 64. */
export const DCT_MATRIX: Float32Array = dctMatrix(64);

/**
 * Sum of truncated `(u - v) * 100 / 255` over all vertical and horizontal neighbour pairs, divided
 * by 90 and capped at 100: flat or nearly flat images score low and give unstable bits. The
 * matcher's callers use the kernels' SIMD copy (simd.ts `quality`, ~3 microseconds a block against
 * ~40 here, its Math.fround per operation), equal for finite samples within 0-255, as every caller's
 * are; this port is its reference (test/identify/pdq-kernels.test.ts).
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
    const pivot = a < b ? (b < c ? b : Math.max(a, c)) : a < c ? a : Math.max(b, c);
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
