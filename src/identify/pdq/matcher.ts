import type { PdqEntry, Reference } from '../../fingerprint/schema.js';
import { findContentRect, type PixelImage } from './borders.js';
import { cropRect, cropVariant, type Crop } from './crops.js';
import { DIHEDRAL, transformDct, type Dihedral } from './dihedral.js';
import { hamming, hashFromHex, hashToHex, type Hash256 } from './hash256.js';
import { HammingIndex } from './hamming-index.js';
import { PdqHasher, type PdqResult, type Rect } from './pdq-hasher.js';
import { refineAlignment } from './refine.js';
import { FilteredPlane } from './filtered-plane.js';

/**
 * Match threshold in bits, inclusive: Meta's and python-threatexchange's published confident-match
 * distance for PDQ. Used for every direct comparison (any stored variant, any query view).
 */
export const MATCH_THRESHOLD = 31;
/** Hashes with quality below this never claim a match (pytx QUALITY_THRESHOLD; Meta says discard <= 49). */
export const QUALITY_GATE = 50;
/** Candidate radius for crop alignment: a misaligned crop of a true copy lands here, unrelated images at 110+. */
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
/**
 * Orientations searched in the alignment stage: as-is and mirrored (PDQ's flipY). Each one costs a
 * full candidate search per query crop, and a crop combined with a quarter-turn is rare; quarter
 * turns of uncropped or bordered copies are still found by the first stage.
 */
export const ALIGN_DIHEDRALS: readonly Dihedral[] = ['original', 'flipY'];

/**
 * Crops (percent per side: top, right, bottom, left) stored per reference besides the full view.
 * They seed the alignment search: a copy trimmed anywhere within 10% per side is within a few
 * percent of one of them, close enough for `refineAlignment` to finish the job.
 */
export const REFERENCE_CROPS: readonly Crop[] = [
  [0, 0, 0, 0],
  [5, 5, 5, 5],
  [10, 10, 10, 10],
  [10, 0, 0, 0],
  [0, 10, 0, 0],
  [0, 0, 10, 0],
  [0, 0, 0, 10],
  [10, 10, 0, 0],
  [0, 10, 10, 0],
  [0, 0, 10, 10],
  [10, 0, 0, 10],
];

/** The hashes stored for one reference image: the full view and each of REFERENCE_CROPS. */
export function referenceHashes(image: PixelImage, hasher = new PdqHasher()): PdqEntry[] {
  const whole: Rect = { x: 0, y: 0, width: image.width, height: image.height };
  return REFERENCE_CROPS.map((crop) => {
    const r = hasher.hashPixels(image.pixels, image.width, image.height, image.channels, cropRect(whole, crop));
    return { hash: hashToHex(r.hash), quality: r.quality, variant: cropVariant(crop) };
  });
}

/** One way of looking at the query before hashing. */
export interface QueryView {
  /** `whole`, or `unbordered` when uniform borders were stripped. */
  name: string;
  rect: Rect;
  result: PdqResult;
}

/** The query's views: the whole image and, when it has uniform borders, the content inside them. */
export function queryViews(image: PixelImage, hasher: PdqHasher): QueryView[] {
  const whole: Rect = { x: 0, y: 0, width: image.width, height: image.height };
  const views: QueryView[] = [{ name: 'whole', rect: whole, result: hasher.hashPixels(image.pixels, image.width, image.height, image.channels) }];
  const content = findContentRect(image);
  if (content) views.push({ name: 'unbordered', rect: content, result: hasher.hashPixels(image.pixels, image.width, image.height, image.channels, content) });
  return views;
}

/**
 * Extra crops (percent per side) tried on the query in the alignment stage. With the stored crops
 * they put some (stored, query) pair within about 2.5% per edge of any trim up to 10% per side.
 */
export const QUERY_CROPS: readonly Crop[] = (() => {
  const out: Crop[] = [];
  for (const t of [0, 5]) for (const r of [0, 5]) for (const b of [0, 5]) for (const l of [0, 5]) out.push([t, r, b, l]);
  return out;
})();

/** A perceptual match of a query against one stored reference hash. */
export interface PerceptualMatch {
  reference: Reference;
  /** The stored variant that matched (`full`, `crop:t,r,b,l`). */
  variant: string;
  distance: number;
  threshold: number;
  /** Quality of the query hash that matched. */
  quality: number;
  /** How the query was viewed: `<view>/<dihedral>`, plus `/aligned:x,y,w,h` (percent) when crop-aligned. */
  transform: string;
}

export type MatchOutcome =
  | { kind: 'match'; match: PerceptualMatch }
  | { kind: 'no-match'; quality: number }
  | { kind: 'low-quality'; quality: number };

/** Tunables, exposed for calibration runs; the defaults are the documented thresholds. */
export interface MatcherOptions {
  threshold?: number;
  alignedThreshold?: number;
  candidateRadius?: number;
  /** Skip the crop-alignment stage (faster, no crop robustness beyond the stored variants). */
  align?: boolean;
}

interface Entry {
  reference: Reference;
  variant: string;
}

interface Candidate {
  entry: number;
  distance: number;
  base: string;
  rect: Rect;
  dihedral: Dihedral;
}

