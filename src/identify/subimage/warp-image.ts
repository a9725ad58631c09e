import type { PixelImage } from '../pdq/borders.js';
import type { LowRes } from './low-res.js';
import { type Homography, mapPoint } from './warp-homography.js';

/** Longest side of a warped-out picture: PDQ decimates to 64 and the tiles to 32 per tile, so more is cost only. */
export const WARP_MAX_SIDE = 768;
/** Samples per output pixel and axis at most: enough to average out the moire of a shrunk photo of a screen. */
const MAX_SUPERSAMPLE = 3;

/**
 * The picture inside `h`'s quad as an upright image of `width` x `height` (pixels of the query
 * outside it are clamped to its border). Each output pixel averages a grid of bilinear samples
 * as dense as the quad is larger than the output, so a large photo shrinks without aliasing.
 */
export function warpImage(image: PixelImage, h: Homography, width: number, height: number, density: number): PixelImage {
  const channels = Math.min(3, image.channels);
  const out = new Uint8Array(width * height * channels);
  const n = Math.max(1, Math.min(MAX_SUPERSAMPLE, Math.ceil(density)));
  const acc = new Float64Array(channels);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      acc.fill(0);
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const p = mapPoint(h, u + (sx + 0.5) / n, v + (sy + 0.5) / n);
          bilinear(image, p.x - 0.5, p.y - 0.5, channels, acc);
        }
      }
      const o = (v * width + u) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = Math.round(acc[c]! / (n * n));
    }
  }
  return { pixels: out, width, height, channels };
}

/** Adds the bilinear sample at pixel-centre coordinates (x, y) of each channel to `acc`. */
function bilinear(image: PixelImage, x: number, y: number, channels: number, acc: Float64Array): void {
  const { width, height, pixels } = image;
  const cx = Math.min(width - 1, Math.max(0, x));
  const cy = Math.min(height - 1, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const stride = image.channels;
  const i00 = (y0 * width + x0) * stride;
  const i10 = (y0 * width + x1) * stride;
  const i01 = (y1 * width + x0) * stride;
  const i11 = (y1 * width + x1) * stride;
  for (let c = 0; c < channels; c++) {
    const top = pixels[i00 + c]! + (pixels[i10 + c]! - pixels[i00 + c]!) * fx;
    const bottom = pixels[i01 + c]! + (pixels[i11 + c]! - pixels[i01 + c]!) * fx;
    acc[c]! += top + (bottom - top) * fy;
  }
}

/**
 * The quad of the low-resolution plane warped upright into a `size` x `size` luma plane, for a
 * rough hash: square because PDQ decimates any aspect to 64 x 64 anyway.
 */
export function warpPlane(plane: LowRes, h: Homography, size: number): Float32Array {
  const { luma, width, height } = plane;
  const out = new Float32Array(size * size);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const p = mapPoint(h, u + 0.5, v + 0.5);
      const x = Math.min(width - 1, Math.max(0, p.x - 0.5));
      const y = Math.min(height - 1, Math.max(0, p.y - 0.5));
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const fx = x - x0;
      const top = luma[y0 * width + x0]! + (luma[y0 * width + x1]! - luma[y0 * width + x0]!) * fx;
      const bottom = luma[y1 * width + x0]! + (luma[y1 * width + x1]! - luma[y1 * width + x0]!) * fx;
      out[v * size + u] = top + (bottom - top) * (y - y0);
    }
  }
  return out;
}
