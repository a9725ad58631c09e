import { findContentRect, type PixelImage } from '../pdq/borders.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import { newHash } from '../pdq/hash256.js';
import type { SearchPlan } from '../pdq/match-settings.js';
import type { Rect } from '../pdq/pdq-hasher.js';
import { PdqHasher } from '../pdq/pdq-hasher.js';
import type { LowRes } from './low-res.js';
import { type QuadCandidate, quadCandidates } from './quad-candidates.js';
import { claimUpright, inQuery, quadGeometry, roughDct, usable } from './quad-geometry.js';
import { GATE_RADIUS } from './rough-gate.js';
import type { SubImageMatch, WholeImageMatcher } from './sub-image-search.js';
import { type Homography, mapPoint, type Quad, rectToQuad } from './warp-homography.js';
import { warpPlane } from './warp-image.js';

/** Side of the square a quad is warped to from the plane to find the bars inside it. */
const BAR_SIDE = 128;
/**
 * Rough-hash radius a screen's content must be within to be warped and matched: the index's own
 * radius (GATE_RADIUS). Measured (scratch trace of the robustness bench's monitor cases, 4
 * references per kind): the content of the nearest screen quad was 14-32 bits from its reference
 * for vehicle captures, 14-54 for portraits, 40-74 for plate crops, whose content quads keep a
 * little of the bars and whose text the rough hash blurs; crop alignment matched plate crops'
 * quads at 52-66 rough bits at 12-20 (claimed within SCREEN_CLAIM_DISTANCE). The screens found in
 * 24 unrelated synthetic scenes were 96-108 from every reference, and no result of 161 unrelated
 * images changed when the gate was opened from 50 (scripts/bench/subimage-ab.js).
 */
const SCREEN_GATE = GATE_RADIUS;
/**
 * Screens whose content passed the gate that go on to the full matcher, nearest first. In a sampled
 * index (past 8,192 stored hashes) a rough distance is what the probes met, which can be a farther
 * hash than the nearest: with a million distractors of the robustness bench's references, the
 * screen of a monitor-left vehicle that matches at 4 bits measured 52 instead of 38 and fell to third
 * behind two screens that match nothing, and the copy was lost. A screen passes the gate at 70 bits
 * only near agency content (unrelated screens sit at 96-108), so trying a few more costs an
 * unrelated image nothing.
 */
const MAX_MATCHED = 4;
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
  private readonly dct = new Float32Array(256);
  private readonly bits = newHash();

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
    const tries = near.slice(0, MAX_MATCHED).map(({ content, rotation }) => {
      const quad = inQuery(content, plane);
      return { quad, geometry: () => quadGeometry(quad, rotation, image), method: 'screen' };
    });
    return claimUpright(this.matcher, image, tries, SCREEN_CLAIM_DISTANCE, best);
  }

  /** The nearest stored hash to the content's rough hash, upright only, if within the plan's radius. */
  private rough(plane: LowRes, quad: Quad): number | undefined {
    const sample = roughDct(plane, quad, this.dct);
    if (!sample) return undefined;
    let nearest: number | undefined;
    this.index.search(this.hasher.hashFromDct(this.dct, this.bits), this.plan.radius, (_, d) => (nearest = Math.min(nearest ?? d, d)), this.plan.depth);
    // Too flat to hash: judged only for a sample that found something (roughDct).
    return nearest !== undefined && usable(sample) ? nearest : undefined;
  }
}

/**
 * A checkerboard of black and white: inside a warp whose outer lines alone are filled in, no
 * further line is near one colour (of the part inside the band, half its pixels are 255 from the
 * other half, far over findContentRect's 2% of outliers).
 */
const CHECKERBOARD = Uint8Array.from({ length: BAR_SIDE * BAR_SIDE }, (_, i) => (((i % BAR_SIDE) + Math.floor(i / BAR_SIDE)) % 2) * 255);

/**
 * Lines from each side warped second, when the outermost ones showed a bar may start there: a band
 * of 8 is 3,840 of the warp's 16,384 pixels. Of the 388 screen quads of the share's 500 unrelated
 * camera-roll photos, 252 passed the outermost lines and were warped whole, 0.3 of the search's
 * 4.4 CPU-ms an image; 165 of them strip at most 8 lines a side, which the band decides alone.
 */
