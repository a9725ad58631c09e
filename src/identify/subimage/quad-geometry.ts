import type { PixelImage } from '../pdq/borders.js';
import { QUALITY_GATE } from '../pdq/match-settings.js';
import { pdqKernels } from '../pdq/simd.js';
import { centreInsideFrame, insideFrame } from './inside-frame.js';
import type { LowRes } from './low-res.js';
import { area } from './quad-candidates.js';
import type { SubImageGeometry, SubImageMatch, WholeImageMatcher } from './sub-image-search.js';
import { type Quad, rectToQuad } from './warp-homography.js';
import { WARP_MAX_SIDE, warpImage, warpPlane } from './warp-image.js';

/*
 * A quadrilateral found in a query: its rough hash from the low-resolution plane, its picture turned
 * upright from the full-resolution pixels, and the geometry a claim on it reports. Shared by the
 * quad search (quad-search.ts), the screen search (screen-search.ts) and turn-back (turn-back.ts).
 */

/** Side of the square a quad's rough hash is taken from (PDQ's filter then blurs it as it would a 1,280 px photo). */
const ROUGH_SIDE = 64;

/**
 * The PDQ DCT of `quad` (plane pixels) warped upright from the plane, into `dct` (as PdqHasher's
 * hashLuma makes it of a 64 x 64 plane, unfiltered); returns the warped sample, or undefined when
 * the quad is degenerate. Whether the sample is too flat to hash is left to {@link usable}: callers
 * ask only for a DCT whose hash came near a stored one, as turn-back.ts does, since judging it cost
 * more than the DCT and the hash.
 */
export function roughDct(plane: LowRes, quad: Quad, dct: Float32Array): Float32Array | undefined {
  const h = rectToQuad(quad, ROUGH_SIDE, ROUGH_SIDE);
  if (!h) return undefined;
  const sample = warpPlane(plane, h, ROUGH_SIDE);
  pdqKernels().dct64To16(sample, dct);
  return sample;
}

/** Whether a roughDct sample has PDQ quality enough to be hashed (QUALITY_GATE). */
export const usable = (sample: Float32Array): boolean => pdqKernels().quality(sample) >= QUALITY_GATE;

/** Low-resolution corners in query pixels. */
export function inQuery(q: Quad, plane: LowRes): Quad {
  return q.map((p) => ({ x: p.x * plane.scaleX, y: p.y * plane.scaleY })) as unknown as Quad;
}

const dist = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

/** The quad's picture turned upright at its own size (mean of opposite sides, at most WARP_MAX_SIDE), or undefined when degenerate. */
export function upright(image: PixelImage, q: Quad): PixelImage | undefined {
  const width = (dist(q[0], q[1]) + dist(q[3], q[2])) / 2;
  const height = (dist(q[0], q[3]) + dist(q[1], q[2])) / 2;
  const shrink = Math.min(1, WARP_MAX_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * shrink));
  const h = Math.max(1, Math.round(height * shrink));
  const homography = rectToQuad(q, w, h);
  return homography && warpImage(image, homography, w, h, 1 / shrink);
}

/** A quad (query pixels) to turn upright and match, and what a claim on it reports. */
export interface QuadTry {
  quad: Quad;
  geometry: () => SubImageGeometry;
  method: string;
}

/**
 * The first (or with `best` the closest) of `tries`, in their order, whose picture turned upright
 * the matcher claims within `claimDistance`: the last step of the quad, screen and turn-back
 * searches, each of which orders its own few nearest candidates. Where none is claimed, the tries
 * that reach past the frame are tried again as their part inside it (inside-frame.ts), after all
 * of them, so that what the whole quads claim is claimed as before, and then as their stored
 * centre view where that is inside the frame.
 */
export function claimUpright(
  matcher: WholeImageMatcher,
  image: PixelImage,
  tries: readonly QuadTry[],
  claimDistance: number,
  best: boolean,
): SubImageMatch | undefined {
  let found: SubImageMatch | undefined;
  const attempt = (quad: Quad, geometry: () => SubImageGeometry, method: string) => {
    const warped = upright(image, quad);
    if (!warped) return false;
    const outcome = matcher.match(warped);
    if (outcome.kind !== 'match' || outcome.match.distance > claimDistance) return false;
    if (found && outcome.match.distance >= found.match.distance) return false;
    found = { match: outcome.match, geometry: geometry(), method };
    return !best;
  };
  for (const { quad, geometry, method } of tries) if (attempt(quad, geometry, method)) return found;
  if (found) return found;
  for (const { quad, geometry, method } of tries) {
    const inside = insideFrame(quad, image.width, image.height);
    if (inside && attempt(inside, geometry, method)) return found;
  }
  if (found) return found;
  // Then their stored centre views, where those are inside the frame: after the parts inside it,
  // so that what those claim is claimed as before.
  for (const { quad, geometry, method } of tries) {
    const centre = centreInsideFrame(quad, image.width, image.height);
    if (centre && attempt(centre, geometry, method)) return found;
  }
  return found;
}

/**
 * Region (bounding box, percent of the query), share of the area, rotation and skew of a quad found
 * in the query (query pixels), `rotation` being how far its sides are turned.
 */
export function quadGeometry(q: Quad, rotation: number, image: PixelImage): SubImageGeometry {
  const xs = q.map((p) => Math.min(image.width, Math.max(0, p.x)));
  const ys = q.map((p) => Math.min(image.height, Math.max(0, p.y)));
  const pct = (v: number, of: number) => Math.round((v / of) * 1000) / 10;
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const region = {
    x: pct(x0, image.width),
    y: pct(y0, image.height),
    width: pct(Math.max(...xs) - x0, image.width),
    height: pct(Math.max(...ys) - y0, image.height),
  };
  const scale = Math.round(Math.min(1, area(q) / (image.width * image.height)) * 1000) / 1000;
  return { region, scale, rotation, skew: skewOf(q, rotation) };
}

/**
 * Largest corner displacement from a rectangle, as a share of the side it moved along: the quad is
 * turned back by its rotation and each corner compared with the box of the mean top, bottom, left
 * and right (0 for a turned rectangle, ~0.05 for a corner moved by 5%).
 */
function skewOf(q: Quad, rotation: number): number {
  const a = (-rotation * Math.PI) / 180;
  const cx = q.reduce((s, p) => s + p.x, 0) / 4;
  const cy = q.reduce((s, p) => s + p.y, 0) / 4;
  const r = q.map((p) => ({ x: (p.x - cx) * Math.cos(a) - (p.y - cy) * Math.sin(a), y: (p.x - cx) * Math.sin(a) + (p.y - cy) * Math.cos(a) }));
  const top = (r[0]!.y + r[1]!.y) / 2;
  const bottom = (r[2]!.y + r[3]!.y) / 2;
  const left = (r[0]!.x + r[3]!.x) / 2;
  const right = (r[1]!.x + r[2]!.x) / 2;
  const w = right - left;
  const h = bottom - top;
  const off = [
    Math.abs(r[0]!.x - left) / w,
    Math.abs(r[3]!.x - left) / w,
    Math.abs(r[1]!.x - right) / w,
    Math.abs(r[2]!.x - right) / w,
    Math.abs(r[0]!.y - top) / h,
    Math.abs(r[1]!.y - top) / h,
    Math.abs(r[2]!.y - bottom) / h,
    Math.abs(r[3]!.y - bottom) / h,
  ];
  return Math.round(Math.max(...off) * 1000) / 1000;
}
