import type { Rect } from './pdq-hasher.js';

/** Interleaved 8-bit pixels, as image-decode returns them. */
export interface PixelImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Largest share of a side that border stripping removes; more is content, not a border. */
const MAX_BORDER_SHARE = 0.3;
/** Per-channel tolerance: JPEG ringing and chroma subsampling smear a border's edge. */
const TOLERANCE = 28;
/** Share of a line's pixels that may deviate (noise, a watermark touching the edge). */
const OUTLIER_SHARE = 0.02;

/**
 * Finds uniform borders (letterboxing, pillarboxing, mats, added frames) and returns the content
 * rectangle inside them, or undefined when there is none. Each side is compared with the colour of
 * its own outermost line, so bars of different colours on different sides are handled. A side is
 * only stripped when the whole line is near one colour, so a dark sky or road is kept unless it
 * is uniform edge to edge; the matcher hashes both the stripped and the unstripped view, so
 * stripping content by mistake costs nothing but a hash.
 */
export function findContentRect(image: PixelImage): Rect | undefined {
  const { width, height } = image;
  const top = countUniform(image, 'top', Math.floor(height * MAX_BORDER_SHARE));
  const bottom = countUniform(image, 'bottom', Math.floor(height * MAX_BORDER_SHARE));
  const left = countUniform(image, 'left', Math.floor(width * MAX_BORDER_SHARE));
  const right = countUniform(image, 'right', Math.floor(width * MAX_BORDER_SHARE));
  if (top + bottom + left + right === 0) return undefined;
  // One extra line per stripped side: the seam between border and content is a blend of both.
  const t = top > 0 ? top + 1 : 0;
  const b = bottom > 0 ? bottom + 1 : 0;
  const l = left > 0 ? left + 1 : 0;
  const r = right > 0 ? right + 1 : 0;
  const rect = { x: l, y: t, width: width - l - r, height: height - t - b };
  return rect.width >= 16 && rect.height >= 16 ? rect : undefined;
}

type Side = 'top' | 'bottom' | 'left' | 'right';

/**
 * Lines of one side that are near one colour (that of the outermost line), up to `limit`. Walked
 * with strides rather than a per-pixel position function: this runs on every query, and a sky or
 * road that stays within the tolerance makes it read up to 30% of the image four times (it cost
 * as much as the tent filter before).
 */
function countUniform(image: PixelImage, side: Side, limit: number): number {
  const { pixels, width, height, channels } = image;
  const horizontal = side === 'top' || side === 'bottom';
  const length = horizontal ? width : height;
  // Offset of line 0's first pixel, the step from one line to the next, and from one pixel to the next along a line.
  const row = width * channels;
  const first = side === 'bottom' ? (height - 1) * row : side === 'right' ? (width - 1) * channels : 0;
  const lineStep = side === 'top' ? row : side === 'bottom' ? -row : side === 'left' ? channels : -channels;
  const along = horizontal ? channels : row;
  // Grey+alpha compares both, as RGB(A) compares its three colours: the first min(channels, 3) samples.
  const colours = Math.min(channels, 3);
  const colour = lineColour(pixels, colours, length, first, along);
  const c0 = colour[0]!;
  const c1 = colour[1] ?? 0;
  const c2 = colour[2] ?? 0;
  const allowed = Math.floor(length * OUTLIER_SHARE);
  let lines = 0;
  for (; lines < limit; lines++) {
    let outliers = 0;
    let p = first + lines * lineStep;
    for (let k = 0; k < length && outliers <= allowed; k++, p += along) {
      const off =
        Math.abs(pixels[p]! - c0) > TOLERANCE ||
        (colours >= 2 && Math.abs(pixels[p + 1]! - c1) > TOLERANCE) ||
        (colours === 3 && Math.abs(pixels[p + 2]! - c2) > TOLERANCE);
      if (off) outliers++;
    }
    if (outliers > allowed) break;
  }
  return lines;
}

/** Per-channel median of one line (counted, not sorted: 8-bit values): robust to a few noisy pixels at the very edge. */
function lineColour(pixels: Uint8Array, colours: number, length: number, first: number, along: number): number[] {
  const colour: number[] = [];
  const counts = new Uint32Array(256);
  const middle = length >> 1;
  for (let c = 0; c < colours; c++) {
    counts.fill(0);
    for (let k = 0, p = first + c; k < length; k++, p += along) counts[pixels[p]!]!++;
    // The value at index `middle` of the sorted line: the first whose running count passes it.
    let value = 0;
    for (let seen = counts[0]!; seen <= middle; seen += counts[++value]!);
    colour.push(value);
  }
  return colour;
}
