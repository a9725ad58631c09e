import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { PixelImage } from '../../src/identify/pdq/borders.js';
import { centreInsideFrame } from '../../src/identify/subimage/inside-frame.js';
import type { LowRes } from '../../src/identify/subimage/low-res.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { outlineQuads } from '../../src/identify/subimage/outline-quads.js';
import type { Quad } from '../../src/identify/subimage/warp-homography.js';
import { bridge, decoded } from './support/perceptual.js';

/** Whether (x, y) lies inside convex `quad` (corners clockwise in image coordinates). */
function within(quad: Quad, x: number, y: number): boolean {
  return quad.every((p, i) => {
    const q = quad[(i + 1) % 4]!;
    return (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x) >= 0;
  });
}

/**
 * A plane of `canvas` grey holding a textured picture inside `quad` (convex, corners may lie past
 * the frame), with a darker rectangle inside the picture tilted otherwise: the inner lines a plate's
 * own border makes, which outvote a crop's frame in the line search.
 */
function plane(width: number, height: number, quad: Quad, canvas: number): LowRes {
  const luma = new Float32Array(width * height).fill(canvas);
  const inside = (x: number, y: number) => within(quad, x, y);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(x + 0.5, y + 0.5)) continue;
      const inner = Math.abs(y - height / 2 + 0.05 * (x - width / 2)) < height / 5;
      luma[y * width + x] = (inner ? 60 : 120) + ((x * 7 + y * 13) % 23);
    }
  }
  return { luma, width, height, scaleX: 1, scaleY: 1 };
}

/**
 * A grey query of a dark picture inside `quad` on a white canvas, each pixel the share of it
 * (4 x 4 samples) the picture covers: an edge between pixels, as a warp with supersampling leaves it.
 */
function query(width: number, height: number, quad: Quad): PixelImage {
  const pixels = new Uint8Array(width * height);
  const inside = (x: number, y: number) => within(quad, x, y);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let level = 0;
      // Textured, so that no frame corner's level (the picture's, where it runs past) fills the ring.
      const picture = 40 + ((x * 7 + y * 13) % 23);
      for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) level += inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4) ? picture : 255;
      pixels[y * width + x] = Math.round(level / 16);
    }
  }
  return { pixels, width, height, channels: 1 };
}

/**
 * A 400 x 120 plate crop skewed by up to 5% a corner, two corners past the frame (the robustness
 * bench's perspective-5-mixed).
 */
const SKEWED_PLATE: Quad = [
  { x: 16.9, y: 3.7 },
  { x: 389.1, y: -5.2 },
  { x: 419.1, y: 114.7 },
  { x: -16.6, y: 124.4 },
];

describe('outlines of pictures on a plain canvas', () => {
  it("places a plate crop's shallow sides from the query's pixels, where the plane's whole pixels put a cut corner 2 px off", () => {
    // The plane is 320 x 96, one point sampled per box.
    const quad = SKEWED_PLATE;
    const image = query(400, 120, quad);
    const plane = lowRes(image);
    const error = (found: Quad) => Math.max(...quad.map((c, i) => Math.hypot(found[i]!.x * plane.scaleX - c.x, found[i]!.y * plane.scaleY - c.y)));
    const refined = outlineQuads(plane, image);
    expect(refined).toHaveLength(1);
    expect(error(refined[0]!.quad)).toBeLessThan(0.6);
    // The plane's fit alone, for contrast: what this test would see without the refinement.
    expect(error(outlineQuads(plane)[0]!.quad)).toBeGreaterThan(1);
  });

  it("takes a quad's stored centre view where the quad reaches past the frame and the view does not", () => {
    const past = SKEWED_PLATE;
    const centre = centreInsideFrame(past, 400, 120);
    expect(centre).toBeDefined();
    for (const p of centre!) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(400);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(120);
    }
    // A rectangle 10% larger than the frame each way: its centre view is the frame's centre 0.88.
    const larger = centreInsideFrame(
      [
        { x: -20, y: -6 },
        { x: 420, y: -6 },
        { x: 420, y: 126 },
        { x: -20, y: 126 },
      ],
      400,
      120,
    );
    expect(larger?.[0]?.x).toBeCloseTo(24, 5);
    expect(larger?.[2]?.y).toBeCloseTo(112.8, 5);
    // Inside the frame already (nothing to do), and so far past it that the centre view is too.
    const inside: Quad = [
      { x: 10, y: 5 },
      { x: 390, y: 5 },
      { x: 390, y: 115 },
      { x: 10, y: 115 },
    ];
    expect(centreInsideFrame(inside, 400, 120)).toBeUndefined();
    const far: Quad = [
      { x: -80, y: -30 },
      { x: 480, y: -30 },
      { x: 480, y: 150 },
      { x: -80, y: 150 },
    ];
    expect(centreInsideFrame(far, 400, 120)).toBeUndefined();
  });

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
