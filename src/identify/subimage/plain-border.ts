import type { LowRes } from './low-res.js';
import { CANVAS_SHARE, RING_TOLERANCE } from './outline-quads.js';

/**
 * Whether a query may hold a picture shown by something else: a viewer's window on its canvas, a
 * contact sheet's cell in its gutter, a picture turned on a canvas, a print on a table, a screen in
 * its bezel on a wall. Whatever shows the picture surrounds it and reaches the frame's border, and it
 * is plain: at least CANVAS_SHARE of the plane's outermost ring lies within RING_TOLERANCE grey
 * levels of one level. A camera photo's border is its scene. Only a straightened picture (turned and
 * cropped to fill the frame, turn-back.ts) has no surround, so every other finder runs only past
 * this test; it reads the ring alone (~1,000 of the plane's ~60,000 pixels).
 *
 * Measured (the robustness bench's copies, 4 references per kind, and the bench share's 500
 * unrelated camera-roll photos): screenshots 0.64 (their chrome and canvas), contact sheets 0.68-1.00,
 * turned on a canvas 0.90-1.00, skews 0.94-1.00 and 0.41-0.44 where the frame cuts corners off,
 * monitors 1.00; straightened copies 0.08-0.25, the camera roll at most 0.36, 0.29 at the 99th
 * percentile. The outline finder's canvas test (outline-quads.ts) asks for the same share within the
 * same tolerance of a corner's level, which is one of the levels tried here: every query it looks at
 * passes.
 */
export function plainBorder(plane: LowRes): boolean {
  const { luma, width: w, height: h } = plane;
  // A plane this small has no room for a surround and costs the finders next to nothing.
  if (w < 3 || h < 3) return true;
  const n = 2 * (w + h) - 4;
  const needed = CANVAS_SHARE * n;
  // Counted per whole grey level first: a band of 2 x RING_TOLERANCE levels lies within that many + 1
  // whole levels and holds any that many whole levels, so the counts decide all but close calls,
  // which sort the ring (sorting every photo's ring cost ~0.1 CPU-ms, a fifth of the search left).
  const levels = new Int32Array(257);
  const count = (i: number) => levels[Math.min(255, Math.floor(luma[i]!))]!++;
  for (let x = 0; x < w; x++) {
    count(x);
    count((h - 1) * w + x);
  }
  for (let y = 1; y < h - 1; y++) {
    count(y * w);
    count(y * w + w - 1);
  }
  const band = 2 * RING_TOLERANCE;
  let inside = 0;
  let around = 0;
  for (let l = 0; l < 256; l++) {
    let sum = 0;
    for (let k = l; k < Math.min(256, l + band + 1); k++) {
      sum += levels[k]!;
      if (k === l + band - 1) inside = Math.max(inside, sum);
    }
    around = Math.max(around, sum);
  }
  if (inside >= needed) return true;
  if (around < needed) return false;
  return bandHolds(plane, needed);
}

/** Whether `needed` of the ring's levels lie within 2 x RING_TOLERANCE of each other, by sorting them. */
function bandHolds(plane: LowRes, needed: number): boolean {
  const { luma, width: w, height: h } = plane;
  const ring = new Float32Array(2 * (w + h) - 4);
  let n = 0;
  for (let x = 0; x < w; x++) {
    ring[n++] = luma[x]!;
    ring[n++] = luma[(h - 1) * w + x]!;
  }
  for (let y = 1; y < h - 1; y++) {
    ring[n++] = luma[y * w]!;
    ring[n++] = luma[y * w + w - 1]!;
  }
  ring.sort();
  // The most ring pixels within 2 x RING_TOLERANCE of each other: within RING_TOLERANCE of their middle.
  for (let hi = 0, lo = 0; hi < n; hi++) {
    while (ring[hi]! - ring[lo]! > 2 * RING_TOLERANCE) lo++;
    if (hi - lo + 1 >= needed) return true;
  }
  return false;
}
