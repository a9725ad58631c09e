import type { PixelImage } from '../pdq/borders.js';
import type { Rect } from '../pdq/pdq-hasher.js';
import type { LowRes } from './low-res.js';

/** A part of the query that may be a picture of its own, as one region finder proposes it. */
export interface CandidateRegion {
  /** How it was found (evidence `geometry.method`): `grid-cell`, `rectangle`, ... */
  method: string;
  /** Its bounding box in query pixels. */
  region: Rect;
  /** Degrees the region was turned back before matching (0 for an upright window or cell). */
  rotation: number;
  /** Largest corner displacement corrected, as a share of the region's side (0 for a rectangle). */
  skew: number;
  /**
   * The region as an image of its own, when it is not simply the pixels inside `region` (a turned or
   * unskewed quadrilateral); the rough gate then hashes these pixels instead of the query's plane.
   */
  pixels?: PixelImage;
}

/**
 * Proposes candidate regions of one query, most likely first. Finders share the query's
 * low-resolution grey plane, made once per query; each returns few regions (every region that
 * passes the rough gate costs a full match).
 */
export type RegionFinder = (image: PixelImage, plane: LowRes) => CandidateRegion[];
