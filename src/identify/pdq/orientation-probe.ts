import type { GridCandidate, GridSearch, MetCrop } from './crop-grid.js';
import { type Crop, cropRect } from './crops.js';
import type { Dihedral } from './dihedral.js';
import type { ProbeDepth } from './hamming-chunks.js';
import type { LowBandIndex, NearKey } from './low-band.js';
import { FINE_GRID_GATE } from './views.js';

// The crop stage's orientation probe, for a sampled index where the first stage met nothing within
// REFINE_RADIUS (hard negatives sit beyond it; matcher.ts). The first stage only samples its radius
// there (an 80-bit neighbour is met with p 0.18), so neither "nothing near" nor a far hash tells which
// orientation a trimmed copy is in, and the crop grid looked in the upright one alone (or the far
// hash's): a quarter-turned or mirrored trimmed copy was never gridded in its own orientation. The
// probe searches a few crops in each likely orientation; the grid then looks in the nearest one
// they met too. Measured on the robustness bench with a million unrelated distractors: 4 of the 6
// trimmed copies it lost (rotate-crop, mirror-brightness-crop, crop-lopsided-a) found again; the
// other 2 (rotate-crop plates, their crops 52-84 bits off) once the turns were also looked up by
// low band (low-band.ts), which the depth-0 probes' chunks did not reach.

/**
 * The crops the probe searches: each side cut 2.5 or 7.5%. A copy's sides are cut 0-10% more than a
 * stored core crop's (full, 5%, 10%), so the query crop that shows a stored one is cut 0-10% on each
 * side; the coarse grid's 0 and 8% leave up to 4% on a side (a lopsided copy's nearest coarse crop
 * was 34-78 bits from its reference on the robustness bench, beyond what 1-bit-deep probes meet),
 * these at most 2.5% (the same copies' nearest: 8-66 bits).
 */
export const PROBE_QUERY_CROPS: readonly Crop[] = (() => {
  const steps = [2.5, 7.5];
  return steps.flatMap((t) => steps.flatMap((r) => steps.flatMap((b) => steps.map((l): Crop => [t, r, b, l]))));
})();

/** Orientations the probe adds to the grid's, nearest first: a copy is in one orientation. */
export const PROBED_ORIENTATIONS = 1;

/**
 * The turned orientations the probe searches: the quarter and half turns and the left-right mirror,
 * how photos are turned and mirrored in practice. The other three (upside-down mirror, the
 * transposes) stay with the first stage, which searches all eight: each costs a search per probe
 * crop (16) on every query that met nothing, and even a low-band lookup per crop is ~25 us (looked up in all
 * seven turns, 79 key lookups an image at 1M references cost ~2.5 ms of 22-36, scripts/bench/low-band-cost.js,
 * and match-ab.js x1.038 and x1.052).
 */
export const PROBED_TURNS: readonly Dihedral[] = ['rotate90', 'rotate180', 'rotate270', 'flipY'];

/**
 * Probe depth in the turned orientations, through the first view only: each chunk's own value, exact
 * to 11 bits in 12 chunks and a sample beyond, about a twentieth of a 1-bit-deep search's probes (12 against ~270). A probe
 * crop of a trimmed copy in its own orientation came within 8-66 bits of its reference, and one of
 * its 16 crops often within 30, where a whole chunk matches often enough; the four turns at the
 * grid's depth would cost more than the whole grid.
 */
export const PROBE_DEPTH = 0;

/** What the probe met: per orientation the nearest stored hash, the crops that met one, and the candidates within the radius. */
export interface OrientationProbe {
  /** The orientations probed: the grid searches no coarse crops in them, the probe's crops stand for those. */
  covered: Set<Dihedral>;
  nearestBy: Map<Dihedral, number>;
  crops: MetCrop[];
  /**
   * Per orientation, the stored hashes met within the radius (each at its nearest meeting in that
   * orientation): kept apart, so that a hash met nearer in an orientation the grid does not search
   * does not hide its meeting in one it does.
   */
  candidates: Map<Dihedral, Map<number, GridCandidate>>;
}

