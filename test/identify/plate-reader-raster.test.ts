import { describe, expect, it } from 'vitest';
import { type Box, type Rgb, sampleInto } from '../../src/identify/plate-reader/raster.js';

/** Deterministic noise, RGB. */
function noise(width: number, height: number, seed: number): Rgb {
  const pixels = new Uint8Array(width * height * 3);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  return { pixels, width, height };
}

/** The sampling written plainly, per pixel and channel, as it was before its column tables. */
function sampleReference(image: Rgb, box: Box, outWidth: number, outHeight: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const { pixels, width, height } = image;
  const out = new Float32Array(3 * outWidth * outHeight);
  const sx = box.width / outWidth;
  const sy = box.height / outHeight;
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.min(height - 1, Math.max(0, box.y + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    for (let x = 0; x < outWidth; x++) {
      const fx = Math.min(width - 1, Math.max(0, box.x + (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      for (let ch = 0; ch < 3; ch++) {
        const at = (px: number, py: number) => pixels[(py * width + px) * 3 + 2 - ch]!;
        const top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * (fx - x0);
        const bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * (fx - x0);
        out[ch * outWidth * outHeight + y * outWidth + x] = ((top + (bottom - top) * (fy - y0)) / 255 - mean[ch]!) / std[ch]!;
      }
    }
  }
  return out;
}

describe('sampleInto', () => {
  it('gives the floats of the plain bilinear sampling, enlarged, shrunk and clipped at the edges, whatever width came before', () => {
    const image = noise(123, 77, 3);
    const mean = [0.485, 0.456, 0.406] as const;
    const std = [0.229, 0.224, 0.225] as const;
    for (const [box, w, h] of [
      [{ x: 10.4, y: 3.2, width: 50.5, height: 20.25 }, 160, 64],
      [{ x: 0, y: 0, width: 123, height: 77 }, 64, 32],
      [{ x: 100, y: 60, width: 40, height: 30 }, 96, 48],
      [{ x: 5, y: 5, width: 30, height: 10 }, 8, 48],
    ] as const) {
      const out = new Float32Array(3 * w * h);
      sampleInto(image, box, w, h, out, w, w * h, mean, std);
      expect(Buffer.from(out.buffer).equals(Buffer.from(sampleReference(image, box, w, h, mean, std).buffer))).toBe(true);
    }
  });
});
