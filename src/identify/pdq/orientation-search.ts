import { DIHEDRAL, type Dihedral } from './dihedral.js';
import { WIDE_ENTRIES } from './hamming-chunks.js';
import type { HammingIndex } from './hamming-index.js';
import type { Hash256 } from './hash256.js';
import { ALIGN_ORIENTATIONS, halfDepths, SEED_RADIUS, type SearchPlan, WIDE_ALIGN_ORIENTATIONS } from './match-settings.js';
import type { Rect } from './pdq-hasher.js';

/** One first-stage search: a query view in one orientation, and what it met as (entry, distance) pairs. */
export interface OrientationSearch<V> {
  view: V;
  dihedral: Dihedral;
  hits: number[];
}

/**
 * The per-chunk depths the first stage probes every orientation to first, in an index past 2^20
 * stored hashes (WIDE_ENTRIES; undefined otherwise: every search goes to the plan's depth):
 * halfDepths (1 bit in every other chunk, the chunk's own value in the rest), exact to 17 bits (16
 * past 2^24) and a sample beyond (p 0.93 at 30 bits), ~135 probes where the plan's depths make
 * ~2,000. An orientation's deep probes follow only when some view's shallow search in that
 * orientation met a stored hash within the radius (see {@link searchOrientations}). So the first
 * stage is exact to the match threshold no longer, only to 17 bits: a stored view farther from every
 * view of the query, in an orientation where no shallow search met anything, may go unmet. A copy's
 * reference's other stored core views (5% and 10% crops), the query's other view, and any
 * near-duplicate are further chances to open the deep probes. Until session 19 the shallow depth was
 * 1 in every chunk (WIDE_GRID_DEPTH, exact to 23 bits; simulated over random hashes, 12 wide chunks:
 * p 0.0001 of missing at 26 bits, 0.008 at 31); halving it was measured on 80 camera-roll images at
 * 1M references (scripts/bench/match-ab.js) and by the robustness bench with both million-reference
 * distractor stores (see the commit). The robustness bench's derived distractors are its own
 * references with 36-80 bits flipped, so a copy's own orientation nearly always meets one and opens
 * the deep probes: the unrelated store is the harder test.
 */
export function shallowDepths(index: HammingIndex, plan: SearchPlan): number[] | undefined {
  const deep = plan.depth;
  // Only past 2^20 hashes: 1 bit deep in 13-15 chunks is exact to 25-29 bits, so below that a turned
  // copy within the match threshold could go unmet (review of e243d52, which had made every sampled
  // index shallow here); 16 chunks of 16 bits probe the plan's depths anyway.
  if (index.size <= WIDE_ENTRIES || !Array.isArray(deep)) return undefined;
  const half = halfDepths(index.size);
  if (!half || half.length !== deep.length) return undefined;
  const shallow = deep.map((d, c) => Math.min(d, half[c]!));
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

/** The first stage's searches, and the deep probes of the orientations that met something that are still owed. */
export interface FirstStage<V> {
  searches: OrientationSearch<V>[];
  /**
   * The least distance a stored hash met only by the owed probes can have: one no chunk c of which
   * is within shallow[c] bits of the query's differs by sum(shallow[c] + 1) bits at least (18 in 12
   * chunks). Infinity when nothing is owed: no search met anything, or none was probed shallow.
   */
  owedFrom: number;
  /** Probes the owed searches to the plan's depth, their hits appended to their searches; nothing is owed after. */
  deepen(): void;
}

/**
 * The first stage's searches, every view in every orientation, out to `radius` at the plan's depth;
 * with `shallow`, first to `shallow`, and the searches of each orientation in which some view's
 * shallow search met something deepened to the plan's depth (by the caller, {@link FirstStage.deepen})
 * unless a candidate nearer than {@link FirstStage.owedFrom} settles the query first. The searches
 * stay in view-then-orientation order with their hits, which the caller applies in that order, so
 * that a candidate met at equal distances by two searches keeps the first search's view (as one pass
 * over the searches did) even when a search's deep probes came after the others.
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
  // The orientations whose shallow searches met something: only theirs are deepened (see shallowDepths).
  const near = new Set<Dihedral>();
  for (const view of views) {
    for (const dihedral of DIHEDRAL) {
      const hash = hashOf(view, dihedral);
      const hits: number[] = [];
      index.search(hash, radius, (entry, distance) => hits.push(entry, distance), shallow ?? plan.depth);
      if (hits.length > 0 && shallow) near.add(dihedral);
      // hashOf may reuse its output: a deferred search keeps a copy.
      searches.push({ view, dihedral, hits, ...(shallow ? { deferred: hash.slice() } : {}) });
    }
  }
  let owed = shallow ? searches.filter((s) => near.has(s.dihedral)) : [];
  const stage: FirstStage<V> = {
    searches,
    owedFrom: owed.length > 0 && shallow ? shallow.reduce((sum, d) => sum + d + 1, 0) : Infinity,
    deepen: () => {
      if (owed.length === 0 || !shallow) return;
      const deep = plan.depth as readonly number[];
      for (const s of owed) if (s.deferred) index.deepen(s.deferred, radius, (entry, distance) => s.hits.push(entry, distance), shallow, deep);
      owed = [];
      stage.owedFrom = Infinity;
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

/**
 * The orientations the crop stage searches, best first (nearest first-stage hash, then DIHEDRAL's
 * order), in an index of `entries` hashes: ALIGN_ORIENTATIONS, the best only past 2^20
 * (WIDE_ALIGN_ORIENTATIONS); none when nothing was within the plan's radius (for large sets, as far
 * as the probes sample that radius: the bench measures what that costs in recall).
 */
export function cropOrientations(nearestBy: ReadonlyMap<Dihedral, number>, entries: number): Dihedral[] {
  return [...nearestBy]
    .sort((a, b) => a[1] - b[1] || DIHEDRAL.indexOf(a[0]) - DIHEDRAL.indexOf(b[0]))
    .map(([d]) => d)
    .slice(0, entries > WIDE_ENTRIES ? WIDE_ALIGN_ORIENTATIONS : ALIGN_ORIENTATIONS);
}
