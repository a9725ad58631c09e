import type { PixelImage } from './borders.js';
import { dct64To16, dct64To16Fast, medianOf256, qualityOf64x64 } from './dct.js';
import { hashBit, HASH_WORDS, type Hash256 } from './hash256.js';
import { jaroszFilter } from './jarosz.js';
import { fillLuma, type Rect } from './pdq-hasher.js';


/**
 * A query image's luma, tent-filtered once, from which the PDQ DCT of any sub-rectangle is sampled
 * in one decimation and one 64x64 DCT (no re-filtering). This is an approximation of hashing the
 * cropped pixels (the filter window comes from the whole image and edge samples see pixels beyond
 * the crop), a few bits at most for crops of 80-100%, and makes a crop search about 20 times
 * cheaper. Used only for crop alignment, never for the stored or conformance hashes.
 */
export class FilteredPlane {
  private readonly plane: Float32Array;
  private readonly block = new Float32Array(64 * 64);
  private readonly t16x64 = new Float32Array(16 * 64);
  private readonly t16x64d = new Float64Array(16 * 64);
  private readonly columns = new Int32Array(64);
  private readonly sortBuf = new Float32Array(256);

  constructor(readonly image: PixelImage) {
    const { width, height, pixels, channels } = image;
    const luma = new Float32Array(width * height);
    fillLuma(pixels, width, channels, { x: 0, y: 0, width, height }, luma);
    jaroszFilter(luma, new Float32Array(width * height), width, height);
    this.plane = luma;
  }

  /**
   * Writes the 16x16 DCT of `rect` into `out`. `exact` uses the float32-faithful DCT (the whole
   * image then hashes bit-exactly as PDQ); otherwise the faster double-precision one (crop search,
   * tiles).
   */
  dctOf(rect: Rect, out: Float32Array, exact = false): void {
    const { width } = this.image;
    const columns = this.columns;
    for (let j = 0; j < 64; j++) columns[j] = rect.x + Math.trunc(((j + 0.5) * rect.width) / 64);
    for (let i = 0; i < 64; i++) {
      const row = (rect.y + Math.trunc(((i + 0.5) * rect.height) / 64)) * width;
      for (let j = 0; j < 64; j++) this.block[i * 64 + j] = this.plane[row + columns[j]!]!;
    }
    if (exact) dct64To16(this.block, this.t16x64, out);
    else dct64To16Fast(this.block, this.t16x64d, out);
  }

  /**
   * PDQ quality of the block last sampled by {@link dctOf}. Separate because the crop search hashes
   * hundreds of rectangles and needs the quality of a few; computing it every time cost a third as
   * much as the DCT itself.
   */
  quality(): number {
    return qualityOf64x64(this.block);
  }

  /** Hash bits of a DCT, as PDQ cuts them. */
  bits(dct: Float32Array, out: Hash256): Hash256 {
    const median = medianOf256(dct, this.sortBuf);
    out.fill(0, 0, HASH_WORDS);
    for (let k = 0; k < 256; k++) if (dct[k]! > median) out[k >>> 5] = (out[k >>> 5]! | (1 << (k & 31))) >>> 0;
    return out;
  }

  /**
   * Agreement of a DCT with a target hash, weighted by each coefficient's distance from the median:
   * +1 when every coefficient lies on the target's side, -1 when all are opposite. Unlike the Hamming
   * distance it changes smoothly with the crop, so a search can climb it.
   */
  agreement(dct: Float32Array, target: Hash256): number {
    const median = medianOf256(dct, this.sortBuf);
    let score = 0;
    let total = 0;
    for (let k = 0; k < 256; k++) {
      const v = dct[k]! - median;
      const a = Math.abs(v);
      total += a;
      score += hashBit(target, k) === 1 ? v : -v;
    }
    return total === 0 ? 0 : score / total;
  }
}
