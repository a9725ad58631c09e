import type { Reference } from '../../references/schema.js';
import type { PixelImage } from './borders.js';
import { type Crop, cropRect, parseVariant } from './crops.js';
import { DIHEDRAL, type Dihedral, transformDct } from './dihedral.js';
import { FilteredPlane } from './filtered-plane.js';
import { HammingIndex, MAX_INDEX_RADIUS } from './hamming-index.js';
import { type Hash256, hashFromHex, newHash } from './hash256.js';
import {
  ALIGN_CANDIDATE_RADIUS,
  ALIGN_DIHEDRALS,
  ALIGN_ORIENTATIONS,
  ALIGN_SEEDS,
  ALIGNED_THRESHOLD,
  CONCLUSIVE_DISTANCE,
  MATCH_THRESHOLD,
  MAX_VERIFIED,
  type MatcherOptions,
  type MatchOutcome,
  ORIENTATION_RADIUS,
  ORIENTATION_SCAN_ENTRIES,
  type PerceptualMatch,
  QUALITY_GATE,
  REFINE_RADIUS,
  SEED_RADIUS,
} from './match-settings.js';
import { MIN_HASHABLE_DIM, PdqHasher, type Rect } from './pdq-hasher.js';
import { refineAlignment } from './refine.js';
import { checkTiles, isTileVariant, type StoredTile, storedTiles, TILE_THRESHOLD, type TileCheck } from './tiles.js';
import { COARSE_QUERY_CROPS, FINE_GRID_GATE, FINE_QUERY_CROPS, nearlySame, type QueryView, queryViews } from './views.js';

interface Entry {
  reference: Reference;
  variant: string;
  crop: Crop;
  tiles: readonly StoredTile[];
}

interface Candidate {
  entry: number;
  distance: number;
  view: QueryView;
  rect: Rect;
  dihedral: Dihedral;
}

/** The stored hashes of a reference a matcher indexes: valid, not tiles, quality at least QUALITY_GATE. */
function* usableHashes(reference: Reference): Generator<{ variant: string; hash: Hash256; crop: Crop }> {
  for (const entry of reference.pdq ?? []) {
    if (isTileVariant(entry.variant)) continue;
    const hash = hashFromHex(entry.hash);
    const crop = parseVariant(entry.variant);
    if (hash && crop && entry.quality >= QUALITY_GATE) yield { variant: entry.variant, hash, crop };
  }
}

/** How many stored hashes a PerceptualMatcher over `references` would index, without building it. */
export function usableHashCount(references: readonly Reference[]): number {
  let count = 0;
  for (const reference of references) for (const _ of usableHashes(reference)) count++;
  return count;
}

/** Matches query images against every reference PDQ hash; build once per audit. */
export class PerceptualMatcher {
  private readonly entries: Entry[] = [];
  private readonly index: HammingIndex;
  private readonly hasher = new PdqHasher();
  private readonly dctScratch = new Float32Array(256);
  private readonly bitsScratch = newHash();
  private readonly threshold: number;
  private readonly alignedThreshold: number;
  private readonly candidateRadius: number;
  private readonly align: boolean;
  private readonly tileThreshold: number;
  private readonly orientationRadius: number;

