import type { PixelImage } from '../pdq/borders.js';
import type { Crop } from '../pdq/crops.js';
import { samples } from '../pdq/hamming-chunks.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import type { LowBandIndex } from '../pdq/low-band.js';
import { MARGIN_REGIONS } from '../pdq/low-band-probes.js';
import { type MatchOutcome, type PerceptualMatch, type SearchPlan, searchPlan, WIDE_GRID_DEPTH } from '../pdq/match-settings.js';
import type { AlignSeed } from '../pdq/matcher.js';
import type { Rect } from '../pdq/pdq-hasher.js';
import { trimRect } from '../pdq/views.js';
import type { CandidateRegion, RegionFinder } from './candidate.js';
import { gridCells } from './grid-cells.js';
import { type LowRes, lowRes } from './low-res.js';
import { canvasLevel, outlineQuads } from './outline-quads.js';
import { cut } from './pixels.js';
import { quadCandidates } from './quad-candidates.js';
import { QuadSearch } from './quad-search.js';
import { framedRectangles } from './rectangles.js';
import { GATE_RADIUS, type GateHit, RoughGate } from './rough-gate.js';
import { ScreenSearch } from './screen-search.js';
import { TurnBack } from './turn-back.js';

/**
 * The region finders, in the order their candidates are tried: each is one line here.
 * - framedRectangles: four straight edges with a quiet surround (a viewer's window, a sheet's cell);
 * - gridCells: every cell of a contact sheet whose grid those rectangles show.
 */
export const REGION_FINDERS: readonly RegionFinder[] = [framedRectangles, gridCells];

/** Anything that matches a whole decoded image against the references (PerceptualMatcher). */
export interface WholeImageMatcher {
  /** `seeds`: stored hashes the crop stage also aligns the image to (what let a region through the gate). */
  match(image: PixelImage, seeds?: readonly AlignSeed[]): MatchOutcome;
  /** The one-sided stored crops its index leaves out, which it looks for through trim views (none: all indexed). */
  readonly trimCrops?: readonly Crop[];
  /** Its index's stored hashes by low band (sampled indexes), which the rough gate also looks regions up in. */
  readonly lowBandIndex?: LowBandIndex;
}

/** Where in the query a sub-image match was found, and how it was transformed. */
export interface SubImageGeometry {
  /**
   * The query rectangle that was matched as an image of its own, in percent of the query's width
   * and height (one decimal): the decoder may have shrunk the query, so pixels would not be the file's.
   */
  region: Rect;
  /** Share of the query's area the region covers (0-1, three decimals). */
  scale: number;
  /** Degrees the region was turned back before matching (0 for an upright window or cell). */
  rotation: number;
  /** Largest corner displacement corrected, as a share of the region's side (0 for a rectangle). */
  skew: number;
}

/** A match found inside the query rather than as the whole query. */
export interface SubImageMatch {
  match: PerceptualMatch;
  geometry: SubImageGeometry;
  /** How the candidate region was found: `rectangle` (edges on four sides), `quad` (four sides off the axes), `turn` (the whole frame turned back), `outline` (a picture's outline on a plain canvas, outline-quads.ts), `turn-back` (a straightened picture, turn-back.ts), `screen` (a picture between bars on a screen seen at an angle). */
  method: string;
}

/** How a SubImageSearch judges what its matcher found. */
export interface SubImageSearchOptions {
  /**
   * Largest distance at which a crop-aligned match of a region is kept (SUBIMAGE_ALIGNED_THRESHOLD
   * in the audit); whole-image matches keep the matcher's own threshold. The matcher's aligned stage
   * keeps the closest verified alignment, so holding it to this limit afterwards decides as a
   * matcher opened only to this limit would.
   */
  alignedThreshold?: number;
  /** The region finders, in order (REGION_FINDERS). */
  finders?: readonly RegionFinder[];
}

