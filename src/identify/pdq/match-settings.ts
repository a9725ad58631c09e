import type { ReferenceLabel } from '../../references/index-set.js';
import { cheapestExactDepths, chunkWidths, type ProbeDepth, SAMPLED_ENTRIES, WIDE_ENTRIES } from './hamming-chunks.js';
import type { TileCheck } from './tiles.js';

// The perceptual matcher's thresholds and radii (measured on the bench; see each), its options and
// what it returns. Apart from the matcher, so that calibration and the detector read them without
// loading the matcher, and so that radii can follow the size of the index.

/**
 * Match threshold in bits, inclusive: Meta's and python-threatexchange's published confident-match
 * distance for PDQ. Used for every direct comparison (any stored variant, any query view).
 */
export const MATCH_THRESHOLD = 31;
/** Hashes with quality below this never claim a match (pytx QUALITY_THRESHOLD; Meta says discard <= 49). */
export const QUALITY_GATE = 50;
/** Candidate radius for crop alignment: a misaligned crop of a true copy lands here (unrelated bench photos reach 40-94 too; the aligned threshold and tiles decide). */
export const ALIGN_CANDIDATE_RADIUS = 63;
/**
 * Grid candidates farther than this are not refined. Measured on the synthetic benchmark (60
 * references, random trims 0-10%/side): a true copy's best grid candidate was always within 52
 * bits, while same-camera hard negatives sat at 54-62 and refined only to 46+, so refining them
 * was pure cost (most of the ~0.9 s the second stage spent on unrelated vehicles).
 */
export const REFINE_RADIUS = 54;
/** A refined distance this small is conclusive: the remaining candidates are not refined. */
export const CONCLUSIVE_DISTANCE = 16;
/** After aligning the query crop to a candidate, the distance it must reach (the same 31 bits). */
export const ALIGNED_THRESHOLD = 31;

/** A perceptual match of a query against one stored reference hash. */
export interface PerceptualMatch {
  /** The reference's id and class. */
  reference: ReferenceLabel;
  /** The reference's number in the index the matcher was built over (how a matching thread names it). */
  referenceIndex: number;
  /** The stored variant that matched (`full`, `crop:t,r,b,l`). */
  variant: string;
  distance: number;
  threshold: number;
  /** Quality of the query hash that matched. */
  quality: number;
  /** How the query was viewed: `<view>/<dihedral>`, plus `/aligned:x,y,w,h` (percent) when crop-aligned. */
  transform: string;
  /** The tile verification (tiles.ts); undefined when the fingerprint set stores no tiles for the reference. */
  tiles?: TileCheck;
}

export type MatchOutcome = { kind: 'match'; match: PerceptualMatch } | { kind: 'no-match'; quality: number } | { kind: 'low-quality'; quality: number };

/** Tunables, exposed for calibration runs; the defaults are the documented thresholds. */
export interface MatcherOptions {
  threshold?: number;
  alignedThreshold?: number;
  candidateRadius?: number;
  /** Skip the crop-alignment stage (faster, no crop robustness beyond the stored variants). */
  align?: boolean;
  /** Tile distance above which a candidate is rejected (tiles.ts); Infinity turns verification off. */
  tileThreshold?: number;
}

/**
 * Radius within which the first stage ranks orientations for the crop stage. Measured (bench, 3
 * kinds, random trims of 0-10% per side, with and without quarter turns): a trimmed copy's whole
 * view was 24-88 bits from its reference's nearest stored view, in the right orientation; unrelated
 * images sit around 128 +- 8. Beyond MAX_INDEX_RADIUS the index is scanned, which only pays for
 * small sets (ORIENTATION_SCAN_ENTRIES); larger sets follow {@link searchPlan}.
 */
