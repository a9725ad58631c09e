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

function countUniform(image: PixelImage, side: Side, limit: number): number {
  const { pixels, width, height, channels } = image;
  const horizontal = side === 'top' || side === 'bottom';
  const length = horizontal ? width : height;
  const at = (line: number, k: number): number => {
    const y = side === 'top' ? line : side === 'bottom' ? height - 1 - line : k;
    const x = side === 'left' ? line : side === 'right' ? width - 1 - line : k;
    return (y * width + x) * channels;
  };
  const colour = lineColour(pixels, channels, length, (k) => at(0, k));
  const allowed = Math.floor(length * OUTLIER_SHARE);
  let lines = 0;
  for (; lines < limit; lines++) {
    let outliers = 0;
    for (let k = 0; k < length && outliers <= allowed; k++) {
      const p = at(lines, k);
      for (let c = 0; c < Math.min(channels, 3); c++) {
        if (Math.abs(pixels[p + c]! - colour[c]!) > TOLERANCE) {
          outliers++;
          break;
        }
      }
    }
    if (outliers > allowed) break;
  }
  return lines;
}

/** Per-channel median of one line: robust to a few noisy pixels at the very edge. */
function lineColour(pixels: Uint8Array, channels: number, length: number, offset: (k: number) => number): number[] {
  const colour: number[] = [];
  for (let c = 0; c < Math.min(channels, 3); c++) {
    const values = new Uint8Array(length);
    for (let k = 0; k < length; k++) values[k] = pixels[offset(k) + c]!;
    values.sort();
    colour.push(values[length >> 1]!);
  }
  return colour;
}
