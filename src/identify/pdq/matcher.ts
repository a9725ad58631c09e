import { referenceId, referenceOfView } from '../../references/columns.js';
import type { Reference } from '../../references/schema.js';
import type { PixelImage } from './borders.js';
import { FINE_NEIGHBOURS, gridCandidates } from './crop-grid.js';
import type { Crop } from './crops.js';
import { type Dihedral, transformDct } from './dihedral.js';
import { FilteredPlane } from './filtered-plane.js';
import { type ProbeDepth, samples, WIDE_ENTRIES } from './hamming-chunks.js';
import { HammingIndex } from './hamming-index.js';
import { type Hash256, hamming, newHash } from './hash256.js';
import { IndexTiles } from './index-tiles.js';
import { LowBandIndex } from './low-band.js';
import {
  ALIGN_CANDIDATE_RADIUS,
  ALIGN_SEEDS,
  ALIGNED_THRESHOLD,
  CONCLUSIVE_DISTANCE,
  MATCH_THRESHOLD,
  MAX_VERIFIED,
  type MatcherOptions,
  type MatchOutcome,
  type PerceptualMatch,
  QUALITY_GATE,
  REFINE_RADIUS,
  type SearchPlan,
  searchPlan,
  WIDE_GRID_DEPTH,
} from './match-settings.js';
import { type OrientationProbe, PROBED_ORIENTATIONS, probeOrientations, probeTurns } from './orientation-probe.js';
import { collectCandidates, cropOrientations, type Candidate as FirstStageCandidate, searchOrientations, shallowDepths } from './orientation-search.js';
import { MIN_HASHABLE_DIM, PdqHasher, type Rect } from './pdq-hasher.js';
import { type PdqIndex, pdqIndexOfReferences, variantCrops } from './pdq-index.js';
import { refineAlignment } from './refine.js';
import { checkTiles, TILE_THRESHOLD, type TileCheck } from './tiles.js';
import { trimHits } from './trim-search.js';
import { nearlySame, oneSidedCrops, type QueryView, queryViews } from './views.js';

type Candidate = FirstStageCandidate<QueryView>;

/**
 * A stored hash a caller already knows the query came near, which the crop stage aligns the query
 * to as it aligns the first stage's closest (the sub-image search's rough gate: what let a region
 * through, sub-image-search.ts): `rect` (query pixels) shows that stored view, met in `dihedral`.
 */
export interface AlignSeed {
  entry: number;
  dihedral: Dihedral;
  rect: Rect;
}

/**
 * The query's views a crop grid is laid on: a view within SAME_VIEW_SHARE of one already kept adds
 * nothing the alignment would not reach from that grid; synthetic and real photos alike often have a
 * flat strip of sky or tarmac at an edge that border stripping takes for a 1-2% border.
 */
function griddedViews(views: readonly QueryView[], plane: FilteredPlane): QueryView[] {
  const gridded: QueryView[] = [];
  for (const view of views) if (!gridded.some((g) => nearlySame(g.rect, view.rect, plane.image))) gridded.push(view);
  return gridded;
}

/** Matches query images against every reference PDQ hash; build once per audit. */
export class PerceptualMatcher {
  private readonly data: PdqIndex;
  private readonly crops: readonly (Crop | undefined)[];
  private readonly tiles: IndexTiles;
  private readonly index: HammingIndex;
  private readonly hasher = new PdqHasher();
  private readonly dctScratch = new Float32Array(256);
  private readonly bitsScratch = newHash();
  private readonly threshold: number;
  private readonly alignedThreshold: number;
  private readonly candidateRadius: number;
  private readonly align: boolean;
  private readonly tileThreshold: number;
  /** How the first stage searches (radius and probe depth follow the index size). */
  private readonly plan: SearchPlan;
  /** Whether the index samples (past SAMPLED_ENTRIES, 8,192 hashes): its 1-bit-deep searches sample beyond their exact reach (23 bits in the 12 wide chunks, 21 past 2^24). */
  private readonly sampled: boolean;
  /** Probe depth of the crop grid's and the trim views' searches (WIDE_GRID_DEPTH; past 2^20 hashes the trim views probe at halfDepths: trim-search.ts). */
  private readonly gridDepth: ProbeDepth | undefined;
  /** Stored one-sided crops the index leaves out (large sets), looked for through trim views. */
  private readonly trims: readonly Crop[];
  /** Depths the first stage probes every orientation to first (orientation-search.ts shallowDepths). */
  private readonly shallow: number[] | undefined;
  /** The stored hashes by low band (low-band.ts), which the orientation probe's turned crops also look up; sampled indexes only. */
  private readonly lowBand: LowBandIndex | undefined;

