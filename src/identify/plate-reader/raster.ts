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
  // Each output column's two source columns and weight, found once rather than once a row (the
  // per-pixel clamping and flooring were half this loop's time); the arithmetic on the pixels is
  // unchanged, in the same order, so the floats are the same.
  const { lefts, rights, weights } = columnsFor(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const fx = Math.min(width - 1, Math.max(0, box.x + (x + 0.5) * sx - 0.5));
    const x0 = Math.floor(fx);
    lefts[x] = x0 * 3;
    rights[x] = Math.min(width - 1, x0 + 1) * 3;
    weights[x] = fx - x0;
  }
  const [m0, m1, m2] = mean;
  const [s0, s1, s2] = std;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(height - 1, Math.max(0, box.y + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const wy = fy - y0;
    const upper = y0 * width * 3;
    const lower = y1 * width * 3;
    const row = y * rowStride;
    for (let x = 0; x < outWidth; x++) {
      const wx = weights[x]!;
      const a = upper + lefts[x]!;
      const b = upper + rights[x]!;
      const c = lower + lefts[x]!;
      const d = lower + rights[x]!;
      // RGB in, BGR out: plane 0 is blue.
      out[row + x] = (lerp(pixels, a + 2, b + 2, c + 2, d + 2, wx, wy) / 255 - m0) / s0;
      out[planeStride + row + x] = (lerp(pixels, a + 1, b + 1, c + 1, d + 1, wx, wy) / 255 - m1) / s1;
      out[2 * planeStride + row + x] = (lerp(pixels, a, b, c, d, wx, wy) / 255 - m2) / s2;
    }
  }
}

/** Bilinear between the four samples at a, b (top row) and c, d (bottom row). */
function lerp(pixels: Uint8Array, a: number, b: number, c: number, d: number, wx: number, wy: number): number {
  const top = pixels[a]! + (pixels[b]! - pixels[a]!) * wx;
  const bottom = pixels[c]! + (pixels[d]! - pixels[c]!) * wx;
  return top + (bottom - top) * wy;
}

/** The column tables of the last call, reused (a detector input is up to 640 wide: DETECT_SIDE). */
let columns = { lefts: new Int32Array(0), rights: new Int32Array(0), weights: new Float64Array(0) };

function columnsFor(width: number): typeof columns {
  if (columns.lefts.length < width) columns = { lefts: new Int32Array(width), rights: new Int32Array(width), weights: new Float64Array(width) };
  return columns;
}
