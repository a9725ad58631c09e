import type { PixelImage } from '../pdq/borders.js';
import type { Rect } from '../pdq/pdq-hasher.js';

/** A copy of the pixels inside `r` as an image of its own. */
export function cut(image: PixelImage, r: Rect): PixelImage {
  const { channels, width } = image;
  const pixels = new Uint8Array(r.width * r.height * channels);
  const row = r.width * channels;
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * width + r.x) * channels;
    pixels.set(image.pixels.subarray(from, from + row), y * row);
  }
  return { pixels, width: r.width, height: r.height, channels };
}
