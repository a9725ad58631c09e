import type { PdqEntry } from '../../references/schema.js';
import type { Crop } from './crops.js';
import { type Dihedral, transformDct } from './dihedral.js';
import type { FilteredPlane } from './filtered-plane.js';
import { type Hash256, hamming, hashFromHex, hashToHex, newHash } from './hash256.js';
import type { Rect } from './pdq-hasher.js';

/**
 * Tile verification: a second look at a candidate match, region by region.
 *
 * A whole-image PDQ hash is dominated by the scene's large structures. Two captures by the same
 * fixed lane camera share road, gantry and overlay, and differ only where the vehicle is; their
 * whole hashes can land within the match threshold (measured: 28-30 bits) although they show
 * different vehicles. So every reference also stores the PDQ hashes of a 3x3 grid of tiles over the
 * central 80% of its frame (the part any accepted trim of up to 10% per side keeps). A candidate
 * match maps each tile into the query through the geometry the match found (stored crop variant,
 * query view or aligned rectangle, rotation/flip), hashes it there, and the candidate is only
 * claimed when no tile with enough texture to judge is farther than {@link TILE_THRESHOLD} bits.
 *
 * Measured while choosing it (every robustness case over 12 references, verification off and the
 * worst tile recorded per copy; the robustness bench then checks the result end to end): once the
 * rectangle is fitted, a true copy's worst textured tile was at most 84 bits from its stored hash
 * (thumbnails of 200 px and letterboxed watermarked WebP are the worst cases; re-encodes stay under
 * 20); a different vehicle in the same scene put the tiles it covers at 96-148 bits, near the 128 of
 * unrelated content, while background tiles stayed at 4-60. The threshold sits in that gap.
 * Tiles are hashed from one tent-filtered plane of the whole image ({@link FilteredPlane}) on both
 * sides, so reference and query tiles are filtered alike.
 */

/** Tiles per side. */
export const TILE_GRID = 3;
/** Share of each side left out around the tiled area (the 10% a trim may remove). */
export const TILE_INSET = 0.1;
/** A textured tile farther than this from its stored hash means the images differ there (see above). */
export const TILE_THRESHOLD = 84;
/** Stored tiles below this quality are too flat to judge (sky, wall, plain background). */
export const TILE_QUALITY_GATE = 50;

/** Query tiles smaller than this (pixels, either side, after decoding) are not judged. */
export const MIN_TILE_SIDE = 32;

const TILE_VARIANT = /^tile:(\d+),(\d+)$/;

/** `tile:row,col` for the stored entry of one tile. */
export const tileVariant = (row: number, col: number): string => `tile:${row},${col}`;

/** Whether a stored PDQ entry is a tile (verification only, never a match candidate). */
export const isTileVariant = (variant: string): boolean => TILE_VARIANT.test(variant);

/** A tile's rectangle in normalised coordinates (0-1) of the reference's full frame. */
function tileBox(row: number, col: number): { x0: number; y0: number; x1: number; y1: number } {
  const span = (1 - 2 * TILE_INSET) / TILE_GRID;
  return { x0: TILE_INSET + col * span, y0: TILE_INSET + row * span, x1: TILE_INSET + (col + 1) * span, y1: TILE_INSET + (row + 1) * span };
}

/** The stored tile entries of a reference, hashed from the filtered plane of its decoded image. */
export function referenceTiles(plane: FilteredPlane): PdqEntry[] {
  const { width, height } = plane.image;
  const dct = new Float32Array(256);
  const out: PdqEntry[] = [];
  for (let row = 0; row < TILE_GRID; row++) {
    for (let col = 0; col < TILE_GRID; col++) {
      const b = tileBox(row, col);
      const rect = pixelRect(b.x0 * width, b.y0 * height, b.x1 * width, b.y1 * height);
      plane.dctOf(rect, dct);
      out.push({ hash: hashToHex(plane.bits(dct, newHash())), quality: plane.quality(), variant: tileVariant(row, col) });
    }
  }
  return out;
}

/** Stored tiles of one reference, parsed once per audit. */
export interface StoredTile {
  row: number;
  col: number;
  hash: Hash256;
  quality: number;
}

/** The cell of a tile variant (`tile:row,col`); undefined for any other variant. */
export function tileCell(variant: string): { row: number; col: number } | undefined {
  const m = TILE_VARIANT.exec(variant);
  return m ? { row: Number(m[1]), col: Number(m[2]) } : undefined;
}

/** Parses the tile entries of a reference's PDQ list (others are ignored). */
export function storedTiles(entries: readonly PdqEntry[]): StoredTile[] {
  const out: StoredTile[] = [];
  for (const e of entries) {
    const m = TILE_VARIANT.exec(e.variant);
    const hash = m && hashFromHex(e.hash);
    if (m && hash) out.push({ row: Number(m[1]), col: Number(m[2]), hash, quality: e.quality });
  }
  return out;
}