/**
 * Looks for references inside a query the whole-image stages did not match: each candidate
 * rectangle (rectangles.ts) is cut out and matched as an image of its own by the same matcher, so
 * it gets the whole-image, unbordered and crop-alignment views, every rotation and flip, and the
 * tile verification that rejects same-camera decoys, exactly as a stand-alone copy would. All the
 * cost is on the query side: the index is searched with the same few hashes per candidate.
 */
export class SubImageSearch {
  private readonly gate: RoughGate;
  private readonly alignedThreshold: number;
  private readonly finders: readonly RegionFinder[];
  /** Turned and skewed pictures (quad-search.ts), searched where no upright region matched. */
  private readonly quads: QuadSearch;
  /** Straightened pictures (turn-back.ts), turned back where no quad matched. */
  private readonly turns: TurnBack;
  /** Pictures between bars on a screen seen at an angle (screen-search.ts), where nothing else matched. */
  private readonly screens: ScreenSearch;

  /**
   * `index` is the one `matcher` searches (PerceptualMatcher.hamming): an index keeps a per-entry
   * array and scratch per thread (40 MB at 10 million references), so a thread holds one.
   */
  constructor(
    private readonly matcher: WholeImageMatcher,
    index: HammingIndex,
    options: SubImageSearchOptions = {},
  ) {
    this.gate = new RoughGate(index, matcher.trimCrops, matcher.lowBandIndex);
    this.alignedThreshold = options.alignedThreshold ?? Infinity;
    this.finders = options.finders ?? REGION_FINDERS;
    const plan = offAxisPlan(index.size);
    this.quads = new QuadSearch(matcher, index, plan);
    this.turns = new TurnBack(matcher, index, plan);
    this.screens = new ScreenSearch(matcher, index, plan);
  }

  /**
   * The first candidate (finders in order, each's most likely first) that matches, or with `best`
   * the closest match over all candidates (calibration, which reports distances); undefined when
   * none matches. Every candidate passes the rough gate before any is matched: the gate samples the
   * query's filtered plane, which matching a candidate would displace.
   */
  find(image: PixelImage, best = false): SubImageMatch | undefined {
    const plane = lowRes(image);
    const candidates: CandidateRegion[] = [];
    for (const finder of this.finders) candidates.push(...finder(image, plane));
    if (candidates.length === 0) return this.offAxis(image, plane, best);
    // Each passing region with the stored hash that let it through, which its matcher aligns it to:
    // a region met only through a trim view or the low band can be far from every crop its matcher's
    // own searches meet at a million references, yet align to that stored view.
    const passing: { c: CandidateRegion; hit: GateHit | undefined }[] = [];
    for (const [i, c] of candidates.entries()) {
      if (c.pixels ? this.gate.nearPixels(c.pixels) : this.gate.near(image, c.region, i < MARGIN_REGIONS)) passing.push({ c, hit: this.gate.lastHit });
    }
    const total = image.width * image.height;
    let found: SubImageMatch | undefined;
    for (const { c, hit } of passing) {
      const pixels = c.pixels ?? cut(image, c.region);
      const outcome = this.matcher.match(pixels, hit ? [seedOf(hit, pixels)] : []);
      if (outcome.kind !== 'match') continue;
      // The matcher is the whole-image one; a crop-aligned match of a region is held to the lower limit.
      if (outcome.match.transform.includes('/aligned:') && outcome.match.distance > this.alignedThreshold) continue;
      if (found && outcome.match.distance >= found.match.distance) continue;
      const { region, rotation, skew, method } = c;
      const scale = Math.round(((region.width * region.height) / total) * 1000) / 1000;
      found = { match: outcome.match, geometry: { region: percentOf(region, image), scale, rotation, skew }, method };
      if (!best) break;
    }
    return found ?? this.offAxis(image, plane, best);
  }