export const ORIENTATION_RADIUS = 95;
/** Stored hashes up to which the first stage scans at ORIENTATION_RADIUS (16 views x entries popcounts); past it, the index samples. */
export const ORIENTATION_SCAN_ENTRIES = SAMPLED_ENTRIES;
/** Orientations the crop stage searches, best first. */
export const ALIGN_ORIENTATIONS = 2;
/**
 * Orientations the crop stage searches in an index past 2^20 hashes (WIDE_ENTRIES): the best only.
 * There a chance stored hash within the first stage's radius (81 bits at 1M) puts a second
 * orientation in most queries that reach the crop stage, which doubled its grid (16 coarse crops
 * and their fine neighbours per orientation); a trimmed copy's own orientation is the nearest, and
 * the two closest first-stage seeds are aligned in whatever orientation met them.
 */
export const WIDE_ALIGN_ORIENTATIONS = 1;

/** First-stage near misses (within SEED_RADIUS) the crop stage aligns directly. */
export const ALIGN_SEEDS = 2;
/** Near misses farther than this are left to the crop grid (unrelated photos sit at 60-98 on the bench set). */
export const SEED_RADIUS = 80;

/** First-stage candidates verified per query, closest first: bounds the cost of a crowded neighbourhood. */
export const MAX_VERIFIED = 8;

/**
 * How the first stage searches an index of `entries` stored hashes: out to which radius (where the
 * crop stage's orientations and seeds come from), and how deep the multi-index probes go.
 *
 * - Up to ORIENTATION_SCAN_ENTRIES: a scan out to ORIENTATION_RADIUS (95 bits), as measured on the
 *   bench.
 * - Larger: the radius follows the index size, so that chance candidates stay rare. Two unrelated
 *   PDQ hashes are within r bits with the binomial probability P(Bin(256, 1/2) <= r): 2e-5 at 95,
 *   9e-10 at 80, 1e-11 at 75. A query makes 16 searches (2 views x 8 orientations); the radius is
 *   the largest (at most 95) at which `entries x 16 x P` stays under CHANCE_CANDIDATES: 85 at
 *   100,000 entries, 81 at 3 million, 78 at 30 million. A scan out to that radius would read every
 *   entry per search, so the probes go `depth` bits deep in each chunk instead (HammingIndex.search:
 *   exact to the sum over chunks of (depth + 1), less 1, a falling sample beyond): the cheapest
 *   depths that are exact to the match threshold (cheapestExactDepths), in chunks of about one stored
 *   hash per value (chunkWidths: 16 x 16 bits below 2^17 entries, then 15 to 12 chunks of 17-22
 *   bits; at 3M entries 2 in eight chunks, 1 in four). Measured at 1M references (3M hashes) they
 *   cut a stage-one search by a third against depth 2 everywhere, and the sample beyond 31 bits thins
 *   (a hash 60 bits away is met with p 0.57 instead of 0.71, 80 bits 0.13 instead of 0.17; each
 *   reference stores three core views). Past 2^24 entries (ten million references) 11 chunks of 23
 *   bits (WIDER_CHUNKS): 2 in ten chunks, 1 in one. Below 2^20 entries the 16-bit chunks were once
 *   probed 2-3 bits deep (exact to 47-63 bits): 4,000-20,000 candidates per search and matching 13-25x
 *   the 151-reference set's at 10,000-50,000 references; sampled, 1.7-2.0x (SAMPLED_ENTRIES).
 */
export interface SearchPlan {
  radius: number;
  /** Probe depth, per chunk or the same in all; undefined: scan (exact at any radius). */
  depth?: ProbeDepth;
}

/** Expected chance stored hashes within the radius, per query, the radius is chosen to stay under. */
export const CHANCE_CANDIDATES = 0.1;

/** P(Bin(256, 1/2) <= r) for r = 0..256. */
const CHANCE: readonly number[] = (() => {
  const out: number[] = [];
  let term = 2 ** -256;
  let sum = 0;
  for (let k = 0; k <= 256; k++) {
    sum += term;
    out.push(sum);
    term = (term * (256 - k)) / (k + 1);
  }
  return out;
})();

