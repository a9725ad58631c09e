import { DIHEDRAL, type Dihedral } from './dihedral.js';
import { WIDE_ENTRIES } from './hamming-chunks.js';
import type { HammingIndex } from './hamming-index.js';
import type { Hash256 } from './hash256.js';
import { SEED_RADIUS, type SearchPlan, WIDE_GRID_DEPTH } from './match-settings.js';
import type { Rect } from './pdq-hasher.js';

/** One first-stage search: a query view in one orientation, and what it met as (entry, distance) pairs. */
export interface OrientationSearch<V> {
  view: V;
  dihedral: Dihedral;
  hits: number[];
}

/**
 * The per-chunk depths the first stage probes the seven turned and flipped orientations to first, in
 * an index past 2^20 stored hashes (WIDE_ENTRIES; undefined otherwise: every search goes to the plan's
 * depth): WIDE_GRID_DEPTH, exact to 23 bits, ~270 probes where the plan's depths make ~2,000. The
 * plan's deep probes follow only when some turned search of the query met a stored hash within the
 * radius (see {@link searchOrientations}). An image with no agency content meets none, and its 14
 * turned searches cost about a tenth; an image that meets one is searched exactly as before. An
 * upright hit does not count: it says the scene is like some reference's upright (in a large set
 * every street photo sits in some distractor's neighbourhood), not that a turned copy is there. What
 * is lost: a turned copy none of whose turned searches, probed to this depth, meets anything within
 * the radius (81 bits at 1M) where the deep probes would have: measured by the robustness bench with
 * a million distractors (rotate, mirror, rotation-crop and their kin).
 */
export function shallowTurnedDepths(index: HammingIndex, plan: SearchPlan): number[] | undefined {
  const deep = plan.depth;
  // Only past 2^20 hashes: 1 bit deep in 13-15 chunks is exact to 25-29 bits, so below that a turned
  // copy within the match threshold could go unmet (review of e243d52, which had made every sampled
  // index shallow here); 16 chunks of 16 bits probe the plan's depths anyway.
  if (index.size <= WIDE_ENTRIES || !Array.isArray(deep)) return undefined;
  const shallow = deep.map((d) => Math.min(d, WIDE_GRID_DEPTH));
  return index.probedAt(shallow) && index.probedAt(deep) ? shallow : undefined;
}

/** A stored hash a query view came near: which view, rectangle and orientation met it, and how far. */
export interface Candidate<V> {
  entry: number;
  distance: number;
  view: V;
  rect: Rect;
  dihedral: Dihedral;
}

/** The first stage's searches, and the deep probes of the turned ones that are still owed. */
export interface FirstStage<V> {
  searches: OrientationSearch<V>[];
  /**
   * The least distance a stored hash met only by the owed probes can have: one no chunk c of which
   * is within shallow[c] bits of the query's differs by sum(shallow[c] + 1) bits at least (22 in 11
   * chunks). Infinity when nothing is owed: no turned search met anything, or none was deferred.
   */
  owedFrom: number;
  /** Probes the owed searches to the plan's depth, their hits appended to their searches; nothing is owed after. */
  deepen(): void;
}

/**
 * The first stage's searches, every view in every orientation, out to `radius` at the plan's depth;
 * with `shallow`, the turned orientations first to `shallow`, and deepened to the plan's depth (by
 * the caller, {@link FirstStage.deepen}) when a turned search met something and nothing nearer than
 * {@link FirstStage.owedFrom} settles the query first. The searches stay in view-then-orientation
 * order with their hits, which the caller applies in that order, so that a candidate met at equal
 * distances by two searches keeps the first search's view (as one pass over the searches did) even
 * when a turned search's deep probes came after the others.
 */
export function searchOrientations<V>(
  index: HammingIndex,
  views: readonly V[],
  hashOf: (view: V, dihedral: Dihedral) => Hash256,
  radius: number,
  plan: SearchPlan,
  shallow: readonly number[] | undefined,
): FirstStage<V> {
  const searches: (OrientationSearch<V> & { deferred?: Hash256 })[] = [];
  let near = false;
  for (const view of views) {
    for (const dihedral of DIHEDRAL) {
      const hash = hashOf(view, dihedral);
      const first = dihedral !== 'original' ? shallow : undefined;
      const hits: number[] = [];
      index.search(hash, radius, (entry, distance) => hits.push(entry, distance), first ?? plan.depth);
      // Only a turned search's hit calls for the turned deep probes (see shallowTurnedDepths).
      if (hits.length > 0 && first) near = true;
      // hashOf may reuse its output: a deferred search keeps a copy.
      searches.push({ view, dihedral, hits, ...(first ? { deferred: hash.slice() } : {}) });
    }
  }
  let owed = near && shallow !== undefined && searches.some((s) => s.deferred);
  const stage: FirstStage<V> = {
    searches,
    owedFrom: owed && shallow ? shallow.reduce((sum, d) => sum + d + 1, 0) : Infinity,
    deepen: () => {
      if (!owed || !shallow) return;
      owed = false;
      stage.owedFrom = Infinity;
      const deep = plan.depth as readonly number[];
      for (const s of searches) if (s.deferred) index.deepen(s.deferred, radius, (entry, distance) => s.hits.push(entry, distance), shallow, deep);
    },
  };
  return stage;
}

/** What the first stage found for the matcher: see {@link collectCandidates}. */
export interface FirstStageCandidates<V> {
  /** Stored hashes within the threshold, by entry (the nearest meeting; the first among equals). */
  found: Map<number, Candidate<V>>;
  /** Nearest stored hash per orientation, within the radius: which rotation or flip a trimmed copy is in, and whether the crop stage has anything to look for. */
  nearestBy: Map<Dihedral, number>;
  /** The closest stored hashes beyond the threshold, within SEED_RADIUS: seeds for aligning a trimmed copy directly. */
  seeds: Map<number, Candidate<V>>;
}

/**
 * The first stage's hits, applied in search order, then the trim views' hits (within the threshold,
 * in the upright orientation; trim-search.ts): each stored hash at its nearest meeting.
 */
export function collectCandidates<V extends { rect: Rect }>(
  searches: readonly OrientationSearch<V>[],
  trims: readonly { entry: number; distance: number; view: V; rect: Rect }[],
  threshold: number,
): FirstStageCandidates<V> {
  const found = new Map<number, Candidate<V>>();
  const nearestBy = new Map<Dihedral, number>();
  const seeds = new Map<number, Candidate<V>>();
  for (const { view, dihedral, hits } of searches) {
    // Most stored hashes of a similar scene fall within the orientation radius: the visit does as
    // little as it can for them (a local minimum; map work only within SEED_RADIUS).
    let nearest = nearestBy.get(dihedral) ?? Infinity;
    for (let h = 0; h < hits.length; h += 2) {
      const entry = hits[h]!;
      const distance = hits[h + 1]!;
      if (distance < nearest) nearest = distance;
      if (distance > threshold) {
        if (distance > SEED_RADIUS) continue;
        const seed = seeds.get(entry);
        if (!seed || distance < seed.distance) seeds.set(entry, { entry, distance, view, rect: view.rect, dihedral });
        continue;
      }
      const known = found.get(entry);
      if (!known || distance < known.distance) found.set(entry, { entry, distance, view, rect: view.rect, dihedral });
    }
    if (nearest < Infinity) nearestBy.set(dihedral, nearest);
  }
  for (const hit of trims) {
    const known = found.get(hit.entry);
    if (!known || hit.distance < known.distance) found.set(hit.entry, { ...hit, dihedral: 'original' });
  }
  return { found, nearestBy, seeds };
}
