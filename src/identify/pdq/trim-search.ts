import type { PixelImage } from './borders.js';
import type { Crop } from './crops.js';
import type { FilteredPlane } from './filtered-plane.js';
import type { ProbeDepth } from './hamming-chunks.js';
import type { HammingIndex } from './hamming-index.js';
import { halfDepths, MATCH_THRESHOLD, QUALITY_GATE, REFINE_RADIUS } from './match-settings.js';
import type { Rect } from './pdq-hasher.js';
import { refineAlignment } from './refine.js';
import { nearlySame, type QueryView, trimViews } from './views.js';

/** A stored core crop met through a trim view: the query rectangle that shows it, and how far. */
export interface TrimHit {
  entry: number;
  distance: number;
  view: QueryView;
  rect: Rect;
}

/**
 * Trim views' near misses (beyond MATCH_THRESHOLD, within REFINE_RADIUS) fitted to their stored hash,
 * closest first: a trim view assumes the copy was cut exactly TRIM_TARGET% on its sides, and a
 * cell or window cut a little more or less lands a few bits past the threshold that the stored
 * one-sided crop of a small set met directly (robustness bench at 1M references: sheet-3x3
 * vehicle/0001, 22 bits unbordered against crop:0,0,10,0, 34 through its trim view). Few, because
 * a true copy's own reference is among the closest and near-duplicates of it would only repeat it.
 */
export const TRIM_REFINED = 2;

/**
 * The stored core crops the query's trim views meet (views.ts trimViews), for a large set that
 * indexes only its core crops: each within MATCH_THRESHOLD (and `threshold`) as found; past it, the
 * TRIM_REFINED closest (within REFINE_RADIUS) fitted first, so that a matcher opened past the
 * threshold (calibration) reports what the audit's would find, and each kept at its better
 * distance when within `threshold` (a direct hit is reported as before at any threshold). Trim views are
 * taken within each distinct view (whole, unbordered): a picture in a frame of its own (a contact
 * sheet's cell) is trimmed inside the frame, which the whole query's trim views miss (the same
 * bench copy: 44 bits through the whole query's trim view).
 */
export function trimHits(
  index: HammingIndex,
  image: PixelImage,
  plane: FilteredPlane,
  views: readonly QueryView[],
  trims: readonly Crop[],
  threshold: number,
  depth: ProbeDepth | undefined,
): TrimHit[] {
  if (trims.length === 0) return [];
  const bases: QueryView[] = [];
  for (const view of views) if (!bases.some((b) => nearlySame(b.rect, view.rect, image))) bases.push(view);
  const found = new Map<number, TrimHit>();
  const near = new Map<number, TrimHit>();
  const reach = Math.max(threshold, REFINE_RADIUS);
  // Past 2^20 hashes, half the grid's probes (match-settings.ts halfDepths).
  const probe = halfDepths(index.size) ?? depth;
  for (const base of bases) {
    for (const view of trimViews(plane, trims, base)) {
      if (view.result.quality < QUALITY_GATE) continue;
      const visit = (entry: number, distance: number) => {
        const into = distance <= Math.min(threshold, MATCH_THRESHOLD) ? found : near;
        const known = into.get(entry);
        if (!known || distance < known.distance) into.set(entry, { entry, distance, view, rect: view.rect });
      };
      index.search(view.result.hash!, reach, visit, probe);
    }
  }
  const misses = [...near.values()].filter((h) => !found.has(h.entry)).sort((a, b) => a.distance - b.distance || a.entry - b.entry);
  for (const [i, h] of misses.entries()) {
    let best = h;
    if (i < TRIM_REFINED) {
      const fitted = refineAlignment(plane, h.rect, 'original', index.hashOf(h.entry));
      if (fitted.distance < h.distance && fitted.quality >= QUALITY_GATE) best = { ...h, distance: fitted.distance, rect: fitted.rect };
    }
    if (best.distance <= threshold) found.set(h.entry, best);
  }
  return [...found.values()];
}