  /**
   * Where no upright region matched: turned and skewed pictures, straightened ones, then screens.
   * The quad and screen searches start from the same quad candidates, found once here (finding
   * them was 2.3 of the screen search's 3.3 ms when it found them again).
   *
   * The quad search's turn candidates (the whole frame turned back by its dominant edge angle: a
   * picture turned and cropped to the frame, or turned on a canvas grown to hold it) are each worth
   * eight rough hashes only where the plane's ring is a plain canvas (canvasLevel) or one of
   * turn-back's sparse turns of the frame's centre came within the radius: a picture that fills the
   * frame turned is what both look for, so a copy a turn candidate claims shows one or the other,
   * and an unrelated photo rarely shows either. Measured (scripts/bench/picture-evidence.js, 200
   * camera-roll photos, 4 references per kind): all 29 copies claimed by a turn candidate had a
   * canvas (ring 0.92-0.99) or a sparse turn within 14-30 bits (straightened), while 12 of the
   * photos had a sparse turn within the radius and none a canvas (ring at most 0.29). The robustness
   * bench (--per-kind 8 --hard 20) the same case by case, miss by miss and distance band by band; the
   * search's added CPU on unrelated images 0.890x (subimage-ab.js, 0 of 641 results differ).
   */
  private offAxis(image: PixelImage, plane: LowRes, best: boolean): SubImageMatch | undefined {
    const quads = quadCandidates(plane);
    // Turn-back's sparse turns, which every such query pays for, are hashed first: with the canvas
    // test they are the evidence the turn candidates need.
    const sparse = this.turns.sparse(plane);
    // The ring's canvas test once, for the turn candidates' evidence and the outlines (most photos have none).
    const canvas = canvasLevel(plane);
    return (
      this.quads.find(image, plane, best, sparse.near || canvas !== undefined ? quads : quads.filter((q) => q.method !== 'turn')) ??
      // After the line search's quads, so that what they claim is claimed as before.
      (canvas === undefined ? undefined : this.quads.find(image, plane, best, outlineQuads(plane, image, canvas))) ??
      this.turns.find(image, plane, best, sparse) ??
      this.screens.find(image, plane, best, quads)
    );
  }
}

/** The gate's hit as an alignment seed in the region's own pixels: the trim view's part of it, or the whole. */
function seedOf(hit: GateHit, pixels: PixelImage): AlignSeed {
  const whole = { x: 0, y: 0, width: pixels.width, height: pixels.height };
  return { entry: hit.entry, dihedral: hit.dihedral, rect: hit.trim ? trimRect(whole, hit.trim) : whole };
}

function percentOf(r: Rect, image: PixelImage): Rect {
  const pct = (v: number, of: number) => Math.round((v / of) * 1000) / 10;
  return { x: pct(r.x, image.width), y: pct(r.y, image.height), width: pct(r.width, image.width), height: pct(r.height, image.height) };
}

/** Re-exported: callers cut regions through the search's module. */
export { cut } from './pixels.js';

/**
 * The index searches of the quad, turn-back and screen searches: the gate's radius, and in a
 * sampled index (past 8,192 stored hashes) the crop grid's probe depth (WIDE_GRID_DEPTH: in the 12
 * chunks past 2^20 exact to 23 bits, ~270 probes instead of ~2,000; a sample beyond, p 0.99 at 31 bits, 0.85 at 40). They
 * rough-hash every quad and up to 20 turns of an image with no agency content, 28 searches per image
 * at the first stage's depth: at 1M references the largest cost left (scripts/bench/search-calls.js).
 * A true copy's rough hash is 10-34 bits from its reference at its best turn and neighbouring turns
 * and quads are further chances, as the crop grid's crops are. Measured at 1M references, 80
 * camera-roll images (scripts/bench/match-ab.js): 55.3 -> 37.8 ms per image, 0 outcomes different;
 * the robustness bench with a million distractors derived from its references identical in every
 * class and case. Smaller indexes are scanned.
 */
export function offAxisPlan(entries: number): SearchPlan {
  const plan = searchPlan(entries);
  const radius = Math.min(plan.radius, GATE_RADIUS);
  return samples(entries) ? { radius, depth: WIDE_GRID_DEPTH } : { ...plan, radius };
}