/** Where a candidate says the reference lies in the query. */
export interface MatchGeometry {
  /** The stored variant's crop of the reference (percent per side; all zero for `full`). */
  crop: Crop;
  /** The query rectangle that was hashed (whole image, unbordered content or aligned crop). */
  rect: Rect;
  /** The dihedral transform that maps the query's hash onto the stored one. */
  dihedral: Dihedral;
}

/** Outcome of checking a candidate's tiles. */
export interface TileCheck {
  /** Tiles textured enough to judge and inside the query. */
  checked: number;
  /** Of those, tiles within {@link TILE_THRESHOLD}. */
  agreeing: number;
  /** The largest tile distance seen (0 when none was checked). */
  worst: number;
  passed: boolean;
}

/**
 * Maps a point of the reference (normalised in the stored variant's frame) to the query rectangle
 * (normalised), for the dihedral transform `d` with `transformDct(query, d) ~ stored`. Derived from
 * the DCT rules in dihedral.ts: e.g. rotate90 transposes and negates odd horizontal frequencies of
 * the transposed block, i.e. stored(x, y) = query(1 - y, x).
 */
function toQuery(d: Dihedral, u: number, v: number): [number, number] {
  switch (d) {
    case 'original':
      return [u, v];
    case 'flipY':
      return [1 - u, v];
    case 'flipX':
      return [u, 1 - v];
    case 'rotate180':
      return [1 - u, 1 - v];
    case 'flipPlus1':
      return [v, u];
    case 'rotate90':
      return [1 - v, u];
    case 'rotate270':
      return [v, 1 - u];
    case 'flipMinus1':
      return [1 - v, 1 - u];
  }
}

/**
 * Checks a candidate's tiles in the query. Tiles whose stored hash is too flat to judge, or that
 * fall outside the query image, are not counted. With nothing left to check the whole-image
 * decision stands (`passed`, `checked: 0`).
 */
export function checkTiles(plane: FilteredPlane, tiles: readonly StoredTile[], geometry: MatchGeometry, threshold = TILE_THRESHOLD): TileCheck {
  const { width, height } = plane.image;
  const [t, r, b, l] = geometry.crop.map((p) => p / 100) as [number, number, number, number];
  const spanX = 1 - l - r;
  const spanY = 1 - t - b;
  const { rect, dihedral } = geometry;
  const raw = new Float32Array(256);
  const view = new Float32Array(256);
  const bits = newHash();
  let checked = 0;
  let agreeing = 0;
  let worst = 0;
  for (const tile of tiles) {
    if (tile.quality < TILE_QUALITY_GATE) continue;
    const box = tileBox(tile.row, tile.col);
    const [ax, ay] = toQuery(dihedral, (box.x0 - l) / spanX, (box.y0 - t) / spanY);
    const [bx, by] = toQuery(dihedral, (box.x1 - l) / spanX, (box.y1 - t) / spanY);
    const x0 = rect.x + Math.min(ax, bx) * rect.width;
    const x1 = rect.x + Math.max(ax, bx) * rect.width;
    const y0 = rect.y + Math.min(ay, by) * rect.height;
    const y1 = rect.y + Math.max(ay, by) * rect.height;
    // A tile reaching more than 2% of its size outside the image cannot be hashed like the stored one.
    const slackX = (x1 - x0) * 0.02;
    const slackY = (y1 - y0) * 0.02;
    if (x0 < -slackX || y0 < -slackY || x1 > width + slackX || y1 > height + slackY) continue;
    const tileRect = pixelRect(Math.max(0, x0), Math.max(0, y0), Math.min(width, x1), Math.min(height, y1));
    // Too few pixels for a stable hash (thumbnails): the whole-image decision stands for this tile.
    if (tileRect.width < MIN_TILE_SIDE || tileRect.height < MIN_TILE_SIDE) continue;
    plane.dctOf(tileRect, raw);
    const dct = dihedral === 'original' ? raw : (transformDct(raw, dihedral, view), view);
    const distance = hamming(plane.bits(dct, bits), tile.hash);
    checked++;
    if (distance <= threshold) agreeing++;
    if (distance > worst) worst = distance;
  }
  return { checked, agreeing, worst, passed: agreeing === checked };
}

function pixelRect(x0: number, y0: number, x1: number, y1: number): Rect {
  const x = Math.round(x0);
  const y = Math.round(y0);
  return { x, y, width: Math.max(1, Math.round(x1) - x), height: Math.max(1, Math.round(y1) - y) };
}
