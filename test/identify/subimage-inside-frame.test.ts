import { describe, expect, it } from 'vitest';
import { insideFrame } from '../../src/identify/subimage/inside-frame.js';
import { mapPoint, type Quad, rectToQuad } from '../../src/identify/subimage/warp-homography.js';

const inFrame = (q: Quad, w: number, h: number) => q.every((p) => p.x >= -1 && p.y >= -1 && p.x <= w + 1 && p.y <= h + 1);

describe('the part of a quad inside the frame', () => {
  it('leaves a quad inside the frame alone', () => {
    const quad: Quad = [
      { x: 10, y: 12 },
      { x: 300, y: 4 },
      { x: 310, y: 170 },
      { x: 6, y: 176 },
    ];
    expect(insideFrame(quad, 320, 180)).toBeUndefined();
  });

  it('insets the sides of a skewed quad with two corners past the frame until every corner is inside, keeping the rest', () => {
    const quad: Quad = [
      { x: -12, y: -9 },
      { x: 306, y: 8 },
      { x: 330, y: 188 },
      { x: 12, y: 170 },
    ];
    const inside = insideFrame(quad, 320, 180)!;
    expect(inside).toBeDefined();
    expect(inFrame(inside, 320, 180)).toBe(true);
    // A rectangle of the picture's own upright coordinates: its corners are the quad's map of an inset unit square.
    const h = rectToQuad(quad, 1, 1)!;
    const back = rectToQuad(inside, 1, 1)!;
    const u = mapPoint(back, 0.5, 0.5);
    expect(Math.abs(u.x - mapPoint(h, 0.5, 0.5).x)).toBeLessThan(20);
    // Each corner past the frame costs a few percent of a side, not more.
    const width = Math.hypot(inside[1].x - inside[0].x, inside[1].y - inside[0].y);
    expect(width).toBeGreaterThan(0.85 * Math.hypot(quad[1].x - quad[0].x, quad[1].y - quad[0].y));
  });

  it('insets a side by the full fifth, not 19% (twenty steps of 0.01 add up past 0.2: reviewer)', () => {
    const quad: Quad = [
      { x: -25, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 100 },
      { x: -25, y: 100 },
    ];
    const inside = insideFrame(quad, 100, 100)!;
    expect(inside).toBeDefined();
    expect(inFrame(inside, 100, 100)).toBe(true);
    expect(inside[0].x).toBeCloseTo(0, 6);
  });

  it('gives up on a quad that would lose more than a fifth of a side', () => {
    const quad: Quad = [
      { x: -200, y: -150 },
      { x: 300, y: 10 },
      { x: 310, y: 170 },
      { x: 10, y: 170 },
    ];
    expect(insideFrame(quad, 320, 180)).toBeUndefined();
  });
});
