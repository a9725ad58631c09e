import { medianOf256 } from './dct.js';
import { HASH_WORDS, type Hash256, newHash } from './hash256.js';
import { pdqKernels } from './simd.js';

/** Sides shorter than this hash to zero with quality 0, as in the reference. */
export const MIN_HASHABLE_DIM = 5;

const fr = Math.fround;
const LUMA_R = fr(0.299);
const LUMA_G = fr(0.587);
const LUMA_B = fr(0.114);

/** One PDQ hash with the data needed to derive its dihedral variants without re-hashing. */
export interface PdqResult {
  hash: Hash256;
  /** 0-100; the reference's image-domain gradient measure. */
  quality: number;
  /** The 16x16 DCT output (row-major, vertical frequency i+1, horizontal j+1). */
  dct: Float32Array;
}

/**
 * A reusable PDQ hasher, a float32-faithful port of ThreatExchange `pdqhashing.cpp`,
 * `downscaling.cpp` and `torben.cpp` (every arithmetic step rounded to float32 as in C++: with
 * Math.fround here, in float32 lanes in the WebAssembly filter, DCT and quality of simd.ts; results are
 * bit-exact with the C++ core). Scratch buffers are kept between calls and only grow. Not
 * re-entrant: use one per concurrent caller.
 */
export class PdqHasher {
  private luma = new Float32Array(0);
  private readonly block64 = new Float32Array(64 * 64);
  private readonly sortBuf = new Float32Array(256);

  /**
   * Hashes interleaved 8-bit pixels (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA; alpha ignored), or
   * the sub-rectangle `rect` of them (used for crop variants).
   */
  hashPixels(pixels: Uint8Array, width: number, height: number, channels: number, rect?: Rect): PdqResult {
    const r = rect ?? { x: 0, y: 0, width, height };
    const luma = this.lumaBuffer(r.width * r.height);
    fillLuma(pixels, width, channels, r, luma);
    return this.hashLuma(luma, r.width, r.height);
  }

  /**
   * Hashes a float luma plane of `width` x `height` (row-major). The plane is overwritten (the
   * reference filters in place). Returns a fresh result each call.
   */
  hashLuma(luma: Float32Array, width: number, height: number): PdqResult {
    const dct = new Float32Array(256);
    if (width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM) return { hash: newHash(), quality: 0, dct };
    const block = this.block64;
    if (width === 64 && height === 64) {
      block.set(luma.subarray(0, 64 * 64));
    } else {
      pdqKernels().jaroszFilter(luma, width, height);
      decimate(luma, height, width, block);
    }
    const quality = pdqKernels().quality(block);
    pdqKernels().dct64To16(block, dct);
    const hash = newHash();
    bitsFromDct(dct, this.sortBuf, hash);
    return { hash, quality, dct };
  }

  /** Hash bits of a (possibly sign-flipped/transposed) 16x16 DCT, for dihedral variants. */
  hashFromDct(dct: Float32Array, out: Hash256 = newHash()): Hash256 {
    bitsFromDct(dct, this.sortBuf, out);
    return out;
  }

  private lumaBuffer(n: number): Float32Array {
    if (this.luma.length < n) this.luma = new Float32Array(n);
    return this.luma;
  }
}

/** A pixel rectangle inside an image. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** PDQ luma (float32 0.299/0.587/0.114; grey used as is) of the rectangle `r`, row-major into `out`. */
export function fillLuma(pixels: Uint8Array, width: number, channels: number, r: Rect, out: Float32Array): void {
  let o = 0;
  for (let y = r.y; y < r.y + r.height; y++) {
    let p = (y * width + r.x) * channels;
    if (channels >= 3) {
      for (let x = 0; x < r.width; x++, p += channels) {
        out[o++] = fr(fr(fr(LUMA_R * pixels[p]!) + fr(LUMA_G * pixels[p + 1]!)) + fr(LUMA_B * pixels[p + 2]!));
      }
    } else {
      // Grey input is used directly, as the reference does for single-channel images.
      for (let x = 0; x < r.width; x++, p += channels) out[o++] = pixels[p]!;
    }
  }
}

/** Samples bucket centres `(int)(((i + 0.5) * n) / 64)` (computed in double, like the reference). */
function decimate(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let i = 0; i < 64; i++) {
    const si = Math.trunc(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) {
      const sj = Math.trunc(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = src[si * cols + sj]!;
    }
  }
}

/** Bit k = 16i+j is set iff DCT cell (i, j) exceeds the lower median (Torben's result). */
function bitsFromDct(dct: Float32Array, sortBuf: Float32Array, out: Hash256): void {
  const median = medianOf256(dct, sortBuf);
  out.fill(0, 0, HASH_WORDS);
  for (let k = 0; k < 256; k++) {
    if (dct[k]! > median) out[k >>> 5] = (out[k >>> 5]! | (1 << (k & 31))) >>> 0;
  }
}
