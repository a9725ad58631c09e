import type { PixelImage } from '../pdq/borders.js';
import { ALIGNED_THRESHOLD, type MatcherOptions, type MatchOutcome, type PerceptualMatch } from '../pdq/match-settings.js';
import { PerceptualMatcher } from '../pdq/matcher.js';
import type { PdqIndex } from '../pdq/pdq-index.js';
import { type SubImageGeometry, SubImageSearch } from './sub-image-search.js';

/**
 * Largest distance at which a crop-aligned match of a sub-image is claimed (whole-image matches of
 * a sub-image keep MATCH_THRESHOLD). A query with a dozen candidate regions tries a dozen times as
 * many crop alignments, and a region as small as a plate in a screenshot cannot always be tile
 * verified (tiles under 32 px are not judged). Measured (robustness bench, screenshots and contact
 * sheets of 12 references and their same-template negatives): aligned true copies at 0-22 bits,
 * the same-template other plates that aligned did so at 26-30.
 */
export const SUBIMAGE_ALIGNED_THRESHOLD = 24;

/** A match that carries where in the query it was found (sub-image matches only). */
export type LocatedMatch = PerceptualMatch & { geometry?: SubImageGeometry & { method: string } };

/** The geometry of a match found inside the query; undefined for a whole-image match. */
export function geometryOf(match: PerceptualMatch): (SubImageGeometry & { method: string }) | undefined {
  return (match as LocatedMatch).geometry;
}

/**
 * The audit's perceptual matcher: the whole-image stages first (PerceptualMatcher), and for a query
 * they leave unmatched, the sub-image search (candidate regions matched as images of their own).
 * An image with no agency content pays for the low-resolution edge pass and for the few regions
 * that look like a framed picture (bench: scripts/bench/subimage-cost.js).
 */
export class SubImageMatcher {
  private readonly whole: PerceptualMatcher;
  private readonly search: SubImageSearch;

  constructor(index: PdqIndex, options: MatcherOptions = {}) {
    // One matcher and one Hamming index per thread for both searches: each index holds a per-entry
    // array and scratch (~40 MB at 10 million references), and three per thread were built before.
    this.whole = new PerceptualMatcher(index, options);
    const alignedThreshold = Math.min(options.alignedThreshold ?? ALIGNED_THRESHOLD, SUBIMAGE_ALIGNED_THRESHOLD);
    this.search = new SubImageSearch(this.whole, this.whole.hamming, { alignedThreshold });
  }

  /** Number of usable stored hashes. */
  get size(): number {
    return this.whole.size;
  }

  match(image: PixelImage): MatchOutcome {
    const first = this.whole.match(image);
    // A low-quality whole (a flat screen or page around a small framed photo) is searched too: the
    // picture inside may carry a usable hash where the whole does not.
    if (first.kind === 'match') return first;
    const found = this.search.find(image);
    if (!found) return first;
    const match: LocatedMatch = { ...found.match, geometry: { ...found.geometry, method: found.method } };
    return { kind: 'match', match };
  }
}
