import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { LowRes } from '../../src/identify/subimage/low-res.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { outlineQuads } from '../../src/identify/subimage/outline-quads.js';
import type { Quad } from '../../src/identify/subimage/warp-homography.js';
import { bridge, decoded } from './support/perceptual.js';

/**
 * A plane of `canvas` grey holding a textured picture inside `quad` (convex, corners may lie past
 * the frame), with a darker rectangle inside the picture tilted otherwise: the inner lines a plate's
 * own border makes, which outvote a crop's frame in the line search.
 */
function plane(width: number, height: number, quad: Quad, canvas: number): LowRes {
  const luma = new Float32Array(width * height).fill(canvas);
  const inside = (x: number, y: number) =>
    quad.every((p, i) => {
      const q = quad[(i + 1) % 4]!;
      return (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x) >= 0;
    });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(x + 0.5, y + 0.5)) continue;
      const inner = Math.abs(y - height / 2 + 0.05 * (x - width / 2)) < height / 5;
      luma[y * width + x] = (inner ? 60 : 120) + ((x * 7 + y * 13) % 23);
    }
  }
  return { luma, width, height, scaleX: 1, scaleY: 1 };
}

describe('outlines of pictures on a plain canvas', () => {
  it('finds the four corners of a skewed picture on a white canvas, one corner past the frame', () => {
    const quad: Quad = [
      { x: 14, y: 6 },
      { x: 310, y: -8 },
      { x: 300, y: 170 },
      { x: -10, y: 178 },
    ];
    const found = outlineQuads(plane(320, 180, quad, 250));
    expect(found).toHaveLength(1);
    expect(found[0]!.method).toBe('outline');
    for (const [i, corner] of quad.entries()) {
      expect(Math.abs(found[0]!.quad[i]!.x - corner.x)).toBeLessThan(1.5);
      expect(Math.abs(found[0]!.quad[i]!.y - corner.y)).toBeLessThan(1.5);
    }
  });

  it('finds a picture turned 6 degrees on a grown black canvas, with the turn', async () => {
    const turned = await decoded(await sharp(bridge).rotate(6, { background: '#000000' }).jpeg({ quality: 85 }).toBuffer());
    const found = outlineQuads(lowRes(turned));
    expect(found).toHaveLength(1);
    expect(found[0]!.rotation).toBeGreaterThan(5.5);
    expect(found[0]!.rotation).toBeLessThan(6.5);
  });

  it('finds nothing in a photo with no plain canvas, nor in an upright picture on one (the rectangles find those)', async () => {
    expect(outlineQuads(lowRes(await decoded(bridge)))).toEqual([]);
    const upright: Quad = [
      { x: 30, y: 20 },
      { x: 290, y: 20 },
      { x: 290, y: 160 },
      { x: 30, y: 160 },
    ];
    expect(outlineQuads(plane(320, 180, upright, 250))).toEqual([]);
  });
});
