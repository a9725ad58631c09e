import { DIHEDRAL, type Dihedral } from './dihedral.js';
import { isWide } from './hamming-chunks.js';
import type { HammingIndex } from './hamming-index.js';
import type { Hash256 } from './hash256.js';
import { type SearchPlan, WIDE_GRID_DEPTH } from './match-settings.js';

/** One first-stage search: a query view in one orientation, and what it met as (entry, distance) pairs. */
export interface OrientationSearch<V> {
  view: V;
  dihedral: Dihedral;
  hits: number[];
}

/**
 * The per-chunk depths the first stage probes the seven turned and flipped orientations to first, in
 * a wide-chunk index (past 2^20 stored hashes; undefined otherwise: every search goes to the plan's
 * depth): WIDE_GRID_DEPTH, exact to 23 bits, ~270 probes where the plan's depths make ~2,000. The
 * plan's deep probes follow only when some search of the query met a stored hash within the radius
 * (see {@link searchOrientations}). An image with no agency content meets none, and its 14 turned
 * searches cost about a tenth; an image that meets one is searched exactly as before. What is lost:
 * a turned copy whose every search, upright to the plan's depth and turned to this, meets nothing
 * within the radius (81 bits at 1M) where the deep turned probes would have met something: measured
 * by the robustness bench with a million distractors (rotation-crop and its kin).
 */
export function shallowTurnedDepths(index: HammingIndex, plan: SearchPlan, widths: readonly number[]): number[] | undefined {
  const deep = plan.depth;
  if (!isWide(widths) || !Array.isArray(deep)) return undefined;
  const shallow = deep.map((d) => Math.min(d, WIDE_GRID_DEPTH));
  return index.probedAt(shallow) && index.probedAt(deep) ? shallow : undefined;
}

/**
 * The first stage's searches, every view in every orientation, out to `radius` at the plan's depth;
 * with `shallow`, the turned orientations first to `shallow` and deepened to the plan's depth only
 * when any search met something. The searches are returned in view-then-orientation order with
 * their hits, which the caller applies in that order, so that a candidate met at equal distances by
 * two searches keeps the first search's view (as one pass over the searches did) even when a turned
 * search's deep probes came after the others.
 */
export function searchOrientations<V>(
  index: HammingIndex,
  views: readonly V[],
  hashOf: (view: V, dihedral: Dihedral) => Hash256,
  radius: number,
  plan: SearchPlan,
  shallow: readonly number[] | undefined,
): OrientationSearch<V>[] {
  const searches: (OrientationSearch<V> & { deferred?: Hash256 })[] = [];
  let near = false;
  for (const view of views) {
    for (const dihedral of DIHEDRAL) {
      const hash = hashOf(view, dihedral);
      const first = dihedral !== 'original' ? shallow : undefined;
      const hits: number[] = [];
      index.search(hash, radius, (entry, distance) => hits.push(entry, distance), first ?? plan.depth);
      if (hits.length > 0) near = true;
      // hashOf may reuse its output: a deferred search keeps a copy.
      searches.push({ view, dihedral, hits, ...(first ? { deferred: hash.slice() } : {}) });
    }
  }
  if (near && shallow) {
    const deep = plan.depth as readonly number[];
    for (const s of searches) if (s.deferred) index.deepen(s.deferred, radius, (entry, distance) => s.hits.push(entry, distance), shallow, deep);
  }
  return searches;
}
