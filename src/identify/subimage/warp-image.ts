import type { PixelImage } from '../pdq/borders.js';
import type { LowRes } from './low-res.js';
import type { Homography } from './warp-homography.js';

/** Longest side of a warped-out picture: PDQ decimates to 64 and the tiles to 32 per tile, so more is cost only. */
export const WARP_MAX_SIDE = 512;
/** Samples per output pixel and axis at most: enough to average out the moire of a shrunk photo of a screen. */
const MAX_SUPERSAMPLE = 2;

/**
 * The picture inside `h`'s quad as an upright image of `width` x `height` (pixels of the query
 * outside it are clamped to its border). Each output pixel averages a grid of bilinear samples
 * as dense as the quad is larger than the output, so a large photo shrinks without aliasing.
 */
export function warpImage(image: PixelImage, h: Homography, width: number, height: number, density: number): PixelImage {
  const channels = Math.min(3, image.channels);
  const { width: iw, height: ih, pixels } = image;
  const stride = image.channels;
  const out = new Uint8Array(width * height * channels);
  const n = Math.max(1, Math.min(MAX_SUPERSAMPLE, Math.ceil(density)));
  const acc = new Float64Array(channels);
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = h as unknown as number[];
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      acc.fill(0);
      for (let sy = 0; sy < n; sy++) {
        const vv = v + (sy + 0.5) / n;
        for (let sx = 0; sx < n; sx++) {
          // mapPoint inlined: this loop runs for every output pixel of every warped candidate.
          const uu = u + (sx + 0.5) / n;
          const d = h6! * uu + h7! * vv + h8!;
          const x = Math.min(iw - 1, Math.max(0, (h0! * uu + h1! * vv + h2!) / d - 0.5));
          const y = Math.min(ih - 1, Math.max(0, (h3! * uu + h4! * vv + h5!) / d - 0.5));
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const x1 = x0 + 1 < iw ? x0 + 1 : x0;
          const y1 = y0 + 1 < ih ? y0 + 1 : y0;
          const fx = x - x0;
          const fy = y - y0;
          const i00 = (y0 * iw + x0) * stride;
          const i10 = (y0 * iw + x1) * stride;
          const i01 = (y1 * iw + x0) * stride;
          const i11 = (y1 * iw + x1) * stride;
          for (let c = 0; c < channels; c++) {
            const top = pixels[i00 + c]! + (pixels[i10 + c]! - pixels[i00 + c]!) * fx;
            const bottom = pixels[i01 + c]! + (pixels[i11 + c]! - pixels[i01 + c]!) * fx;
            acc[c]! += top + (bottom - top) * fy;
          }
        }
      }
      const o = (v * width + u) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = Math.round(acc[c]! / (n * n));
    }
  }
  return { pixels: out, width, height, channels };
}

/**
 * The quad of the low-resolution plane warped upright into a `size` x `size` luma plane, for a
 * rough hash: square because PDQ decimates any aspect to 64 x 64 anyway. With `band`, only the
 * lines within `band` of the four sides are warped (the rest stays 0), each pixel as the whole warp
 * makes it: the screen search looks at those first (screen-search.ts). With `into`, the samples
 * are written there and the lines outside the band are left as they were.
 */
export function warpPlane(plane: LowRes, h: Homography, size: number, band = size, into?: Float32Array): Float32Array {
  const { luma, width, height } = plane;
  // `into` (size x size): the band's pixels are written and the rest left as they are, for a caller
  // that reads only the band (screen-search.ts: a fresh 64 KB array per banded warp, for 508 pixels).
  const out = into ?? new Float32Array(size * size);
  for (let v = 0; v < size; v++) {
    // A row inside the band's rows: its first `band` pixels, then its last.
    const inner = v >= band && v < size - band;
    for (let u = 0; u < size; u = inner && u === band - 1 ? size - band : u + 1) {
      // mapPoint inlined: this runs for every candidate of every query, an object per sample showed.
      const uu = u + 0.5;
      const vv = v + 0.5;
      const d = h[6]! * uu + h[7]! * vv + h[8]!;
      const x = Math.min(width - 1, Math.max(0, (h[0]! * uu + h[1]! * vv + h[2]!) / d - 0.5));
      const y = Math.min(height - 1, Math.max(0, (h[3]! * uu + h[4]! * vv + h[5]!) / d - 0.5));
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
