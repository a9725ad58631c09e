import type { PixelImage } from '../pdq/borders.js';

/** A small grey-level copy of an image: the plane the sub-image search looks for edges in. */
export interface LowRes {
  /**
   * Row-major grey levels: multiples of 1/1024 below 256 (integer weights in 1/256 over at most
   * 2 x 2 samples), so sums of a few of them are exact in any order (the edge passes rely on it).
   */
  luma: Float32Array;
  width: number;
  height: number;
  /** Query pixels per low-resolution pixel, per axis. */
  scaleX: number;
  scaleY: number;
}

/**
 * Longest side of the low-resolution plane: a 2% edge tolerance is still several pixels wide.
 * Measured smaller (robustness bench, screenshots and sheets): at 240 and 160 px the rectangles
 * found were off by 1-2 plane pixels, or missed, and recall of both screenshot classes dropped
 * (65% share: 12/12 -> 10/12 at either size), for a saving of about a tenth of the search's cost.
 */
export const LOW_RES_SIDE = 320;

/**
 * Box-averaged luma at most LOW_RES_SIDE on its longer side. Each box is sampled on a sparse grid
 * (at most 2x2 points), not read whole: this pass runs on every image, and a box of a 12-megapixel
 * photo holds about a thousand pixels of which four give the same average within the edge threshold.
 * Integer luma (the weights in 1/256) and precomputed offsets: the pass is a few hundred
 * microseconds in floating point, a sizeable share of what the sub-image search may cost.
 */
export function lowRes(image: PixelImage): LowRes {
  const { width, height, channels, pixels } = image;
  const factor = Math.max(1, Math.max(width, height) / LOW_RES_SIDE);
  const w = Math.max(1, Math.floor(width / factor));
  const h = Math.max(1, Math.floor(height / factor));
  const scaleX = width / w;
  const scaleY = height / h;
  const samples = Math.min(2, Math.max(1, Math.floor(factor)));
  const xs = new Int32Array(w * samples);
  for (let x = 0; x < w; x++)
    for (let s = 0; s < samples; s++) xs[x * samples + s] = Math.min(width - 1, Math.floor((x + (s + 0.5) / samples) * scaleX)) * channels;
  const luma = new Float32Array(w * h);
  const colour = channels >= 3;
  const norm = 1 / (samples * samples * (colour ? 256 : 1));
  if (samples === 1 && colour) {
    // One point per box, the audit's case (a query decoded to 512 px is less than twice the plane):
    // each level written once, as the general loop's single sum added to zero leaves it.
    for (let y = 0, o = 0; y < h; y++) {
      const row = Math.min(height - 1, Math.floor((y + 0.5) * scaleY)) * width * channels;
      for (let x = 0; x < w; x++, o++) {
        const i = row + xs[x]!;
        luma[o] = (77 * pixels[i]! + 150 * pixels[i + 1]! + 29 * pixels[i + 2]!) * norm;
      }
    }
    return { luma, width: w, height: h, scaleX, scaleY };
  }
  for (let y = 0; y < h; y++) {
    for (let sy = 0; sy < samples; sy++) {
      const row = Math.min(height - 1, Math.floor((y + (sy + 0.5) / samples) * scaleY)) * width * channels;
      for (let x = 0, k = 0; x < w; x++) {
        let sum = 0;
        for (let sx = 0; sx < samples; sx++, k++) {
          const i = row + xs[k]!;
          sum += colour ? 77 * pixels[i]! + 150 * pixels[i + 1]! + 29 * pixels[i + 2]! : pixels[i]!;
        }
        luma[y * w + x]! += sum * norm;
      }
    }
  }
  return { luma, width: w, height: h, scaleX, scaleY };
}
