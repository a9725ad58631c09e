import { describe, expect, it } from 'vitest';
import { type LowRes, lowRes, sampleQuad } from '../../src/identify/subimage/low-res.js';
import { centreQuad } from '../../src/identify/subimage/turn-back.js';
import type { Quad } from '../../src/identify/subimage/warp-homography.js';

/** An RGB image of pseudo-random levels. */
function rgb(width: number, height: number) {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return { pixels, width, height, channels: 3 };
}

/** Bilinear sampling with every coordinate clamped to the plane, point by point (the definition). */
function clampedSample(plane: LowRes, quad: Quad, side: number): Float32Array {
  const { luma, width, height } = plane;
  const [p0, p1, , p3] = quad;
  const [ux, uy, vx, vy] = [(p1.x - p0.x) / side, (p1.y - p0.y) / side, (p3.x - p0.x) / side, (p3.y - p0.y) / side];
  const out = new Float32Array(side * side);
  for (let v = 0; v < side; v++) {
    let x = p0.x + 0.5 * ux + (v + 0.5) * vx - 0.5;
    let y = p0.y + 0.5 * uy + (v + 0.5) * vy - 0.5;
    for (let u = 0; u < side; u++, x += ux, y += uy) {
      const cx = Math.min(width - 1, Math.max(0, x));
      const cy = Math.min(height - 1, Math.max(0, y));
      const [x0, y0] = [Math.floor(cx), Math.floor(cy)];
      const [x1, y1] = [Math.min(width - 1, x0 + 1), Math.min(height - 1, y0 + 1)];
      const at = (px: number, py: number) => luma[py * width + px]!;
      const top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * (cx - x0);
      const bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * (cx - x0);
      out[v * side + u] = top + (bottom - top) * (cy - y0);
    }
  }
  return out;
}

describe('the low-resolution plane and its turned samples', () => {
  it('samples one point per box of a query under twice the plane (the audit decodes to 512 px), its luma weighted 77/150/29 in 1/256', () => {
    const image = rgb(512, 290);
    const plane = lowRes(image);
    expect([plane.width, plane.height]).toEqual([320, 181]);
    for (const [x, y] of [
      [0, 0],
      [319, 180],
      [157, 93],
    ] as const) {
      const i = (Math.floor((y + 0.5) * plane.scaleY) * 512 + Math.floor((x + 0.5) * plane.scaleX)) * 3;
      const level = (77 * image.pixels[i]! + 150 * image.pixels[i + 1]! + 29 * image.pixels[i + 2]!) / 256;
      expect(plane.luma[y * 320 + x]).toBe(Math.fround(level));
    }
  });

  it('samples a turned quad as clamped bilinear sampling does, inside the plane and across its edges', () => {
    const plane = lowRes(rgb(512, 290));
    const out = new Float32Array(64 * 64);
    const across: Quad = [
      { x: -12.3, y: 5.2 },
      { x: 300.7, y: -9.1 },
      { x: 333.1, y: 170.4 },
      { x: 20.2, y: 188.9 },
    ];
    for (const quad of [centreQuad(320, 181, 4), centreQuad(320, 181, -9.5, 1.04), across]) {
      sampleQuad(plane, quad, out);
      expect(out).toEqual(clampedSample(plane, quad, 64));
    }
  });
});
