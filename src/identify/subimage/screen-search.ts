import { findContentRect, type PixelImage } from '../pdq/borders.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import { QUALITY_GATE, type SearchPlan } from '../pdq/match-settings.js';
import { PdqHasher } from '../pdq/pdq-hasher.js';
import type { LowRes } from './low-res.js';
import { area, type QuadCandidate, quadCandidates } from './quad-candidates.js';
import type { SubImageMatch, WholeImageMatcher } from './sub-image-search.js';
import { mapPoint, type Quad, rectToQuad } from './warp-homography.js';
import { WARP_MAX_SIDE, warpImage, warpPlane } from './warp-image.js';

/** Side of the square a quad is warped to from the plane to find the bars inside it. */
const BAR_SIDE = 128;
/** Side of the square a screen's content is rough-hashed at. */
const ROUGH_SIDE = 64;
/**
 * Rough-hash radius a screen's content must be within to be warped and matched. Measured (scratch
 * trace of the robustness bench's monitor cases, 4 references per kind): the content of the
 * nearest screen quad was 14-32 bits from its reference for vehicle captures, 14-54 for portraits,
 * 40-72 for plate crops; the screens found in 24 unrelated synthetic scenes were 96-108 from every
 * reference.
 */
const SCREEN_GATE = 50;
/** Screens whose content passed the gate that go on to the full matcher, nearest first. */
const MAX_MATCHED = 2;
/** Largest distance a screen's content is claimed at: as a turned or skewed quad (quad-search.ts). */
const SCREEN_CLAIM_DISTANCE = 20;

/**
 * Looks for a picture shown on a screen photographed at an angle (a monitor photo): the quad
 * search (quad-search.ts) finds the screen's four sides, but rough-hashes the whole screen, and a
 * picture fitted to a screen of another shape sits between black bars (a 10:3 plate crop on a
 * 16:10 screen leaves a quarter of the height black above and below it), so its rough hash is far
 * from the reference and the quad never reaches the matcher. Here each quad is warped upright from
 * the low-resolution plane, its bars are stripped as the matcher strips a letterbox
 * (findContentRect), and the content inside is rough-hashed; the nearest few are warped from the
 * full-resolution pixels and matched with the matcher's views and tile verification. The cost on
 * an unrelated image is a small warp per quad: the quads are the quad search's own, found once
 * per query (SubImageSearch.offAxis).
 */
export class ScreenSearch {
  private readonly hasher = new PdqHasher();

  constructor(
    private readonly matcher: WholeImageMatcher,
    private readonly index: HammingIndex,
    private readonly plan: SearchPlan,
  ) {}

  /** The first (or with `best` the closest) screen whose content matches within SCREEN_CLAIM_DISTANCE. */
  find(image: PixelImage, plane: LowRes, best = false, candidates: readonly QuadCandidate[] = quadCandidates(plane)): SubImageMatch | undefined {
    const near: { content: Quad; rotation: number; distance: number }[] = [];
    for (const candidate of candidates) {
      if (candidate.method !== 'quad') continue;
      const content = contentOf(plane, candidate.quad);
      const distance = content && this.rough(plane, content);
      if (content && distance !== undefined && distance <= SCREEN_GATE) near.push({ content, rotation: candidate.rotation, distance });
    }
    near.sort((a, b) => a.distance - b.distance);
    let found: SubImageMatch | undefined;
    for (const { content, rotation } of near.slice(0, MAX_MATCHED)) {
      const quad = content.map((p) => ({ x: p.x * plane.scaleX, y: p.y * plane.scaleY })) as unknown as Quad;
      const warped = uprightQuad(image, quad);
      if (!warped) continue;
      const outcome = this.matcher.match(warped);
      if (outcome.kind !== 'match' || outcome.match.distance > SCREEN_CLAIM_DISTANCE) continue;
      if (found && outcome.match.distance >= found.match.distance) continue;
      found = { match: outcome.match, geometry: geometryOf(quad, rotation, image), method: 'screen' };
      if (!best) break;
    }
    return found;
  }