  constructor(source: readonly Reference[] | PdqIndex, options: MatcherOptions = {}) {
    this.threshold = options.threshold ?? MATCH_THRESHOLD;
    this.alignedThreshold = options.alignedThreshold ?? ALIGNED_THRESHOLD;
    this.candidateRadius = options.candidateRadius ?? ALIGN_CANDIDATE_RADIUS;
    this.align = options.align ?? true;
    this.tileThreshold = options.tileThreshold ?? TILE_THRESHOLD;
    this.data = Array.isArray(source) ? pdqIndexOfReferences(source as readonly Reference[]) : (source as PdqIndex);
    this.crops = variantCrops(this.data.tables.variants);
    this.tiles = new IndexTiles(this.data);
    this.index = new HammingIndex(this.data.hamming);
    // A matcher opened past 31 bits (calibration measures out to 47) must still find every direct
    // match exactly: its probes go at least as deep as its threshold needs.
    this.plan = searchPlan(this.index.size, Math.max(MATCH_THRESHOLD, this.threshold));
    this.sampled = samples(this.index.size);
    this.gridDepth = this.sampled ? WIDE_GRID_DEPTH : this.plan.depth;
    this.trims = this.data.core ? oneSidedCrops(this.data.tables.variants) : [];
    // A matcher opened past the threshold (calibration) measures every distance as the plan finds it.
    this.shallow = this.threshold <= MATCH_THRESHOLD ? shallowDepths(this.index, this.plan) : undefined;
    this.lowBand = this.sampled ? new LowBandIndex(this.data.hamming.pool, this.data.lowBand) : undefined;
  }

  /** Number of usable stored hashes. */
  get size(): number {
    return this.index.size;
  }

  /** The one-sided stored crops a large set leaves out of the index, which the trim views look for (sub-image gate). */
  get trimCrops(): readonly Crop[] {
    return this.trims;
  }

  /** Its stored hashes by low band (sampled indexes only), which the sub-image gate also looks regions up in. */
  get lowBandIndex(): LowBandIndex | undefined {
    return this.lowBand;
  }

  /** The index this matcher searches, for other searches on the same thread (its scratch is per thread). */
  get hamming(): HammingIndex {
    return this.index;
  }

