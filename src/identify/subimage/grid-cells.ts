import { findContentRect, type PixelImage } from '../pdq/borders.js';
import type { Rect } from '../pdq/pdq-hasher.js';
import type { CandidateRegion, RegionFinder } from './candidate.js';

import { cut } from './pixels.js';
import { rectanglesOf } from './rectangles.js';
import { TOO_SMALL_SIDE } from './too-small.js';

/** Grids looked for: a contact sheet of n x n equal cells. */
const GRIDS = [3, 2] as const;
/** Framed rectangles that must each fill a different cell of a grid before its cells are proposed. */
const CELLS_SEEN = 2;
/** Share of a cell's width or height a framed rectangle must span to count as that cell's picture. */
const FILLS = 0.6;
/** Slack around a cell (share of the cell's side) a rectangle may reach into: the gutters. */
const SLACK = 0.06;

/**
 * The region finder of contact-sheet cells (method `grid-cell`). A sheet's small cells defeat the
 * rectangle search: it keeps the dozen best-framed boxes of the whole query, and a 3x3 sheet's plate
 * cell (160 x 48 px of a 512 px decode) is thinner than a framed box may be. So the search's
 * rectangles are read as evidence of a grid instead: when at least two of them each fill a different
 * cell of an equal n x n partition of the query, every cell of it is proposed, trimmed of the
 * gutter and letterbox around its picture (one uniform colour, borders.ts). Nothing is computed on
 * pixels unless a grid is seen, so an image without one pays for a few comparisons.
 */
export const gridCells: RegionFinder = (image, plane) => {
  const framed = rectanglesOf(plane);
  for (const n of GRIDS) {
    const cellW = plane.width / n;
    const cellH = plane.height / n;
    const seen = new Set<number>();
    for (const r of framed) {
      const i = Math.floor((r.x + r.width / 2) / cellW);
      const j = Math.floor((r.y + r.height / 2) / cellH);
      const inside =
        r.x >= (i - SLACK) * cellW && r.x + r.width <= (i + 1 + SLACK) * cellW && r.y >= (j - SLACK) * cellH && r.y + r.height <= (j + 1 + SLACK) * cellH;
      if (inside && (r.width >= FILLS * cellW || r.height >= FILLS * cellH)) seen.add(j * n + i);
    }
    if (seen.size < CELLS_SEEN) continue;
    const out: CandidateRegion[] = [];
    for (let k = 0; k < n * n; k++) {
      const cell = cellOf(image.width, image.height, n, k);
      for (const region of contentOf(image, cell)) {
        if (Math.max(region.width, region.height) < TOO_SMALL_SIDE) continue;
        // Hashed on its own pixels at the gate, not sampled from the query's filtered plane: that
        // filter's window is the whole sheet's, three times a 3x3 cell's, and blurred a plate cell
        // past the gate (robustness bench: two plate cells at 18 and 22 bits once matched never
        // were; their own hashes were 64-66 bits from the reference, the plane's over 70).
        out.push({ method: 'grid-cell', region, rotation: 0, skew: 0, pixels: cut(image, region) });
      }
    }
    return out;
  }
  return [];
};

/** Border trims of a cell: the stripper takes at most 30% of a side per pass (borders.ts). */
const TRIMS = 3;

/**
 * The picture inside a cell without the gutter and letterbox around it, as one pass of the border
 * stripper leaves it and, when that differs, as passes until it finds no border leave it. A plate's
 * letterbox in a 4:3 cell is over 30% of the cell's height on each side, more than one pass removes;
 * but a white plate on a white sheet loses its own margin to further passes (robustness bench: the
 * tight white 3x3 sheets went from 12/12 to 7/12 with the last pass alone), so both are proposed.
 */
function contentOf(image: PixelImage, cell: Rect): Rect[] {
  const out: Rect[] = [];
  let region = cell;
  for (let pass = 0; pass < TRIMS; pass++) {
    const content = findContentRect(cut(image, region));
    if (!content) break;
    region = { x: region.x + content.x, y: region.y + content.y, width: content.width, height: content.height };
    if (pass === 0) out.push(region);
  }
  if (out.length === 0 || out[0] !== region) out.push(region);
  return out;
}

/** Cell k (row-major) of an equal n x n partition of a width x height query, in query pixels. */
function cellOf(width: number, height: number, n: number, k: number): Rect {
  const i = k % n;
  const j = Math.floor(k / n);
  const x = Math.round((i * width) / n);
  const y = Math.round((j * height) / n);
  return { x, y, width: Math.round(((i + 1) * width) / n) - x, height: Math.round(((j + 1) * height) / n) - y };
}