/** Matches query images against every reference PDQ hash; build once per audit. */
export class PerceptualMatcher {
  private readonly entries: Entry[] = [];
  private readonly index: HammingIndex;
  private readonly hasher = new PdqHasher();
  private readonly dctScratch = new Float32Array(256);
  private readonly threshold: number;
  private readonly alignedThreshold: number;
  private readonly candidateRadius: number;
  private readonly align: boolean;

  constructor(references: readonly Reference[], options: MatcherOptions = {}) {
    this.threshold = options.threshold ?? MATCH_THRESHOLD;
    this.alignedThreshold = options.alignedThreshold ?? ALIGNED_THRESHOLD;
    this.candidateRadius = options.candidateRadius ?? ALIGN_CANDIDATE_RADIUS;
    this.align = options.align ?? true;
    const hashes: Hash256[] = [];
    // Sorted by reference id, so the index's lowest-entry tie-break means "lowest reference id".
    const sorted = [...references].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const reference of sorted) {
      for (const entry of reference.pdq ?? []) {
        const hash = hashFromHex(entry.hash);
        if (!hash || entry.quality < QUALITY_GATE) continue;
        hashes.push(hash);
        this.entries.push({ reference, variant: entry.variant });
      }
    }
    this.index = new HammingIndex(hashes);
  }

  /** Number of usable stored hashes. */
  get size(): number {
    return this.entries.length;
  }

  /** Finds the best reference for a decoded query image. Synchronous and CPU-bound. */
  match(image: PixelImage): MatchOutcome {
    const views = queryViews(image, this.hasher);
    const usable = views.filter((v) => v.result.quality >= QUALITY_GATE);
    const quality = Math.max(...views.map((v) => v.result.quality));
    if (usable.length === 0) return { kind: 'low-quality', quality };
    let best: { entry: number; distance: number; view: QueryView; dihedral: Dihedral } | undefined;
    for (const view of usable) {
      for (const dihedral of DIHEDRAL) {
        const hit = this.index.nearest(this.viewHash(view.result.dct, view.result.hash, dihedral), this.threshold);
        if (hit && (!best || hit.distance < best.distance || (hit.distance === best.distance && hit.entry < best.entry))) best = { ...hit, view, dihedral };
      }
    }
    if (best) return { kind: 'match', match: this.describe(best.entry, best.distance, this.threshold, best.view.result.quality, `${best.view.name}/${best.dihedral}`) };
    if (!this.align) return { kind: 'no-match', quality };
    return this.alignCrops(image, usable) ?? { kind: 'no-match', quality };
  }

  /**
   * Second stage, for copies trimmed further than the stored crops tolerate: hash a grid of query
   * crops from one filtered plane, collect stored hashes within the candidate radius, then fit the
   * query crop to the closest few and require the stricter aligned threshold.
   */
  private alignCrops(image: PixelImage, views: readonly QueryView[]): MatchOutcome | undefined {
    const plane = new FilteredPlane(image);
    const raw = new Float32Array(256);
    const bits = new Uint32Array(8);
    const candidates = new Map<number, Candidate>();
    for (const view of views) {
      for (const crop of QUERY_CROPS) {
        const rect = cropRect(view.rect, crop);
        plane.dctOf(rect, raw);
        for (const dihedral of ALIGN_DIHEDRALS) {
          const hash = this.viewHash(raw, undefined, dihedral, plane, bits);
          this.index.search(hash, this.candidateRadius, (entry, distance) => {
            const known = candidates.get(entry);
            if (!known || distance < known.distance) candidates.set(entry, { entry, distance, base: view.name, rect, dihedral });
          });
        }
      }
    }
    const ranked = [...candidates.values()]
      .filter((c) => c.distance <= REFINE_RADIUS)
      .sort((a, b) => a.distance - b.distance || a.entry - b.entry)
      .slice(0, 4);
    let best: { c: Candidate; distance: number; quality: number; rect: Rect } | undefined;
    for (const c of ranked) {
      const a = refineAlignment(plane, c.rect, c.dihedral, this.index.hashOf(c.entry));
      if (a.distance > this.alignedThreshold || a.quality < QUALITY_GATE) continue;
      if (!best || a.distance < best.distance || (a.distance === best.distance && c.entry < best.c.entry)) best = { c, ...a };
      if (best.distance <= CONCLUSIVE_DISTANCE) break;
    }
    if (!best) return undefined;
    const r = best.rect;
    const pct = (v: number, of: number) => Math.round((v / of) * 1000) / 10;
    const where = [pct(r.x, image.width), pct(r.y, image.height), pct(r.width, image.width), pct(r.height, image.height)].join(',');
    return { kind: 'match', match: this.describe(best.c.entry, best.distance, this.alignedThreshold, best.quality, `${best.c.base}/${best.c.dihedral}/aligned:${where}`) };
  }

  private viewHash(dct: Float32Array, hash: Hash256 | undefined, dihedral: Dihedral, plane?: FilteredPlane, out?: Hash256): Hash256 {
    if (dihedral === 'original' && hash) return hash;
    let source = dct;
    if (dihedral !== 'original') {
      transformDct(dct, dihedral, this.dctScratch);
      source = this.dctScratch;
    }
    return plane && out ? plane.bits(source, out) : this.hasher.hashFromDct(source);
  }

  private describe(entry: number, distance: number, threshold: number, quality: number, transform: string): PerceptualMatch {
    const e = this.entries[entry]!;
    return { reference: e.reference, variant: e.variant, distance, threshold, quality, transform };
  }
}