  /**
   * Finds the best reference for a decoded query image. Synchronous and CPU-bound. `seeds` are
   * aligned in the crop stage after the first stage's closest (AlignSeed).
   */
  match(image: PixelImage, seeds: readonly AlignSeed[] = []): MatchOutcome {
    if (image.width < MIN_HASHABLE_DIM || image.height < MIN_HASHABLE_DIM) return { kind: 'low-quality', quality: 0 };
    // The query is luma-converted and tent-filtered once; every view, crop and tile samples this plane.
    const plane = new FilteredPlane(image);
    const views = queryViews(image, plane);
    const usable = views.filter((v) => v.result.quality >= QUALITY_GATE);
    const quality = Math.max(...views.map((v) => v.result.quality));
    if (usable.length === 0) return { kind: 'low-quality', quality };
    const radius = this.align ? Math.max(this.threshold, this.plan.radius) : this.threshold;
    const hashOf = (view: QueryView, dihedral: Dihedral) => this.viewHash(view.result, dihedral);
    const stage = searchOrientations(this.index, usable, hashOf, radius, this.plan, this.shallow);
    // A large set indexes only its core crops: a copy trimmed on one side, which a one-sided stored
    // crop would have met above, is looked for by the query views that show the stored 10% crop.
    const trimmed = trimHits(this.index, image, plane, views, this.trims, this.threshold, this.gridDepth);
    if (stage.owedFrom < Infinity) {
      // The owed deep probes can only add stored hashes owedFrom bits away or more: a
      // candidate nearer than that which verifies is the one the whole stage would return (the
      // candidates before it are the same, nearer ones), so a direct copy does not pay for them.
      const direct = this.directMatch(plane, collectCandidates(stage.searches, trimmed, this.threshold).found, stage.owedFrom);
      if (direct) return direct;
      stage.deepen();
    }
    const { found, nearestBy, seeds: near } = collectCandidates(stage.searches, trimmed, this.threshold);
    const direct = this.directMatch(plane, found, Infinity);
    if (direct) return direct;
    if (!this.align) return { kind: 'no-match', quality };
    const gridded = griddedViews(usable, plane);
    let dihedrals = cropOrientations(nearestBy, this.index.size);
    let probed: OrientationProbe | undefined;
    if (this.sampled && !(Math.min(...nearestBy.values()) <= REFINE_RADIUS)) {
      // A sampled first stage only samples its radius (an 80-bit neighbour is met with p 0.18): nothing
      // near does not rule out a trimmed copy (bench: edit-0017-crop-lopsided-a.jpg at 1M, 80 bits
      // from its reference), and a far hash does not tell its orientation. The grid looks in the far
      // hash's orientation if any, upright, and in the nearest other orientation the probe met
      // (orientation-probe.ts). The upright probe goes deeper than the turned ones (the grid's depth
      // through every view), so it would win a ranking with them by its chance meetings alone: the
      // turned orientation is chosen among those not already gridded. Where the probe's crops stand
      // for the coarse ones, an orientation gridded costs only the fine crops next to a probe crop
      // that came within FINE_GRID_GATE.
      probed = probeOrientations(this.gridSearch(plane, gridded), probeTurns(nearestBy, this.gridDepth, gridded.length), this.lowBand);
      const chosen = new Set<Dihedral>([...dihedrals, 'original']);
      const others = new Map([...probed.nearestBy].filter(([d]) => !chosen.has(d)));
      dihedrals = [...chosen, ...cropOrientations(others, this.index.size).slice(0, PROBED_ORIENTATIONS)];
    }
    // Where no orientation is worth a grid, only the caller's seeds are aligned.
    const closest = dihedrals.length === 0 ? [] : [...near.values()].sort((a, b) => a.distance - b.distance || a.entry - b.entry).slice(0, ALIGN_SEEDS);
    // The caller's seeds, in the whole view's frame, unless the first stage's already align their stored hash.
    const whole = views[0]!;
    for (const s of seeds) {
      if (closest.some((c) => c.entry === s.entry)) continue;
      const distance = hamming(this.viewHash(whole.result, s.dihedral), this.index.hashOf(s.entry));
      closest.push({ entry: s.entry, distance, view: whole, rect: s.rect, dihedral: s.dihedral });
    }
    if (closest.length === 0 && dihedrals.length === 0) return { kind: 'no-match', quality };
    return this.alignCrops(plane, gridded, dihedrals, closest, probed) ?? { kind: 'no-match', quality };
  }

  /** The crop grid's search of these views, less its orientations. */
  private gridSearch(plane: FilteredPlane, views: readonly QueryView[]) {
    return {
      index: this.index,
      plane,
      views,
      hashOf: (dct: Float32Array, dihedral: Dihedral) => this.viewHash({ dct }, dihedral),
      // Grid candidates beyond REFINE_RADIUS are dropped (alignCrops), so the scan need not look farther.
      radius: Math.min(this.candidateRadius, REFINE_RADIUS),
      depth: this.gridDepth,
    };
  }

  /** The first verified of the MAX_VERIFIED nearest first-stage candidates, among those nearer than `below` bits. */
  private directMatch(plane: FilteredPlane, found: ReadonlyMap<number, Candidate>, below: number): MatchOutcome | undefined {
    const ranked = [...found.values()].sort((a, b) => a.distance - b.distance || a.entry - b.entry).slice(0, MAX_VERIFIED);
    for (const c of ranked) {
      if (c.distance >= below) break;
      let tiles = this.verify(plane, c.entry, c.rect, c.dihedral);
      if (tiles && !tiles.passed) {
        // Tiles are unforgiving of misplacement (a 2% trim matched against the full view shifts them
        // by 7% of their width): fit the rectangle to the stored hash first, then look again.
        const fitted = refineAlignment(plane, c.rect, c.dihedral, this.index.hashOf(c.entry));
        tiles = this.verify(plane, c.entry, fitted.rect, c.dihedral);
      }
      if (tiles && !tiles.passed) continue;
      return { kind: 'match', match: this.describe(c.entry, c.distance, this.threshold, c.view.result.quality, `${c.view.name}/${c.dihedral}`, tiles) };
    }
    return undefined;
  }

