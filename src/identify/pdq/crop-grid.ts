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
 * its first meeting.
 */
export function gridCandidates(search: GridSearch): Map<number, GridCandidate> {
  const { index, plane, views, dihedrals, hashOf, radius, depth, probed } = search;
  const raw = new Float32Array(256);
  const candidates = new Map<number, GridCandidate>();
  const met: MetCrop[] = [];
  const searchCrop = (v: number, crop: Crop, reach: number, orientations: readonly Dihedral[]) => {
    const view = views[v]!;
    const rect = cropRect(view.rect, crop);
    plane.dctOf(rect, raw);
    for (const dihedral of orientations) {
      let nearest = Infinity;
      const visit = (entry: number, distance: number) => {
        if (distance < nearest) nearest = distance;
        if (distance > radius) return;
        const known = candidates.get(entry);
        if (!known || distance < known.distance) candidates.set(entry, { entry, distance, view, rect, dihedral });
      };
      index.search(hashOf(raw, dihedral), reach, visit, depth);
      if (nearest <= FINE_GRID_GATE) met.push({ view: v, crop, dihedral, nearest });
    }
  };
  for (const dihedral of dihedrals) {
    for (const hit of probed?.candidates.get(dihedral)?.values() ?? []) {
      const known = candidates.get(hit.entry);
      if (!known || hit.distance < known.distance) candidates.set(hit.entry, hit);
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
          met
            .filter((c) => c.dihedral === d)
            .sort((a, b) => a.nearest - b.nearest)
            .slice(0, nearBest),
        );
  for (const v of views.keys()) {
    for (const crop of FINE_QUERY_CROPS) {
      const next = best ? dihedrals.filter((d) => best.some((c) => c.dihedral === d && c.view === v && nextTo(crop, c.crop))) : dihedrals;
      if (next.length > 0) searchCrop(v, crop, radius, next);
    }
  }
  return candidates;
}
