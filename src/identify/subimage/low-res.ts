import type { PixelImage } from '../pdq/borders.js';
import type { Quad } from './warp-homography.js';

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

/**
 * The parallelogram of `quad` (a turned rectangle: its fourth corner follows from the other three)
 * sampled bilinearly from the plane into a `side` square (ROUGH_SIDE, 64, for turn-back's rough
 * hashes; coarse-hash.ts samples its 2 x 2-averaged plane into 32 with the quad halved). Affine, so each sample is two
 * additions from the last: this runs 24 times for every query the other searches leave unmatched,
 * and warpPlane's projective division per sample made it the turn-back's largest cost (80 of ~130
 * microseconds per turn).
 */
export function sampleQuad(plane: Pick<LowRes, 'luma' | 'width' | 'height'>, quad: Quad, out: Float32Array, side = 64): void {
  const { luma, width, height } = plane;
  const [p0, p1, , p3] = quad;
  const ux = (p1.x - p0.x) / side;
  const uy = (p1.y - p0.y) / side;
  const vx = (p3.x - p0.x) / side;
  const vy = (p3.y - p0.y) / side;
  const last = side - 1;
  for (let v = 0; v < side; v++) {
    // Pixel centres: sample (u + 0.5, v + 0.5) of the square, at pixel position minus 0.5 in the plane.
    let x = p0.x + 0.5 * ux + (v + 0.5) * vx - 0.5;
    let y = p0.y + 0.5 * uy + (v + 0.5) * vy - 0.5;
    // A row whose ends lie inside the plane, short of its last pixel, lies inside throughout (it is
    // straight; the margin covers the sums' rounding): no clamp changes a sample there, so the same
    // arithmetic runs without them. A turn-back quad lies inside the plane: its 10 rough hashes
    // were an unrelated photo's largest step left (sampling 4096 points each).
    const m = 1e-6;
    const ex = x + last * ux;
    const ey = y + last * uy;
    if (Math.min(x, ex) > m && Math.min(y, ey) > m && Math.max(x, ex) < width - 1 - m && Math.max(y, ey) < height - 1 - m) {
      for (let u = 0, o = v * side; u < side; u++, o++, x += ux, y += uy) {
        const x0 = x | 0;
        const y0 = y | 0;
        const row0 = y0 * width + x0;
        const row1 = row0 + width;
        const fx = x - x0;
        const a = luma[row0]!;
        const b = luma[row0 + 1]!;
        const c = luma[row1]!;
        const d = luma[row1 + 1]!;
        const top = a + (b - a) * fx;
        const bottom = c + (d - c) * fx;
        out[o] = top + (bottom - top) * (y - y0);
      }
      continue;
    }
    for (let u = 0; u < side; u++, x += ux, y += uy) {
      const cx = Math.min(width - 1, Math.max(0, x));
      const cy = Math.min(height - 1, Math.max(0, y));
      const x0 = cx | 0;
      const y0 = cy | 0;
      const x1 = x0 + 1 < width ? x0 + 1 : x0;
      const row0 = y0 * width;
      const row1 = (y0 + 1 < height ? y0 + 1 : y0) * width;
      const fx = cx - x0;
      const top = luma[row0 + x0]! + (luma[row0 + x1]! - luma[row0 + x0]!) * fx;
      const bottom = luma[row1 + x0]! + (luma[row1 + x1]! - luma[row1 + x0]!) * fx;
      out[v * side + u] = top + (bottom - top) * (cy - y0);
    }
  }
}
