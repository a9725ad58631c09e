import { type Crop, cropRect } from './crops.js';
import type { Dihedral } from './dihedral.js';
import type { FilteredPlane } from './filtered-plane.js';
import type { ProbeDepth } from './hamming-chunks.js';
import type { HammingIndex } from './hamming-index.js';
import type { Hash256 } from './hash256.js';
import type { OrientationProbe } from './orientation-probe.js';
import type { Rect } from './pdq-hasher.js';
import { COARSE_QUERY_CROPS, FINE_GRID_GATE, FINE_QUERY_CROPS, type QueryView } from './views.js';

/** A stored hash a grid crop came near: which view and crop of the query, in which orientation. */
export interface GridCandidate {
  entry: number;
  distance: number;
  view: QueryView;
  rect: Rect;
  dihedral: Dihedral;
}

/** How the crop stage searches its grid (matcher.ts alignCrops). */
export interface GridSearch {
  index: HammingIndex;
  plane: FilteredPlane;
  /** The query's distinct views (nearlySame ones dropped), each gridded. */
  views: readonly QueryView[];
  dihedrals: readonly Dihedral[];
  /** The hash of a crop's DCT in an orientation (may reuse its output). */
  hashOf: (dct: Float32Array, dihedral: Dihedral) => Hash256;
  /** Candidates farther than this are not kept. */
  radius: number;
  depth: ProbeDepth | undefined;
  /**
   * With a number k, the fine crops are searched only next to the k coarse crops that came nearest
   * (FINE_NEIGHBOURS); without, all of them whenever any coarse crop came within FINE_GRID_GATE.
   */
  nearBest?: number;
  /** What an orientation probe met before (probeOrientations): its candidates, and its crops that open the fine grid as coarse ones do. */
  probed?: OrientationProbe;
}

/**
 * Coarse crops whose fine neighbours a large set searches. In a large index chance stored hashes
 * come within FINE_GRID_GATE of some coarse crop of most queries (at 10M references almost every
 * time), and the fine grid (65 crops x orientations) was the largest share of a query's searches.
 * A fine crop moves each side of a coarse one by at most 4%, so the fine crop that fits a trimmed
 * copy best lies next to the coarse crop that fits it best, which is the nearest or the next.
 */
export const FINE_NEIGHBOURS = 2;

/** Whether fine crop `fine` is within one 4% step of coarse crop `coarse` on every side (15 per coarse crop). */
export function nextTo(fine: Crop, coarse: Crop): boolean {
  return fine.every((side, i) => Math.abs(side - coarse[i]!) <= 4);
}

/** A crop of a gridded view (its number in GridSearch.views), and the nearest stored hash it met in one orientation. */
export interface MetCrop {
  view: number;
  crop: Crop;
  dihedral: Dihedral;
  nearest: number;
}

/**
 * Hashes the grid's crops from the filtered plane and collects the stored hashes within `radius`:
 * the coarse crops out to max(radius, FINE_GRID_GATE) (in the orientations a probe did not cover,
 * whose crops and candidates stand for them), then the fine crops (see {@link GridSearch.nearBest},
 * per orientation) when a coarse or probe crop came within FINE_GRID_GATE. Crops are searched in the
 * grid's order (views, then crops, then orientations), and a stored hash met at equal distances keeps
 * its first meeting, per view: keyed by its entry in the first view and by entry + view x 2^32 in others.
 */
export function gridCandidates(search: GridSearch): Map<number, GridCandidate> {
  const { index, plane, views, dihedrals, hashOf, radius, depth, probed } = search;
  const raw = new Float32Array(256);
  const candidates = new Map<number, GridCandidate>();
  const met: MetCrop[] = [];
  // A stored hash's nearest meeting per view, each aligned (matcher.ts alignCrops): the nearer start
  // can climb to the worse fit (robustness bench, a million unrelated distractors: monitor-right's
  // plate/0002, its 5% crop met at 30 bits by an unbordered fine crop aligned to 22, at 32 by a
  // whole-view crop to 16, which is claimed). The first view's keys are the entries themselves.
  const keyOf = (entry: number, v: number) => (v <= 0 ? entry : entry + v * 2 ** 32);
  const searchCrop = (v: number, crop: Crop, reach: number, orientations: readonly Dihedral[]) => {
    const view = views[v]!;
    const rect = cropRect(view.rect, crop);
    plane.dctOf(rect, raw);
    for (const dihedral of orientations) {
      let nearest = Infinity;
      const visit = (entry: number, distance: number) => {
        if (distance < nearest) nearest = distance;
        if (distance > radius) return;
        const key = keyOf(entry, v);
        const known = candidates.get(key);
        if (!known || distance < known.distance) candidates.set(key, { entry, distance, view, rect, dihedral });
      };
      index.search(hashOf(raw, dihedral), reach, visit, depth);
      if (nearest <= FINE_GRID_GATE) met.push({ view: v, crop, dihedral, nearest });
    }
  };
  for (const dihedral of dihedrals) {
    for (const hit of probed?.candidates.get(dihedral)?.values() ?? []) {
      const key = keyOf(hit.entry, views.indexOf(hit.view));
      const known = candidates.get(key);
      if (!known || hit.distance < known.distance) candidates.set(key, hit);
    }
  }
  for (const c of probed?.crops ?? []) if (c.nearest <= FINE_GRID_GATE && dihedrals.includes(c.dihedral)) met.push(c);
  const unprobed = dihedrals.filter((d) => !probed?.covered.has(d));
  if (unprobed.length > 0) {
    for (const v of views.keys()) for (const crop of COARSE_QUERY_CROPS) searchCrop(v, crop, Math.max(radius, FINE_GRID_GATE), unprobed);
  }
  if (met.length === 0) return candidates;
  // Per orientation, the nearest crops that met something (the grid's order among equals), or every
  // one: see GridSearch.nearBest. Per orientation, so that a probe's orientation (a near-symmetric
  // face met mirrored) does not take the fine grid from the orientation the copy is in.
  const { nearBest } = search;
  const best =
    nearBest === undefined
      ? undefined
      : dihedrals.flatMap((d) =>
          nearestByView(
            met.filter((c) => c.dihedral === d),
            nearBest,
          ),
        );
  for (const v of views.keys()) {
    for (const crop of FINE_QUERY_CROPS) {
      const next = best ? dihedrals.filter((d) => best.some((c) => c.dihedral === d && c.view === v && nextTo(crop, c.crop))) : dihedrals;
      if (next.length > 0) searchCrop(v, crop, radius, next);
    }
  }
  return candidates;
}

/**
 * The `k` crops that came nearest (the grid's order among equals) and each view's nearest: a query's
 * views (whole, unbordered) frame the copy differently, and where stored hashes near the copy's own
 * reference crowd the index (a million distractors derived from the references, 36-80 bits from
 * them) the nearest crops of one view, met by those, took both places from the view whose fine crop
 * aligns (robustness bench: monitor-scene's plate/0000, its screen region's unbordered fine crop 38
 * bits from its reference's 5% crop, met only with the whole fine grid, claimed at 10 bits). A query
 * with one view, or whose views' nearest are among the k, searches what it did.
 */
function nearestByView(met: readonly MetCrop[], k: number): MetCrop[] {
  const ranked = [...met].sort((a, b) => a.nearest - b.nearest);
  const firsts = ranked.filter((c, i) => ranked.findIndex((o) => o.view === c.view) === i);
  return [...new Set([...ranked.slice(0, k), ...firsts])];
}
