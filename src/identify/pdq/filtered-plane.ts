import type { PixelImage } from './borders.js';
import { medianOf256 } from './dct.js';
import { HASH_WORDS, type Hash256, hashBit } from './hash256.js';
import type { Rect } from './pdq-hasher.js';
import { pdqKernels } from './simd.js';

/**
 * A query image's luma, tent-filtered once, from which the PDQ DCT of any sub-rectangle is sampled
 * in one decimation and one 64x64 DCT (no re-filtering). This is an approximation of hashing the
 * cropped pixels (the filter window comes from the whole image and edge samples see pixels beyond
 * the crop), a few bits at most for crops of 80-100%, and makes a crop search about 20 times
 * cheaper. The whole image's DCT is exactly PDQ's.
 */
export class FilteredPlane {
  private readonly block = new Float32Array(64 * 64);
  private readonly rows = new Int32Array(64);
  private readonly columns = new Int32Array(64);
  private readonly sortBuf = new Float32Array(256);

  constructor(readonly image: PixelImage) {
    // Made in the kernels' memory and sampled there; made again only if something displaced it.
    pdqKernels().filterResident(image);
  }

  /** Writes the 16x16 DCT of `rect` into `out` (for the whole image, exactly PDQ's). */
  dctOf(rect: Rect, out: Float32Array): void {
    // Bucket centres (int)(((i + 0.5) * n) / 64), in double as the reference computes them.
    for (let k = 0; k < 64; k++) {
      this.rows[k] = rect.y + Math.trunc(((k + 0.5) * rect.height) / 64);
      this.columns[k] = rect.x + Math.trunc(((k + 0.5) * rect.width) / 64);
    }
    pdqKernels().sampleResident(this.image, this.rows, this.columns, this.block, out);
  }

  /**
   * PDQ quality of the block last sampled by {@link dctOf}. Separate because the crop search hashes
   * hundreds of rectangles and needs the quality of a few (in JavaScript, computing it every time
   * cost a third as much as the DCT itself; the kernels' SIMD quality is cheaper still).
   */
  quality(): number {
    return pdqKernels().quality(this.block);
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