/** The search plan of an index of `entries` stored hashes, exact to `exactTo` bits (a matcher opened past the threshold). */
export function searchPlan(entries: number, exactTo = MATCH_THRESHOLD): SearchPlan {
  if (entries <= ORIENTATION_SCAN_ENTRIES) return { radius: ORIENTATION_RADIUS };
  let radius = MATCH_THRESHOLD;
  while (radius < ORIENTATION_RADIUS && entries * 16 * CHANCE[radius + 1]! <= CHANCE_CANDIDATES) radius++;
  const depths = cheapestExactDepths(chunkWidths(entries), exactTo, entries);
  // Probes reach at most 4 bits a chunk (44 in 11 chunks past 2^24): a matcher opened wider than
  // that (calibration, to 47) scans, so that every distance it reports is exact.
  if (depths.reduce((sum, d) => sum + d + 1, 0) <= exactTo) return { radius };
  return { radius, depth: depths };
}

/**
 * Probe depth, in a sampled index (past SAMPLED_ENTRIES), of the searches that look for a copy
 * through many query views, the crop grid's (up to 81 crops x 2 orientations) and the trim views'
 * (8); smaller indexes scan. In 12 wide chunks depth 1 is exact to 23 bits and a sample beyond
 * (p 0.99 at 31 bits, 0.85 at 40, 0.45 at 52), where depth 2 met 0.92 at 52 at ten times the cost
 * (at 3 million entries ~2,900 probes and ~3,400 compared hashes per search, against ~270 and ~300;
 * a compared hash is a cache miss in a 96 MB pool). Measured on the 1M bench set at depth 2: the
 * crop stage cost ~580 ms of CPU per image that reached it, ~2.7 ms per grid search. A true copy
 * brings many grid crops near its reference (its nearest coarse crop was almost always under 30
 * bits, FINE_GRID_GATE) and each stored core view is another chance, so one sampled crop suffices;
 * the robustness bench with a million distractors measures what it costs in recall.
 */
export const WIDE_GRID_DEPTH = 1;

/**
 * The per-chunk depths of the first stage's shallow searches and of the trim views' searches in an
 * index past 2^20 stored hashes (WIDE_ENTRIES; undefined below): 1 bit deep in every other chunk
 * and the chunk's own value alone in the others, as the sub-image gate's turned searches are probed
 * (rough-gate.ts turnedGateDepths). Half the probes of WIDE_GRID_DEPTH, exact to 17 bits (16 past
 * 2^24) and a sample beyond (simulated, 12 wide chunks: p 0.93 at 30 bits, 0.81 at 35, 0.64 at 40,
 * where 1 bit in every chunk meets 0.996, 0.96, 0.85). Every query makes them (16 first-stage
 * searches, up to 8 trim views) and at 1M references nearly all meet nothing; a direct copy is met
 * by its reference's three stored core views through two query views, and any of them opens the
 * deep probes of its orientation (orientation-search.ts shallowDepths). Measured at 1M references
 * (session 19, scripts/bench/match-ab.js against the build before, 80 camera-roll images x 3, three
 * runs): CPU per image x0.903, x0.940, x0.946, 0 of 80 outcomes changed (at 10M, 80 x 2: x0.877,
 * x0.905, x0.916, 0 changed); the share's 142 planted copies x0.77, 0 changed; the robustness bench
 * with each million-reference distractor store the same misses as the build before (derived
 * 449/459, unrelated 446/459, precision 1.000). Of the 1M saving, the first stage's part is x0.965.
 * The robustness bench measures with the calibration matcher's wide radius, which never probes
 * shallow, so the audit's matcher was checked apart at 1M references: the bench's 31 cases applied to
 * 50 of the share's agency images (1,550 copies), every one found by both builds and 5 by another
 * view (one the build before gave to the wrong reference at 30 bits, now its own at 6), x0.861; the
 * 636 camera-roll photos, 0 outcomes changed, x0.943.
 */
export function halfDepths(entries: number): number[] | undefined {
  return entries > WIDE_ENTRIES ? chunkWidths(entries).map((_, c) => (c % 2 === 0 ? 1 : 0)) : undefined;
}
