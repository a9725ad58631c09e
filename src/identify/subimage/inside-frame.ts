import { mapPoint, type Point, type Quad, rectToQuad } from './warp-homography.js';

/*
 * A quad found in a query may reach past the frame: a print photographed at an angle with corners
 * cut off by the frame (the outline finder takes the frame's own edge there, and the sides it fits
 * cross outside), a straightened picture's centre view at a large turn. Warped upright, the part
 * outside is the frame's edge pixels smeared outward, and a vehicle capture skewed with two
 * corners cut off matched its reference at 22-24 bits that way, past the quad claim limit of 20.
 * The picture's part inside the frame, warped alone, is a crop of the picture, which the matcher's
 * crop alignment aligns to the stored views: 6-12 bits for the same copies (robustness bench,
 * perspective-5-mixed, 4 vehicle captures).
 */

/** Inset step, as a share of the picture's side. */
const STEP = 0.01;
/**
 * Largest inset of any side, in steps (20%): past it, too little of a stored view is left for crop
 * alignment. Counted in whole steps: twenty additions of 0.01 pass 0.2 and would stop at 19%.
 */
const MAX_STEPS = 20;
/** How far (query pixels) a corner may lie past the frame and count as inside: rounding, not smear. */
const SLACK = 1;

/** How far `p` lies past the width x height frame and its SLACK (0 inside, NaN for a point that is none). */
function beyondFrame(p: Point, width: number, height: number): number {
  return Math.max(0, -SLACK - p.x, p.x - width - SLACK) + Math.max(0, -SLACK - p.y, p.y - height - SLACK);
}

/**
 * The largest upright part of `quad`'s picture (in its own upright coordinates, a rectangle inset
 * from each side) whose corners lie inside the width x height frame, as a quad of the query; the
 * image of a rectangle under a homography is a quadrilateral, inside the (convex) frame when its
 * corners are. Undefined when the quad is inside already, degenerate, or must be cut by more than
 * MAX_STEPS steps on a side. Greedy: the side of an outside corner whose inset brings it furthest in
 * grows one step at a time.
 */
export function insideFrame(quad: Quad, width: number, height: number): Quad | undefined {
  const h = rectToQuad(quad, 1, 1);
  if (!h) return undefined;
  // Insets of the left, top, right and bottom sides, in steps; corner i lies on sides SIDES[i].
  const inset = [0, 0, 0, 0];
  const SIDES = [
    [0, 1],
    [2, 1],
    [2, 3],
    [0, 3],
  ] as const;
  const corner = (i: number): Point => {
    const u = i === 0 || i === 3 ? inset[0]! * STEP : 1 - inset[2]! * STEP;
    const v = i < 2 ? inset[1]! * STEP : 1 - inset[3]! * STEP;
    return mapPoint(h, u, v);
  };
  const outside = (p: Point) => beyondFrame(p, width, height);
  let moved = false;
  for (;;) {
    const i = [0, 1, 2, 3].find((k) => outside(corner(k)) > 0);
    if (i === undefined) break;
    let best: { side: number; out: number } | undefined;
    for (const side of SIDES[i]!) {
      inset[side]!++;
      const out = outside(corner(i));
      inset[side]!--;
      if (!best || out < best.out) best = { side, out };
    }
    const side = best!.side;
    if (++inset[side]! > MAX_STEPS) return undefined;
    moved = true;
  }
  return moved ? [corner(0), corner(1), corner(2), corner(3)] : undefined;
}

/** Share of each side the stored `crop:10,10,10,10` view takes off (turn-back.ts's CENTRE keeps the rest). */
export const CENTRE_MARGIN = 0.1;

/**
 * The part of `quad`'s picture the stored centre view shows (10% off each side), as a quad of the
 * query, when the quad reaches past the frame and that part is inside it. The part insideFrame
 * keeps is a crop of the picture off the stored views' grid, which crop alignment must find: a plate
 * crop skewed with corners cut off by 4-5% matched at 24-42 bits that way, where its centre view,
 * warped upright from the same outline, matched at 8-14 (robustness bench, perspective-5-mixed).
 */
export function centreInsideFrame(quad: Quad, width: number, height: number): Quad | undefined {
  const inside = (p: Point) => beyondFrame(p, width, height) === 0;
  if (quad.every(inside)) return undefined;
  const h = rectToQuad(quad, 1, 1);
  if (!h) return undefined;
  const lo = CENTRE_MARGIN;
  const hi = 1 - CENTRE_MARGIN;
  const centre: Quad = [mapPoint(h, lo, lo), mapPoint(h, hi, lo), mapPoint(h, hi, hi), mapPoint(h, lo, hi)];
  return centre.every(inside) ? centre : undefined;
}