const BAND = 8;

/** Luma in 8 bits, as findContentRect reads it: every pixel, or with `band` those of the lines within `band` of the sides. */
function bytesOf(luma: Float32Array, into: Uint8Array, band = BAR_SIDE): Uint8Array {
  for (let v = 0; v < BAR_SIDE; v++) {
    // A row inside the band's rows: its first `band` pixels, then its last.
    const inner = v >= band && v < BAR_SIDE - band;
    for (let u = 0, i = v * BAR_SIDE; u < BAR_SIDE; inner && u === band - 1 ? ((u = BAR_SIDE - band), (i = v * BAR_SIDE + u)) : (u++, i++))
      into[i] = Math.max(0, Math.min(255, Math.round(luma[i]!)));
  }
  return into;
}

/**
 * The banded warps' buffers, one pair per band width (1 and BAND), kept per thread: a warp and its
 * bytes within `band` of the sides are written over the same pixels every time, so the pixels
 * outside stay the checkerboard and bytesOf reads only what this warp wrote. A fresh 64 KB warp
 * and a copy of the checkerboard per banded warp were most of the banded warps' cost.
 */
const bandScratches = new Map<number, { luma: Float32Array; pixels: Uint8Array }>();
function bandScratch(band: number): { luma: Float32Array; pixels: Uint8Array } {
  let scratch = bandScratches.get(band);
  if (!scratch) bandScratches.set(band, (scratch = { luma: new Float32Array(BAR_SIDE * BAR_SIDE), pixels: CHECKERBOARD.slice() }));
  return scratch;
}

/**
 * findContentRect of the warp's lines within `band` of the sides, inside the checkerboard, where
 * that is the whole warp's answer; undefined where it may not be. findContentRect counts each
 * side's lines near one colour from the outside in, stopping at the first that is not, and the
 * checkerboard's lines are none: so a side that stops inside the band stops where the whole warp's
 * does, and a side that reaches it (its count `band`, stripped as `band` + 1 lines) might go on.
 * `found` says whether the banded warp found any content rectangle at all.
 */
function banded(plane: LowRes, h: Homography, band: number): { found: boolean; rect?: Rect } {
  const scratch = bandScratch(band);
  const pixels = bytesOf(warpPlane(plane, h, BAR_SIDE, band, scratch.luma), scratch.pixels, band);
  const rect = findContentRect({ pixels, width: BAR_SIDE, height: BAR_SIDE, channels: 1 });
  if (!rect) return { found: false };
  const stripped = [rect.x, rect.y, BAR_SIDE - rect.x - rect.width, BAR_SIDE - rect.y - rect.height];
  return stripped.includes(band + 1) ? { found: true } : { found: true, rect };
}

/**
 * The quad inside `quad` (plane pixels) left when the bars along its sides are stripped; undefined
 * when there are none. findContentRect strips a side only when that side's outermost line is near
 * one colour, so the four outermost lines are warped first, inside a checkerboard no further line
 * passes: when nothing is stripped there, nothing would be from the whole warp (exact). Measured
 * (subimage-cost.js's 161 unrelated images): 132 of their 199 screen quads end there, at 508 of
 * the 16,384 warped pixels. The rest are warped in a band of BAND lines next, and whole only where
 * a side's bar reaches the band (banded: the same answer either way).
 */
export function contentOf(plane: LowRes, quad: Quad): Quad | undefined {
  const h = rectToQuad(quad, BAR_SIDE, BAR_SIDE);
  if (!h) return undefined;
  if (!banded(plane, h, 1).found) return undefined;
  let r = banded(plane, h, BAND).rect;
  if (!r) {
    const pixels = bytesOf(warpPlane(plane, h, BAR_SIDE), new Uint8Array(BAR_SIDE * BAR_SIDE));
    r = findContentRect({ pixels, width: BAR_SIDE, height: BAR_SIDE, channels: 1 });
  }
  if (!r) return undefined;
  const { x, y, width, height } = r;
  return [mapPoint(h, x, y), mapPoint(h, x + width, y), mapPoint(h, x + width, y + height), mapPoint(h, x, y + height)];
}