  /** The nearest stored hash to the content's rough hash, upright only, if within the plan's radius. */
  private rough(plane: LowRes, quad: Quad): number | undefined {
    const h = rectToQuad(quad, ROUGH_SIDE, ROUGH_SIDE);
    if (!h) return undefined;
    const { dct, quality } = this.hasher.hashLuma(warpPlane(plane, h, ROUGH_SIDE), ROUGH_SIDE, ROUGH_SIDE);
    if (quality < QUALITY_GATE) return undefined;
    let nearest: number | undefined;
    this.index.search(this.hasher.hashFromDct(dct), this.plan.radius, (_, d) => (nearest = Math.min(nearest ?? d, d)), this.plan.depth);
    return nearest;
  }
}

/** The quad inside `quad` (plane pixels) left when the bars along its sides are stripped; undefined when there are none. */
function contentOf(plane: LowRes, quad: Quad): Quad | undefined {
  const h = rectToQuad(quad, BAR_SIDE, BAR_SIDE);
  if (!h) return undefined;
  const luma = warpPlane(plane, h, BAR_SIDE);
  const pixels = new Uint8Array(luma.length);
  for (let i = 0; i < luma.length; i++) pixels[i] = Math.max(0, Math.min(255, Math.round(luma[i]!)));
  const r = findContentRect({ pixels, width: BAR_SIDE, height: BAR_SIDE, channels: 1 });
  if (!r) return undefined;
  const { x, y, width, height } = r;
  return [mapPoint(h, x, y), mapPoint(h, x + width, y), mapPoint(h, x + width, y + height), mapPoint(h, x, y + height)];
}

const dist = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);

/** The quad's picture upright at its own size (mean of opposite sides, at most WARP_MAX_SIDE); undefined when degenerate. */
export function uprightQuad(image: PixelImage, q: Quad): PixelImage | undefined {
  const width = (dist(q[0], q[1]) + dist(q[3], q[2])) / 2;
  const height = (dist(q[0], q[3]) + dist(q[1], q[2])) / 2;
  const shrink = Math.min(1, WARP_MAX_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * shrink));
  const h = Math.max(1, Math.round(height * shrink));
  const homography = rectToQuad(q, w, h);
  return homography && warpImage(image, homography, w, h, 1 / shrink);
}

/**
 * Region (bounding box, percent of the query), share of its area, rotation of the screen's sides,
 * and skew: the largest corner displacement from the quad's mean box once turned back, as a share
 * of the box's side (as the quad search reports it).
 */
function geometryOf(q: Quad, rotation: number, image: PixelImage): SubImageMatch['geometry'] {
  const pct = (v: number, of: number) => Math.round((v / of) * 1000) / 10;
  const xs = q.map((p) => Math.min(image.width, Math.max(0, p.x)));
  const ys = q.map((p) => Math.min(image.height, Math.max(0, p.y)));
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const region = {
    x: pct(x0, image.width),
    y: pct(y0, image.height),
    width: pct(Math.max(...xs) - x0, image.width),
    height: pct(Math.max(...ys) - y0, image.height),
  };
  const scale = Math.round(Math.min(1, area(q) / (image.width * image.height)) * 1000) / 1000;
  const a = (-rotation * Math.PI) / 180;
  const cx = q.reduce((s, p) => s + p.x, 0) / 4;
  const cy = q.reduce((s, p) => s + p.y, 0) / 4;
  const [p0, p1, p2, p3] = q.map((p) => ({
    x: (p.x - cx) * Math.cos(a) - (p.y - cy) * Math.sin(a),
    y: (p.x - cx) * Math.sin(a) + (p.y - cy) * Math.cos(a),
  })) as unknown as Quad;
  const [top, bottom, left, right] = [(p0.y + p1.y) / 2, (p2.y + p3.y) / 2, (p0.x + p3.x) / 2, (p1.x + p2.x) / 2];
  const w = right - left;
  const h = bottom - top;
  const off = [p0.x - left, p3.x - left, p1.x - right, p2.x - right]
    .map((d) => Math.abs(d) / w)
    .concat([p0.y - top, p1.y - top, p2.y - bottom, p3.y - bottom].map((d) => Math.abs(d) / h));
  return { region, scale, rotation, skew: Math.round(Math.max(...off) * 1000) / 1000 };
}
