import type { PdqEntry } from '../../references/schema.js';
import { findContentRect, type PixelImage } from './borders.js';
import { type Crop, cropRect, cropVariant, parseVariant } from './crops.js';
import { FilteredPlane } from './filtered-plane.js';
import { hashToHex, newHash } from './hash256.js';
import { MIN_HASHABLE_DIM, type PdqResult, type Rect } from './pdq-hasher.js';
import { isTileVariant, referenceTiles } from './tiles.js';

/**
 * What gets hashed: the views stored for a reference (full, crops, tiles) and the views of a query
 * (whole, unbordered, the crop grid). The matcher (matcher.ts) decides what they mean.
 */

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

/**
 * The hashes stored for one reference image: the full view, each of REFERENCE_CROPS and the tiles
 * used to verify candidates (tiles.ts). All come from one tent-filtered plane: the full view is
 * bit-exact PDQ of the decoded image; a crop is hashed from the plane's samples inside it (the
 * filter window of the whole image; within a few bits of re-filtering the crop, and the same
 * approximation the audit's crop alignment makes).
 */
export function referenceHashes(image: PixelImage): PdqEntry[] {
  if (image.width < MIN_HASHABLE_DIM || image.height < MIN_HASHABLE_DIM) return [];
  const plane = new FilteredPlane(image);
  const whole: Rect = { x: 0, y: 0, width: image.width, height: image.height };
  const dct = new Float32Array(256);
  const crops = REFERENCE_CROPS.map((crop) => {
    plane.dctOf(cropRect(whole, crop), dct);
    return { hash: hashToHex(plane.bits(dct, newHash())), quality: plane.quality(), variant: cropVariant(crop) };
  });
  return [...crops, ...referenceTiles(plane)];
}

/** One way of looking at the query before hashing. */
export interface QueryView {
  /** `whole`, or `unbordered` when uniform borders were stripped. */
  name: string;
  rect: Rect;
  result: PdqResult;
}

/**
 * The query's views: the whole image (bit-exact PDQ) and, when it has uniform borders, the content
 * inside them, both sampled from the one filtered plane of the query.
 */
export function queryViews(image: PixelImage, plane: FilteredPlane): QueryView[] {
  const view = (name: string, rect: Rect): QueryView => {
    const dct = new Float32Array(256);
    plane.dctOf(rect, dct);
    return { name, rect, result: { hash: plane.bits(dct, newHash()), quality: plane.quality(), dct } };
  };
  const views = [view('whole', { x: 0, y: 0, width: image.width, height: image.height })];
  const content = findContentRect(image);
  if (content) views.push(view('unbordered', content));
  return views;
}

/** The symmetric stored crop a trim view shows (percent per side). */
const TRIM_TARGET = 10;

/** The one-sided stored crops among a set's variants (all sides not equal), e.g. `crop:10,0,0,0`. */
export function oneSidedCrops(variants: readonly string[]): Crop[] {
  const out: Crop[] = [];
  for (const variant of variants) {
    const crop = isTileVariant(variant) ? undefined : parseVariant(variant);
    // Sides of 0 or TRIM_TARGET only (what custody stores): a trim view of another crop would reach outside the image.
    if (crop && !crop.every((side) => side === crop[0]) && crop.every((side) => side === 0 || side === TRIM_TARGET)) out.push(crop);
  }
  return out;
}

/**
 * Views of a query taken to be a reference trimmed by one of `trims` (percent per side of the
 * reference): each shows the part of the query that is the reference's central crop of
 * TRIM_TARGET% per side, which a large set indexes. A copy cut 10% at the left is its reference's
 * [10%, 100%] across; the reference's [10%, 90%] is then the query's left 8/9. Taken within `base`
 * (the whole query, or its unbordered content: a picture with a frame of its own is trimmed inside
 * the frame), named `trim:t,r,b,l` within the whole query and `<view>-trim:t,r,b,l` within another.
 */
