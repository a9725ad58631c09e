import type { PixelImage } from '../pdq/borders.js';
import { DIHEDRAL, transformDct } from '../pdq/dihedral.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import { QUALITY_GATE, type SearchPlan } from '../pdq/match-settings.js';
import { PdqHasher } from '../pdq/pdq-hasher.js';
import type { LowRes } from './low-res.js';
import { area, type QuadCandidate, quadCandidates } from './quad-candidates.js';
import type { SubImageMatch, WholeImageMatcher } from './sub-image-search.js';
import { type Quad, rectToQuad } from './warp-homography.js';
import { WARP_MAX_SIDE, warpImage, warpPlane } from './warp-image.js';

/** Side of the square a candidate's rough hash is taken from (PDQ's filter then blurs it as it would a 1,280 px photo). */
const ROUGH_SIDE = 64;
/**
 * Rough-hash radius a candidate must be within to be warped and matched (the index is searched to
 * the sub-image search's gate, GATE_RADIUS, and the nearest kept). Tighter than the rectangles'
 * gate because a quad's warp from the full-resolution pixels costs more than a rectangle's cut, and
 * unrelated images make more candidates: measured (6 references per kind, the robustness bench's
 * warp cases) true copies that matched had rough distances of 10-34 bits in 27 of 30 (44, 62, 66 in
 * the rest), unrelated images' candidates that passed the 70-bit gate 54-70.
 */
const QUAD_GATE = 50;
/**
 * Largest distance at which a turned or skewed candidate is claimed. Turning a picture upright makes
 * it more like every other upright picture of its template: a synthetic plate crop (its plate
 * tilted 2 degrees by the camera) turned upright was crop-aligned to another plate of the same
 * template at 22 bits, tiles passing (scripts/bench/quad-cost.js); true copies in the warp cases
 * matched at 2-22, most under 18.
 */
const QUAD_CLAIM_DISTANCE = 20;
/** Candidates whose rough hash passed the gate that go on to the full matcher, nearest first. */
const MAX_WARPED = 2;

/**
 * Looks for references turned a few degrees or seen at an angle inside a query (quad-candidates.ts):
 * each candidate quad is rough-hashed from the low-resolution plane, and those within the gate
 * radius of a stored hash are warped upright from the full-resolution pixels and matched as images
 * of their own, with the same views and tile verification as a stand-alone copy. The cost on an
 * unrelated image is the edge and line pass on the plane and a rough hash per candidate.
 */
export class QuadSearch {
  private readonly hasher = new PdqHasher();
  private readonly turned = new Float32Array(256);

  constructor(
    private readonly matcher: WholeImageMatcher,
    private readonly index: HammingIndex,
    private readonly plan: SearchPlan,
  ) {}

  /**
   * The first (or with `best` the closest) match among the candidates that pass the rough gate.
   * `candidates` are the plane's quadCandidates, when the caller has found them already.
   */
  find(image: PixelImage, plane: LowRes, best = false, candidates: readonly QuadCandidate[] = quadCandidates(plane)): SubImageMatch | undefined {
    const near: { candidate: QuadCandidate; distance: number }[] = [];
    for (const candidate of candidates) {
      const distance = this.rough(plane, candidate.quad);
      if (distance !== undefined && distance <= QUAD_GATE) near.push({ candidate, distance });
    }
    near.sort((a, b) => a.distance - b.distance);
    let found: SubImageMatch | undefined;
    for (const { candidate } of near.slice(0, MAX_WARPED)) {
      const quad = inQuery(candidate.quad, plane);
      const warped = upright(image, quad);
      if (!warped) continue;
      const outcome = this.matcher.match(warped);
      if (outcome.kind !== 'match' || outcome.match.distance > QUAD_CLAIM_DISTANCE) continue;
      if (found && outcome.match.distance >= found.match.distance) continue;
      found = { match: outcome.match, geometry: geometryOf(quad, candidate, image), method: candidate.method };
      if (!best) break;
    }
    return found;
  }

  /** The nearest stored hash to the quad's rough hash in any orientation, if within the gate. */
  private rough(plane: LowRes, quad: Quad): number | undefined {
    const h = rectToQuad(quad, ROUGH_SIDE, ROUGH_SIDE);
    if (!h) return undefined;
    const { dct, quality } = this.hasher.hashLuma(warpPlane(plane, h, ROUGH_SIDE), ROUGH_SIDE, ROUGH_SIDE);
    if (quality < QUALITY_GATE) return undefined;
    let nearest: number | undefined;
    for (const d of DIHEDRAL) {
      if (d !== 'original') transformDct(dct, d, this.turned);
      const hash = this.hasher.hashFromDct(d === 'original' ? dct : this.turned);
      this.index.search(hash, this.plan.radius, (_, distance) => (nearest = Math.min(nearest ?? distance, distance)), this.plan.depth);
    }
    return nearest;
  }
}

/** Low-resolution corners in query pixels. */
function inQuery(q: Quad, plane: LowRes): Quad {
  return q.map((p) => ({ x: p.x * plane.scaleX, y: p.y * plane.scaleY })) as unknown as Quad;
}

const dist = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

/** The quad's picture turned upright at its own size (at most WARP_MAX_SIDE), or undefined when degenerate. */
function upright(image: PixelImage, q: Quad): PixelImage | undefined {
  const width = (dist(q[0], q[1]) + dist(q[3], q[2])) / 2;
  const height = (dist(q[0], q[3]) + dist(q[1], q[2])) / 2;
  const shrink = Math.min(1, WARP_MAX_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * shrink));
  const h = Math.max(1, Math.round(height * shrink));
  const homography = rectToQuad(q, w, h);
  return homography && warpImage(image, homography, w, h, 1 / shrink);
}

/** Region (bounding box, percent of the query), share of the area, rotation and skew of a found quad. */
function geometryOf(q: Quad, candidate: QuadCandidate, image: PixelImage): SubImageMatch['geometry'] {
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
  return { region, scale, rotation: candidate.rotation, skew: skewOf(q, candidate.rotation) };
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
