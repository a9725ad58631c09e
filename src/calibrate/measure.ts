import { DEFAULT_DETECT_LIMITS } from '../identify/detector.js';
import { decodeImage } from '../identify/image-decode.js';
import { ALIGNED_THRESHOLD, MATCH_THRESHOLD, type MatchOutcome } from '../identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../identify/pdq/matcher.js';
import { type PdqIndex, pdqIndexOfReferences } from '../identify/pdq/pdq-index.js';
import { SUBIMAGE_ALIGNED_THRESHOLD } from '../identify/subimage/sub-image-matcher.js';
import { SubImageSearch } from '../identify/subimage/sub-image-search.js';
import type { Reference } from '../references/schema.js';

/** Largest distance a calibration run looks at: the top of the default band table. */
export const DEFAULT_MAX_DISTANCE = 47;

/** The closest stored hash one matching stage found, within the calibration's widest band. */
export interface StageHit {
  /** Reference id (as in the fingerprint file). */
  reference: string;
  distance: number;
}

/**
 * What the audit's matcher sees for one query, stage by stage. `direct` is the first stage (whole and
 * unbordered views, 8 dihedrals, every stored variant); `aligned` the crop-alignment stage. Keeping
 * both lets {@link decide} replay the audit's exact decision at any threshold up to `maxDistance`.
 */
export interface QueryMeasurement {
  outcome: 'measured' | 'low-quality' | 'undecodable' | 'unreadable';
  /** Best query-hash quality (0 when undecodable). */
  quality: number;
  direct?: StageHit;
  aligned?: StageHit;
  /** The sub-image search (a framed region of the query matched on its own), when neither stage above is within the lowest band. */
  subimage?: StageHit;
  /** Why the query could not be measured (decoder or read failure), for coverage. */
  detail?: string;
}

/**
 * The audit's perceptual matcher, opened up to `maxDistance` so a calibration sees how far every
 * query is from its nearest reference rather than only whether it passed the default threshold.
 *
 * Two PerceptualMatcher instances over the same references replay the audit's two stages
 * separately: one with the first-stage threshold raised and alignment off, one whose first stage can
 * only accept distance 0 (it runs only when the first found nothing that close) and whose aligned
 * threshold is raised. The audit at threshold T (both stages T) claims the direct hit when it is
 * within T and otherwise the aligned one when that is within T; {@link decide} does exactly that.
 * A third, the sub-image search, matches each framed region of the query with the direct threshold
 * raised (its crop alignment keeps the audit's own SUBIMAGE_ALIGNED_THRESHOLD) and keeps the closest.
 */
export class CalibrationMatcher {
  private readonly direct: PerceptualMatcher;
  private readonly aligned: PerceptualMatcher;
  /** The sub-image search as the audit runs it (its matcher at the audit's threshold): what it claims. */
  private readonly subimage: SubImageSearch;
  /** The sub-image search opened to `maxDistance`: the distance of a near miss, where the audit's finds nothing. */
  private readonly nearMiss: SubImageSearch;
  /** Direct hits at or below this skip the aligned stage: it could only move them within the lowest band. */
  private readonly skipAlignAt: number;

  constructor(
    references: readonly Reference[] | PdqIndex,
    readonly maxDistance = DEFAULT_MAX_DISTANCE,
    lowestBandTop = 7,
    private readonly maxImagePixels = DEFAULT_DETECT_LIMITS.maxImagePixels,
  ) {
    // One index for both matchers.
    const index = Array.isArray(references) ? pdqIndexOfReferences(references as readonly Reference[]) : (references as PdqIndex);
    this.direct = new PerceptualMatcher(index, { threshold: maxDistance, align: false });
    this.aligned = new PerceptualMatcher(index, { threshold: 0, alignedThreshold: maxDistance });
    // A region's matcher opened past the audit's threshold returns a whole view at 32-47 bits where
    // the audit's, finding none within 31, goes on to crop alignment and claims at <= 24 (a plate on
    // a monitor: 42 against 14), so what the audit claims is measured with the audit's own matcher
    // and limits (SubImageMatcher): its thresholds, crop-aligned rectangles held to <= 24.
    const claims = new PerceptualMatcher(index, {
      threshold: Math.min(maxDistance, MATCH_THRESHOLD),
      alignedThreshold: Math.min(maxDistance, ALIGNED_THRESHOLD),
    });
    this.subimage = new SubImageSearch(claims, claims.hamming, { alignedThreshold: Math.min(maxDistance, SUBIMAGE_ALIGNED_THRESHOLD) });
    const inside = new PerceptualMatcher(index, { threshold: maxDistance, alignedThreshold: Math.min(maxDistance, SUBIMAGE_ALIGNED_THRESHOLD) });
    this.nearMiss = new SubImageSearch(inside, inside.hamming);
    this.skipAlignAt = Math.min(lowestBandTop, maxDistance);
  }

  /** Usable stored hashes (quality-gated), as the audit's detector counts them. */
  get size(): number {
    return this.direct.size;
  }

  /** Decodes and measures one query image exactly as an audit would decode it. Never throws for bad content. */
  async measure(bytes: Uint8Array): Promise<QueryMeasurement> {
    const decoded = await decodeImage(bytes, { maxImagePixels: this.maxImagePixels });
    if (!decoded.ok) return { outcome: 'undecodable', quality: 0, detail: `${decoded.reason}: ${decoded.detail}` };
    const first = this.direct.match(decoded.image);
    if (first.kind === 'low-quality') return { outcome: 'low-quality', quality: first.quality };
    const direct = hitOf(first);
    const measurement: QueryMeasurement = { outcome: 'measured', quality: qualityOf(first), ...(direct && { direct }) };
    if (direct && direct.distance <= this.skipAlignAt) return measurement;
    const second = this.aligned.match(decoded.image);
    const aligned = hitOf(second);
    // The aligned matcher's first stage accepts only distance 0, which the direct stage would have found.
    if (aligned && (!direct || aligned.distance < direct.distance)) measurement.aligned = aligned;
    if (aligned && aligned.distance <= this.skipAlignAt) return measurement;
    const inside = this.subimage.find(decoded.image, true) ?? this.nearMiss.find(decoded.image, true);
    const nearestSoFar = Math.min(direct?.distance ?? Infinity, measurement.aligned?.distance ?? Infinity);
    if (inside && inside.match.distance < nearestSoFar) measurement.subimage = { reference: inside.match.reference.id, distance: inside.match.distance };
    return measurement;
  }
}

function hitOf(outcome: MatchOutcome): StageHit | undefined {
  return outcome.kind === 'match' ? { reference: outcome.match.reference.id, distance: outcome.match.distance } : undefined;
}

function qualityOf(outcome: MatchOutcome): number {
  return outcome.kind === 'match' ? outcome.match.quality : outcome.quality;
}

/** The reference the audit would claim at `threshold` (every stage), or undefined for no claim. */
export function decide(m: QueryMeasurement, threshold: number): StageHit | undefined {
  if (m.direct && m.direct.distance <= threshold) return m.direct;
  if (m.aligned && m.aligned.distance <= threshold) return m.aligned;
  if (m.subimage && m.subimage.distance <= threshold) return m.subimage;
  return undefined;
}

/** The nearest hit over every stage: the distance that places a query in a band. */
export function nearest(m: QueryMeasurement): StageHit | undefined {
  let best = m.direct;
  for (const hit of [m.aligned, m.subimage]) if (hit && (!best || hit.distance < best.distance)) best = hit;
  return best;
}
