import type { PixelImage } from '../pdq/borders.js';

/**
 * Below this many pixels on its longer side a decoded image is too small for the perceptual
 * matcher to decide on: it neither claims a copy nor can be said to hold none. Measured (plate crops
 * of 8 references and 8 same-template other plates, resized and re-encoded at JPEG q60, as ALPR
 * systems store them): 64, 96, 113, 128 and 160 px wide copies were all found (8/8, no false
 * claim); 40 px wide ones (40x12) gave no measurable hash at all (0/8).
 */
export const TOO_SMALL_SIDE = 64;

/** Whether an image is below what the perceptual matcher can decide on (TOO_SMALL_SIDE). */
export function tooSmallToMatch(image: Pick<PixelImage, 'width' | 'height'>): boolean {
  return Math.max(image.width, image.height) < TOO_SMALL_SIDE;
}
