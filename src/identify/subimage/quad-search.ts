import type { PixelImage } from '../pdq/borders.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import type { SearchPlan } from '../pdq/match-settings.js';
import { OrientationHashes } from '../pdq/orientation-hashes.js';
import type { LowRes } from './low-res.js';
import { type QuadCandidate, quadCandidates } from './quad-candidates.js';
import { claimUpright, inQuery, quadGeometry, roughDct, usable } from './quad-geometry.js';
import type { SubImageMatch, WholeImageMatcher } from './sub-image-search.js';
import type { Quad } from './warp-homography.js';

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
 * template at 22 bits, tiles passing (scripts/bench/off-axis-cost.js); true copies in the warp cases
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
  /** The rough hash in all eight orientations (orientation-hashes.ts: what the views share made once). */
  private readonly orientations = new OrientationHashes();
  private readonly dct = new Float32Array(256);

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
    const tries = near.slice(0, MAX_WARPED).map(({ candidate: { quad, rotation, method } }) => {
      const inImage = inQuery(quad, plane);
      return { quad: inImage, geometry: () => quadGeometry(inImage, rotation, image), method };
    });
    return claimUpright(this.matcher, image, tries, QUAD_CLAIM_DISTANCE, best);
  }

  /** The nearest stored hash to the quad's rough hash in any orientation, if within the gate. */
  private rough(plane: LowRes, quad: Quad): number | undefined {
    const { dct } = this;
    const sample = roughDct(plane, quad, dct);
    if (!sample) return undefined;
    let nearest: number | undefined;
    const found = (_: number, distance: number) => {
      nearest = Math.min(nearest ?? distance, distance);
    };
    this.orientations.walk(dct, (hash) => {
      this.index.search(hash, this.plan.radius, found, this.plan.depth);
      return false;
    });
    // Too flat to hash: judged only for a sample that found something (roughDct).
    return nearest !== undefined && usable(sample) ? nearest : undefined;
  }
}