  /**
   * Second stage, for copies trimmed further than the stored crops tolerate: hash a grid of query
   * crops from the filtered plane, collect stored hashes within the candidate radius, then fit the
   * query crop to the closest few, require the aligned threshold and verify the tiles.
   */
  private alignCrops(
    plane: FilteredPlane,
    gridded: readonly QueryView[],
    dihedrals: readonly Dihedral[],
    seeds: readonly Candidate[],
    probed: OrientationProbe | undefined,
  ): MatchOutcome | undefined {
    const candidates = gridCandidates({
      ...this.gridSearch(plane, gridded),
      dihedrals,
      ...(probed && { probed }),
      // Only an index past 2^20 hashes opens the fine grid by chance (crop-grid.ts). Below that the
      // fine grid stays whole: with it cut to the nearest coarse crops' neighbours, a lopsided crop
      // of the bench share (edit-0069) was lost at 1,151-10,151 references (scripts/bench/set-sizes.js).
      ...(this.index.size > WIDE_ENTRIES && { nearBest: FINE_NEIGHBOURS }),
    });
    const grid = [...candidates.values()]
      .filter((c) => c.distance <= REFINE_RADIUS)
      .sort((a, b) => a.distance - b.distance || a.entry - b.entry)
      .slice(0, 4);
    // The first stage's closest stored hashes are aligned too, from the whole view: a lopsided trim
    // can be farther from every grid crop than REFINE_RADIUS and still climb to its reference.
    const ranked = [...grid, ...seeds.filter((s) => !grid.some((g) => g.entry === s.entry))];
    let best: { c: Candidate; distance: number; quality: number; rect: Rect; tiles: TileCheck | undefined } | undefined;
    for (const c of ranked) {
      const a = refineAlignment(plane, c.rect, c.dihedral, this.index.hashOf(c.entry));
      if (a.distance > this.alignedThreshold || a.quality < QUALITY_GATE) continue;
      if (best && (a.distance > best.distance || (a.distance === best.distance && c.entry > best.c.entry))) continue;
      const tiles = this.verify(plane, c.entry, a.rect, c.dihedral);
      if (tiles && !tiles.passed) continue;
      best = { c, ...a, tiles };
      if (best.distance <= CONCLUSIVE_DISTANCE) break;
    }
    if (!best) return undefined;
    const { width, height } = plane.image;
    const r = best.rect;
    const pct = (v: number, of: number) => Math.round((v / of) * 1000) / 10;
    const where = [pct(r.x, width), pct(r.y, height), pct(r.width, width), pct(r.height, height)].join(',');
    return {
      kind: 'match',
      match: this.describe(
        best.c.entry,
        best.distance,
        this.alignedThreshold,
        best.quality,
        `${best.c.view.name}/${best.c.dihedral}/aligned:${where}`,
        best.tiles,
      ),
    };
  }

  /** Tile verification of one candidate; undefined when its reference stores no tiles. */
  private verify(plane: FilteredPlane, entry: number, rect: Rect, dihedral: Dihedral): TileCheck | undefined {
    if (!Number.isFinite(this.tileThreshold)) return undefined;
    const view = this.data.entryView[entry]!;
    const tiles = this.tiles.of(referenceOfView(this.data.columns, view));
    if (tiles.length === 0) return undefined;
    return checkTiles(plane, tiles, { crop: this.cropOf(view), rect, dihedral }, this.tileThreshold);
  }

  private cropOf(view: number): Crop {
    return this.crops[this.data.columns.viewVariant[view]!]!;
  }

  /** The hash of a view under a dihedral transform (the view's own hash for `original`). */
  private viewHash(result: { dct: Float32Array; hash?: Hash256 }, dihedral: Dihedral): Hash256 {
    if (dihedral === 'original' && result.hash) return result.hash;
    let source = result.dct;
    if (dihedral !== 'original') {
      transformDct(result.dct, dihedral, this.dctScratch);
      source = this.dctScratch;
    }
    return this.hasher.hashFromDct(source, this.bitsScratch);
  }

  private describe(entry: number, distance: number, threshold: number, quality: number, transform: string, tiles: TileCheck | undefined): PerceptualMatch {
    const { columns, tables } = this.data;
    const view = this.data.entryView[entry]!;
    const reference = referenceOfView(columns, view);
    return {
      reference: { id: referenceId(columns, reference), class: tables.classes[columns.classes[reference]!]! },
      referenceIndex: reference,
      variant: tables.variants[columns.viewVariant[view]!]!,
      distance,
      threshold,
      quality,
      transform,
      ...(tiles && { tiles }),
    };
  }
}
