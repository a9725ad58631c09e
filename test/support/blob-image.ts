import type { PixelImage } from '../../src/identify/pdq/borders.js';
import { xorshift } from './xorshift.js';

/**
 * A synthetic RGB picture for the crop-stage tests: blobs of colour over a ramp, with a little
 * seeded noise, so that it has structure at several scales and crops a few percent apart hash
 * differently (crop-grid.test.ts, orientation-probe.test.ts).
 */
export function blobImage(seed: number, width: number, height: number): PixelImage {
  const next = xorshift(seed);
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = (x * 3 + y * 2 + ((Math.floor(x / 17) * 7 + Math.floor(y / 13) * 11 + c) % 9) * 20) & 255;
  for (let i = 0; i < pixels.length; i += 7) pixels[i] = (pixels[i]! + (next() & 15)) & 255;
  return { pixels, width, height, channels: 3 };
}