  constructor(references: readonly Reference[], options: MatcherOptions = {}) {
    this.threshold = options.threshold ?? MATCH_THRESHOLD;
    this.alignedThreshold = options.alignedThreshold ?? ALIGNED_THRESHOLD;
    this.candidateRadius = options.candidateRadius ?? ALIGN_CANDIDATE_RADIUS;
    this.align = options.align ?? true;
    this.tileThreshold = options.tileThreshold ?? TILE_THRESHOLD;
    const hashes: Hash256[] = [];
    // Sorted by reference id, so the index's lowest-entry tie-break means "lowest reference id".
    const sorted = [...references].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const reference of sorted) {
      const tiles = storedTiles(reference.pdq ?? []);
      for (const { variant, hash, crop } of usableHashes(reference)) {
        hashes.push(hash);
        this.entries.push({ reference, variant, crop, tiles });
      }
    }
    this.index = new HammingIndex(hashes);
    this.orientationRadius = this.index.size <= ORIENTATION_SCAN_ENTRIES ? ORIENTATION_RADIUS : MAX_INDEX_RADIUS;
  }

  /** Number of usable stored hashes. */
  get size(): number {
    return this.entries.length;
  }

  /** Finds the best reference for a decoded query image. Synchronous and CPU-bound. */
  match(image: PixelImage): MatchOutcome {
    if (image.width < MIN_HASHABLE_DIM || image.height < MIN_HASHABLE_DIM) return { kind: 'low-quality', quality: 0 };
    // The query is luma-converted and tent-filtered once; every view, crop and tile samples this plane.
    const plane = new FilteredPlane(image);
    const views = queryViews(image, plane);
    const usable = views.filter((v) => v.result.quality >= QUALITY_GATE);
    const quality = Math.max(...views.map((v) => v.result.quality));
    if (usable.length === 0) return { kind: 'low-quality', quality };
    const found = new Map<number, Candidate>();
    // Nearest stored hash per orientation, within the orientation radius: says which rotation or
    // flip a trimmed copy is in, and whether the crop stage has anything to look for at all.
    const nearestBy = new Map<Dihedral, number>();
    // The closest stored hashes beyond the threshold: seeds for aligning a trimmed copy directly.
    const seeds = new Map<number, Candidate>();
    const radius = this.align ? Math.max(this.threshold, this.orientationRadius) : this.threshold;
    for (const view of usable) {
      for (const dihedral of DIHEDRAL) {
        // Most stored hashes of a similar scene fall within the orientation radius: the visit does
        // as little as it can for them (a local minimum; map work only within SEED_RADIUS).
        let nearest = nearestBy.get(dihedral) ?? Infinity;
        this.index.search(this.viewHash(view.result, dihedral), radius, (entry, distance) => {
          if (distance < nearest) nearest = distance;
          if (distance > this.threshold) {
            if (distance > SEED_RADIUS) return;
            const seed = seeds.get(entry);
            if (!seed || distance < seed.distance) seeds.set(entry, { entry, distance, view, rect: view.rect, dihedral });
            return;
          }
          const known = found.get(entry);
          if (!known || distance < known.distance) found.set(entry, { entry, distance, view, rect: view.rect, dihedral });
        });
        if (nearest < Infinity) nearestBy.set(dihedral, nearest);
      }
    }
    const ranked = [...found.values()].sort((a, b) => a.distance - b.distance || a.entry - b.entry).slice(0, MAX_VERIFIED);
    for (const c of ranked) {
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
    if (!this.align) return { kind: 'no-match', quality };
    const dihedrals = this.cropOrientations(nearestBy);
    if (dihedrals.length === 0) return { kind: 'no-match', quality };
    const closest = [...seeds.values()].sort((a, b) => a.distance - b.distance || a.entry - b.entry).slice(0, ALIGN_SEEDS);
    return this.alignCrops(plane, usable, dihedrals, closest) ?? { kind: 'no-match', quality };
  }

  /** The orientations the crop stage searches, best first; none when nothing is near enough to be a trimmed copy. */
  private cropOrientations(nearestBy: ReadonlyMap<Dihedral, number>): readonly Dihedral[] {
    const ranked = [...nearestBy].sort((a, b) => a[1] - b[1] || DIHEDRAL.indexOf(a[0]) - DIHEDRAL.indexOf(b[0])).map(([d]) => d);
    // Scanned: nothing within the orientation radius in any orientation means no trimmed copy either.
    if (this.orientationRadius > MAX_INDEX_RADIUS) return ranked.slice(0, ALIGN_ORIENTATIONS);
    // Probed (large sets): the radius is too small to rule out a trimmed copy; search the usual two.
    return [...new Set([...ranked.slice(0, 1), ...ALIGN_DIHEDRALS])];
  }

  /**
   * Second stage, for copies trimmed further than the stored crops tolerate: hash a grid of query
   * crops from the filtered plane, collect stored hashes within the candidate radius, then fit the
   * query crop to the closest few, require the aligned threshold and verify the tiles.
   */
  private alignCrops(plane: FilteredPlane, views: readonly QueryView[], dihedrals: readonly Dihedral[], seeds: readonly Candidate[]): MatchOutcome | undefined {
    const raw = new Float32Array(256);
    const candidates = new Map<number, Candidate>();
    // Grid candidates beyond REFINE_RADIUS are dropped below, so the scan need not look farther.
    const radius = Math.min(this.candidateRadius, REFINE_RADIUS);
    // A view within SAME_VIEW_SHARE of one already gridded adds nothing the alignment would not
    // reach from that grid; synthetic and real photos alike often have a flat strip of sky or tarmac
    // at an edge that border stripping takes for a 1-2% border.
    const gridded: QueryView[] = [];
    for (const view of views) if (!gridded.some((g) => nearlySame(g.rect, view.rect, plane.image))) gridded.push(view);
    let nearest = Infinity;
    const hashGrid = (crops: readonly Crop[], reach: number) => {
      for (const view of gridded) {
        for (const crop of crops) {
          const rect = cropRect(view.rect, crop);
          plane.dctOf(rect, raw);
          for (const dihedral of dihedrals) {
            this.index.search(this.viewHash({ dct: raw }, dihedral), reach, (entry, distance) => {
              if (distance < nearest) nearest = distance;
              if (distance > radius) return;
              const known = candidates.get(entry);
              if (!known || distance < known.distance) candidates.set(entry, { entry, distance, view, rect, dihedral });
            });
          }
        }
      }
    };
    // The gate needs the coarse crops searched out to FINE_GRID_GATE, beyond what the multi-index
    // probes: only sets small enough to scan (as the first stage does) are gated; larger ones hash
    // every crop, each search probing at `radius`.
    const gated = this.orientationRadius > MAX_INDEX_RADIUS;
    hashGrid(COARSE_QUERY_CROPS, gated ? Math.max(radius, FINE_GRID_GATE) : radius);
    if (!gated || nearest <= FINE_GRID_GATE) hashGrid(FINE_QUERY_CROPS, radius);
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
    const e = this.entries[entry]!;
    if (e.tiles.length === 0 || !Number.isFinite(this.tileThreshold)) return undefined;
    return checkTiles(plane, e.tiles, { crop: e.crop, rect, dihedral }, this.tileThreshold);
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
    const e = this.entries[entry]!;
    return { reference: e.reference, variant: e.variant, distance, threshold, quality, transform, ...(tiles && { tiles }) };
  }
}
