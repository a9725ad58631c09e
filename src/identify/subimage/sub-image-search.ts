import type { PixelImage } from '../pdq/borders.js';
import { DIHEDRAL, transformDct } from '../pdq/dihedral.js';
import { FilteredPlane } from '../pdq/filtered-plane.js';
import { HammingIndex } from '../pdq/hamming-index.js';
import { type MatchOutcome, type PerceptualMatch, QUALITY_GATE, type SearchPlan, searchPlan } from '../pdq/match-settings.js';
import { PdqHasher, type Rect } from '../pdq/pdq-hasher.js';
import type { PdqIndex } from '../pdq/pdq-index.js';
import { type LowRes, lowRes } from './low-res.js';
import { QuadSearch } from './quad-search.js';
import { findRectangles, inQuery } from './rectangles.js';

/**
 * A candidate region goes to the full matcher only when its rough hash (from the low-resolution
 * plane) has a stored hash this close in some orientation. Unrelated content sits at 128 +- 8
 * bits; a framed copy's rough hash was within 0-50 bits of its reference (robustness bench), the
 * rough sampling adding up to ~20 to what the full matcher then finds.
 */
export const GATE_RADIUS = 70;

/** Anything that matches a whole decoded image against the references (PerceptualMatcher). */
export interface WholeImageMatcher {
  match(image: PixelImage): MatchOutcome;
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
  /** How the candidate region was found: `rectangle` (edges on four sides), `quad` (four sides off the axes), `turn` (the whole frame turned back). */
  method: string;
}

/**
 * Looks for references inside a query the whole-image stages did not match: each candidate
 * rectangle (rectangles.ts) is cut out and matched as an image of its own by the same matcher, so
 * it gets the whole-image, unbordered and crop-alignment views, every rotation and flip, and the
 * tile verification that rejects same-camera decoys, exactly as a stand-alone copy would. All the
 * cost is on the query side: the index is searched with the same few hashes per candidate.
 */
export class SubImageSearch {
  private readonly index: HammingIndex;
  private readonly plan: SearchPlan;
  private readonly hasher = new PdqHasher();
  /** Turned and skewed pictures (quad-search.ts), searched where no upright rectangle matched. */
  private readonly quads: QuadSearch;

  constructor(
    private readonly matcher: WholeImageMatcher,
    data: PdqIndex,
  ) {
    this.index = new HammingIndex(data.hamming);
    const plan = searchPlan(this.index.size);
    this.plan = { ...plan, radius: Math.min(plan.radius, GATE_RADIUS) };
    this.quads = new QuadSearch(matcher, this.index, this.plan);
  }

  /**
   * The first candidate (most clearly framed first) that matches, or with `best` the closest match
   * over all candidates (calibration, which reports distances); undefined when none matches.
   */
  find(image: PixelImage, best = false): SubImageMatch | undefined {
    const plane = lowRes(image);
    const rects = findRectangles(plane);
    if (rects.length === 0) return this.quads.find(image, plane, best);
    const rough = new FilteredPlane(greyImage(plane));
    const total = image.width * image.height;
    let found: SubImageMatch | undefined;
    for (const low of rects) {
      if (!this.near(rough, low)) continue;
      const region = inQuery(low, plane);
      const outcome = this.matcher.match(cut(image, region));
      if (outcome.kind !== 'match') continue;
      if (found && outcome.match.distance >= found.match.distance) continue;
      const scale = Math.round(((region.width * region.height) / total) * 1000) / 1000;
      found = { match: outcome.match, geometry: { region: percentOf(region, image), scale, rotation: 0, skew: 0 }, method: 'rectangle' };
      if (!best) break;
    }
    return found ?? this.quads.find(image, plane, best);
  }

  /** Whether a region's rough hash has a stored hash within the gate in some orientation. */
  private near(rough: FilteredPlane, r: Rect): boolean {
    const dct = new Float32Array(256);
    const turned = new Float32Array(256);
    rough.dctOf(r, dct);
    if (rough.quality() < QUALITY_GATE) return false;
    let hit = false;
    for (const d of DIHEDRAL) {
      if (d !== 'original') transformDct(dct, d, turned);
      this.index.search(this.hasher.hashFromDct(d === 'original' ? dct : turned), this.plan.radius, () => (hit = true), this.plan.depth);
      if (hit) return true;
    }
    return false;
  }
}

/** The low-resolution plane as a grey image, for a rough hash of any region of it. */
function greyImage(plane: LowRes): PixelImage {
  const pixels = new Uint8Array(plane.luma.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(plane.luma[i]!);
  return { pixels, width: plane.width, height: plane.height, channels: 1 };
}

function percentOf(r: Rect, image: PixelImage): Rect {
  const pct = (v: number, of: number) => Math.round((v / of) * 1000) / 10;
  return { x: pct(r.x, image.width), y: pct(r.y, image.height), width: pct(r.width, image.width), height: pct(r.height, image.height) };
}

/** A copy of the pixels inside `r` as an image of its own. */
export function cut(image: PixelImage, r: Rect): PixelImage {
  const { channels, width } = image;
  const pixels = new Uint8Array(r.width * r.height * channels);
  const row = r.width * channels;
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * width + r.x) * channels;
    pixels.set(image.pixels.subarray(from, from + row), y * row);
  }
  return { pixels, width: r.width, height: r.height, channels };
}