export function trimViews(plane: FilteredPlane, trims: readonly Crop[], base: QueryView): QueryView[] {
  const prefix = base.name === 'whole' ? '' : `${base.name}-`;
  return trims.map((crop) => {
    const rect = trimRect(base.rect, crop);
    const dct = new Float32Array(256);
    plane.dctOf(rect, dct);
    return { name: `${prefix}trim:${crop.join(',')}`, rect, result: { hash: plane.bits(dct, newHash()), quality: plane.quality(), dct } };
  });
}

/** The part of `base` that shows the reference's central TRIM_TARGET% crop, when `base` is the reference trimmed by `crop`. */
export function trimRect(base: Rect, [t, r, b, l]: Crop): Rect {
  const g = TRIM_TARGET;
  const across = 100 - l - r;
  const down = 100 - t - b;
  const x0 = base.x + ((g - l) / across) * base.width;
  const x1 = base.x + ((100 - g - l) / across) * base.width;
  const y0 = base.y + ((g - t) / down) * base.height;
  const y1 = base.y + ((100 - g - t) / down) * base.height;
  return { x: Math.round(x0), y: Math.round(y0), width: Math.round(x1 - x0), height: Math.round(y1 - y0) };
}

/**
 * Crops (percent per side, each of 0/4/8) tried on the query in the alignment stage: 81 of them,
 * the 16 with no 4% side first (COARSE_QUERY_CROPS), then the rest (FINE_QUERY_CROPS).
 * Against the stored 10%-per-side variant they put some query crop within 2% per edge of any trim
 * up to 10% per side, close enough for refineAlignment. A coarser 0/5 grid (16 crops) missed
 * lopsided trims (top 3, right 7, bottom 1, left 9 %) of most references: its nearest crop was 4-5%
 * off on one edge. The stage only runs when the first stage found a stored hash within
 * ORIENTATION_RADIUS (small sets), and the fine crops only when a coarse one came within
 * FINE_GRID_GATE, so most unrelated images pay for none or 16 of the 81.
 */
const QUERY_CROP_STEPS = [0, 4, 8];
export const QUERY_CROPS: readonly Crop[] = (() => {
  const out: Crop[] = [];
  for (const t of QUERY_CROP_STEPS)
    for (const r of QUERY_CROP_STEPS) for (const b of QUERY_CROP_STEPS) for (const l of QUERY_CROP_STEPS) out.push([t, r, b, l]);
  return out;
})();
export const COARSE_QUERY_CROPS: readonly Crop[] = QUERY_CROPS.filter((crop) => crop.every((side) => side !== 4));
export const FINE_QUERY_CROPS: readonly Crop[] = QUERY_CROPS.filter((crop) => crop.some((side) => side === 4));

/**
 * The fine crops (a 4% side) are hashed only when some coarse crop (sides of 0 or 8%) came within
 * this many bits of a stored hash. Measured (robustness --quick, 218 copies found by the crop
 * stage): a copy's nearest coarse crop was at most 74 bits from its reference, almost always
 * under 30; unrelated bench photos that reach the crop stage sat at 45 to beyond 85, and 63% of
 * them beyond 80, which now skip 65 of the 81 crops. Only for sets the first stage scans
 * (ORIENTATION_SCAN_ENTRIES, matcher.ts) this is exact; larger ones probe the grid 1 bit deep
 * (WIDE_GRID_DEPTH), which samples out to 80 bits.
 */
export const FINE_GRID_GATE = 80;

/** Edge displacement, as a share of the image side, under which two views get one crop grid (refine's coarse step). */
export const SAME_VIEW_SHARE = 0.02;

/** Whether every edge of `a` is within SAME_VIEW_SHARE of the image side from the same edge of `b`. */
export function nearlySame(a: Rect, b: Rect, image: { width: number; height: number }): boolean {
  const dx = SAME_VIEW_SHARE * image.width;
  const dy = SAME_VIEW_SHARE * image.height;
  return (
    Math.abs(a.x - b.x) <= dx &&
    Math.abs(a.x + a.width - (b.x + b.width)) <= dx &&
    Math.abs(a.y - b.y) <= dy &&
    Math.abs(a.y + a.height - (b.y + b.height)) <= dy
  );
}
