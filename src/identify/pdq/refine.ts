import { type Dihedral, transformDct } from './dihedral.js';
import type { FilteredPlane } from './filtered-plane.js';
import { type Hash256, hamming, newHash } from './hash256.js';
import type { Rect } from './pdq-hasher.js';

/** Edge steps as a share of the image side, coarse to fine. */
const STEPS = [0.02, 0.01, 0.005, 0.0025];
/** DCT evaluations per candidate: bounds the cost of a hard negative. */
const MAX_EVALUATIONS = 160;
/**
 * A candidate still farther than this after the coarsest step is abandoned: the finer steps move
 * a true copy by a few bits, not by the 25+ it would still need to reach the match threshold.
 */
const ABANDON_AFTER_COARSE = 56;

/** Result of aligning a query crop to one stored hash. */
export interface Alignment {
  distance: number;
  quality: number;
  rect: Rect;
}

/**
 * Hill-climbs the four edges of a query rectangle to agree with one stored reference hash, then
 * reports the Hamming distance at the best rectangle found. The climb follows the weighted
 * agreement (smooth in the crop) rather than the bit distance (which plateaus and jumps), and the
 * smallest bit distance seen along the way is kept.
 */
export function refineAlignment(plane: FilteredPlane, start: Rect, dihedral: Dihedral, target: Hash256): Alignment {
  const { width, height } = plane.image;
  const raw = new Float32Array(256);
  const view = new Float32Array(256);
  const bits = newHash();
  let evaluations = 0;
  let best: Alignment = { distance: 257, quality: 0, rect: start };
  const evaluate = (rect: Rect): number => {
    evaluations++;
    plane.dctOf(rect, raw);
    const dct = dihedral === 'original' ? raw : (transformDct(raw, dihedral, view), view);
    const distance = hamming(plane.bits(dct, bits), target);
    if (distance < best.distance) best = { distance, quality: plane.quality(), rect };
    return plane.agreement(dct, target);
  };
  let rect = start;
  let score = evaluate(rect);
  for (const [step, share] of STEPS.entries()) {
    if (step === 1 && best.distance > ABANDON_AFTER_COARSE) break;
    const dx = Math.max(1, Math.round(width * share));
    const dy = Math.max(1, Math.round(height * share));
    let improved = true;
    while (improved && evaluations < MAX_EVALUATIONS) {
      improved = false;
      for (const move of moves(rect, dx, dy, width, height)) {
        if (evaluations >= MAX_EVALUATIONS) break;
        const s = evaluate(move);
        if (s > score) {
          score = s;
          rect = move;
          improved = true;
        }
      }
    }
  }
  return best;
}

/** Each edge moved in and out by one step, kept inside the image and at least 16 px wide. */
function moves(r: Rect, dx: number, dy: number, width: number, height: number): Rect[] {
  const x1 = r.x + r.width;
  const y1 = r.y + r.height;
  const out: Rect[] = [];
  const push = (x0: number, y0: number, xe: number, ye: number) => {
    const a = Math.max(0, x0);
    const b = Math.max(0, y0);
    const c = Math.min(width, xe);
    const d = Math.min(height, ye);
    if (c - a >= 16 && d - b >= 16 && (a !== r.x || b !== r.y || c !== x1 || d !== y1)) out.push({ x: a, y: b, width: c - a, height: d - b });
  };
  push(r.x - dx, r.y, x1, y1);
  push(r.x + dx, r.y, x1, y1);
  push(r.x, r.y, x1 - dx, y1);
  push(r.x, r.y, x1 + dx, y1);
  push(r.x, r.y - dy, x1, y1);
  push(r.x, r.y + dy, x1, y1);
  push(r.x, r.y, x1, y1 - dy);
  push(r.x, r.y, x1, y1 + dy);
  return out;
}
