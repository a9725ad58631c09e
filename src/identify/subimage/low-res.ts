import type { PixelImage } from '../pdq/borders.js';

/** A small grey-level copy of an image: the plane the sub-image search looks for edges in. */
export interface LowRes {
  luma: Float32Array;
  width: number;
  height: number;
  /** Query pixels per low-resolution pixel, per axis. */
  scaleX: number;
  scaleY: number;
}

/** Longest side of the low-resolution plane: a 2% edge tolerance is still several pixels wide. */
export const LOW_RES_SIDE = 320;

/**
 * Box-averaged luma at most LOW_RES_SIDE on its longer side. Each box is sampled on a sparse grid
 * (at most 3x3 points), not read whole: this pass runs on every image, and a box of a 12-megapixel
 * photo holds about a thousand pixels of which nine give the same average within the edge threshold.
 */
export function lowRes(image: PixelImage): LowRes {
  const { width, height, channels, pixels } = image;
  const factor = Math.max(1, Math.max(width, height) / LOW_RES_SIDE);
  const w = Math.max(1, Math.floor(width / factor));
  const h = Math.max(1, Math.floor(height / factor));
  const scaleX = width / w;
  const scaleY = height / h;
  const luma = new Float32Array(w * h);
  const samples = Math.min(3, Math.max(1, Math.floor(factor)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let sy = 0; sy < samples; sy++) {
        const py = Math.min(height - 1, Math.floor((y + (sy + 0.5) / samples) * scaleY));
        for (let sx = 0; sx < samples; sx++) {
          const px = Math.min(width - 1, Math.floor((x + (sx + 0.5) / samples) * scaleX));
          const i = (py * width + px) * channels;
          sum += channels >= 3 ? 0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]! : pixels[i]!;
        }
      }
      luma[y * w + x] = sum / (samples * samples);
    }
  }
  return { luma, width: w, height: h, scaleX, scaleY };
}
