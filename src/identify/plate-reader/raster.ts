/**
 * An 8-bit RGB raster and the few operations the reader needs on it: crops and bilinear resizes
 * straight into the planar float tensors the models take. Kept in JavaScript: each crop is small,
 * and a round trip through the image library per crop would cost more than the arithmetic.
 */

/** Interleaved 8-bit RGB pixels. */
export interface Rgb {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** An axis-aligned rectangle in pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Interleaved pixels of 1-4 channels as RGB (grey is repeated, alpha dropped). */
export function toRgb(pixels: Uint8Array, width: number, height: number, channels: number): Rgb {
  if (channels === 3) return { pixels, width, height };
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < width * height; i++, o += 3) {
    const at = i * channels;
    const grey = channels < 3;
    out[o] = pixels[at]!;
    out[o + 1] = pixels[grey ? at : at + 1]!;
    out[o + 2] = pixels[grey ? at : at + 2]!;
  }
  return { pixels: out, width, height };
}

/**
 * Samples `box` of `image` bilinearly onto `outWidth` x `outHeight`, writing planar BGR (the order
 * PaddleOCR's models were trained on) as `(value / 255 - mean[c]) / std[c]` into `out` at `offset`,
 * with each row `rowStride` floats apart (the rest of a wider tensor row is left as it is).
 */
export function sampleInto(
  image: Rgb,
  box: Box,
  outWidth: number,
  outHeight: number,
  out: Float32Array,
  rowStride: number,
  planeStride: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): void {
  const { pixels, width, height } = image;
  const sx = box.width / outWidth;
  const sy = box.height / outHeight;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(height - 1, Math.max(0, box.y + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outWidth; x++) {
      const fx = Math.min(width - 1, Math.max(0, box.x + (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const wx = fx - x0;
      const a = (y0 * width + x0) * 3;
      const b = (y0 * width + x1) * 3;
      const c = (y1 * width + x0) * 3;
      const d = (y1 * width + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        // RGB in, BGR out: plane 0 is blue.
        const src = 2 - ch;
        const top = pixels[a + src]! + (pixels[b + src]! - pixels[a + src]!) * wx;
        const bottom = pixels[c + src]! + (pixels[d + src]! - pixels[c + src]!) * wx;
        const value = (top + (bottom - top) * wy) / 255;
        out[ch * planeStride + y * rowStride + x] = (value - mean[ch]!) / std[ch]!;
      }
    }
  }
}