/** One orientation the probe searches: how deep, and through how many of the views (the first ones). */
export interface ProbeTurn {
  dihedral: Dihedral;
  depth: ProbeDepth | undefined;
  views: number;
  /** Whether its crops are also looked up by their low band (low-band.ts): the turns, whose depth-0 probes sample thinly. */
  lowBand: boolean;
}

/**
 * The orientations to probe, those the first stage met nothing in: the upright one at the grid's
 * depth through every view (in place of the upright coarse crops, which the probe crops stand for),
 * PROBED_TURNS at PROBE_DEPTH through the first view and, with a low-band index, by low band.
 */
export function probeTurns(nearestBy: ReadonlyMap<Dihedral, number>, gridDepth: ProbeDepth | undefined, views: number): ProbeTurn[] {
  const turns: ProbeTurn[] = [];
  if (!nearestBy.has('original')) turns.push({ dihedral: 'original', depth: gridDepth, views, lowBand: false });
  for (const dihedral of PROBED_TURNS) if (!nearestBy.has(dihedral)) turns.push({ dihedral, depth: PROBE_DEPTH, views: 1, lowBand: true });
  return turns;
}

/**
 * Searches PROBE_QUERY_CROPS of the views in each orientation of `turns` (at its depth, through its
 * first views), out to max(radius, FINE_GRID_GATE). A crop's DCT is taken once and hashed in every
 * orientation that looks through its view.
 */
export function probeOrientations(
  search: Omit<GridSearch, 'nearBest' | 'probed' | 'dihedrals' | 'depth'>,
  turns: readonly ProbeTurn[],
  lowBand?: LowBandIndex,
): OrientationProbe {
  const { index, plane, hashOf, radius } = search;
  const probe: OrientationProbe = {
    covered: new Set(turns.map((t) => t.dihedral)),
    nearestBy: new Map(),
    crops: [],
    candidates: new Map(turns.map((t) => [t.dihedral, new Map()])),
  };
  const raw = new Float32Array(256);
  const reach = Math.max(radius, FINE_GRID_GATE);
  // Per orientation, what each low-band key met: the 16 crops of a picture differ little in their
  // lowest frequencies, and a lookup reads its key's groups wherever they lie (scripts/bench/low-band-cost.js).
  const metByKey = new Map(turns.map((t) => [t.dihedral, new Map<number, NearKey>()]));
  for (const [v, view] of search.views.entries()) {
    const through = turns.filter((t) => v < t.views);
    if (through.length === 0) break;
    for (const crop of PROBE_QUERY_CROPS) {
      const rect = cropRect(view.rect, crop);
      plane.dctOf(rect, raw);
      for (const { dihedral, depth, lowBand: byBand } of through) {
        let nearest = Infinity;
        const met = probe.candidates.get(dihedral)!;
        const visit = (entry: number, distance: number) => {
          if (distance < nearest) nearest = distance;
          const known = met.get(entry);
          if (distance <= radius && (!known || distance < known.distance)) met.set(entry, { entry, distance, view, rect, dihedral });
        };
        const hash = hashOf(raw, dihedral);
        index.search(hash, reach, visit, depth);
        if (byBand && lowBand) {
          const key = lowBand.keyOf(hash);
          const seen = metByKey.get(dihedral)!;
          let near = seen.get(key);
          if (!near) seen.set(key, (near = lowBand.near(key)));
          lowBand.visitWithin(hash, near, reach, visit);
        }
        if (nearest === Infinity) continue;
        probe.crops.push({ view: v, crop, dihedral, nearest });
        if (nearest < (probe.nearestBy.get(dihedral) ?? Infinity)) probe.nearestBy.set(dihedral, nearest);
      }
    }
  }
  return probe;
}
