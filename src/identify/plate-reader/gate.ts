import { stretchedContrast } from './contrast.js';
import type { Box } from './raster.js';

/**
 * The text-likelihood gate: where in an image a plate could be, from the small luma plane the
 * perceptual stage decodes anyway (long side 512), before any model runs. Characters make dense,
 * regular runs of strong horizontal intensity steps (each stroke has two edges) a few pixels high;
 * sky, walls, road and most foliage do not. The plane is cut into 8 x 4 cells; a cell is text-like
 * when its rows hold 1.5 to 6 strong steps on average; text-like cells that touch form blobs, and a
 * blob of at least 3 x 2 cells (24 x 8 pixels), at least as wide as high, is a place to read.
 * The largest places (grown to hold a whole plate, at most {@link MAX_REGIONS}) go to the row test
 * and the OCR as one; the smaller ones past them, up to {@link MAX_PLACES}, are the detector's to
 * test one by one (detector.ts), so that an ordinary photo's many small textured places are checked
 * rather than left as a gap.
 */

const CELL_W = 8;
const CELL_H = 4;
const STEP = 32;
const MIN_STEPS = 1.5 * CELL_H;
const MAX_STEPS = 6 * CELL_H;
/** Most regions read in one image: the largest blobs first. */
export const MAX_REGIONS = 6;
/**
 * Most text-like blobs of one image that are looked at in any way: the row test costs about the
 * place's pixels at each look, so a crafted image of thousands of blobs is bounded; blobs past it
 * are reported as not searched. Measured (scripts/bench/plate-places.js): at most 36 blobs in any of
 * the 93 decodable unrelated photos (median 12), 15 in the share's 629 camera-roll photos, 30 in
 * the first 60 openalpr photos per region; the row test on the places past the largest 6 costs
 * about 1 ms a place, 0.4 ms an unrelated photo.
 */
export const MAX_PLACES = 64;

/** A plane of 8-bit luma. */
export interface Luma {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Luma (BT.601) of interleaved pixels of 1-4 channels, as the gate and the row test read it: with
 * a dim or hazy picture's contrast stretched (contrast.ts).
 */
export function lumaOf(pixels: Uint8Array, width: number, height: number, channels: number): Luma {
  return stretchedContrast(plainLuma(pixels, width, height, channels));
}

function plainLuma(pixels: Uint8Array, width: number, height: number, channels: number): Luma {
  if (channels <= 2) {
    if (channels === 1) return { pixels, width, height };
    return { pixels: Uint8Array.from({ length: width * height }, (_, i) => pixels[i * 2]!), width, height };
  }
  const out = new Uint8Array(width * height);
  for (let i = 0, at = 0; i < out.length; i++, at += channels) out[i] = (pixels[at]! * 77 + pixels[at + 1]! * 150 + pixels[at + 2]! * 29) >> 8;
  return { pixels: out, width, height };
}

/** Places in the plane that may hold a plate, in its own pixels, largest first; empty when none. */
export function textRegions(luma: Luma): Box[] {
  return gatedRegions(luma).regions;
}

/** What the gate found in one image. */
export interface Gated {
  /** The {@link MAX_REGIONS} largest places, grown and joined where they overlap: tested and read as one. */
  regions: Box[];
  /**
   * The places past them, up to {@link MAX_PLACES} blobs, grown and joined likewise, less those
   * lying wholly inside one of `regions` (looked at already, by every look that looked there). Not
   * exact: tested alone, such a crop can pass where its region did not (the doubled look skips
   * places of the whole frame). It did so in none of the 445 openalpr photos, and in 8 of the 93
   * decodable unrelated photos, at 4.6 ms a photo, each then a read by the OCR.
   */
  extra: Box[];
  /** Blobs past {@link MAX_PLACES}: looked at by nothing, so the image is not fully searched. */
  dropped: number;
  /** Text-like blobs found in all (for the bench's counts). */
  blobs: number;
}

/** The gate's cells: which of the plane's CELL_W x CELL_H cells (row-major, `cols` a row) are text-like. */
export interface TextCells {
  textLike: Uint8Array;
  cols: number;
  rows: number;
  /** A cell's size in the plane's pixels. */
  cellWidth: number;
  cellHeight: number;
}

/** Which cells of `luma` hold 1.5 to 6 strong horizontal steps a row (the gate's first step). */
export function textCells(luma: Luma): TextCells {
  const { pixels, width, height } = luma;
  const cols = Math.floor(width / CELL_W);
  const rows = Math.floor(height / CELL_H);
  const textLike = new Uint8Array(cols * rows);
  const counts = new Uint16Array(cols);
  // Each step between x and x + 1 counts for x's cell, up to the last cell's last pixel but one.
  // Walked cell by cell with the previous pixel carried, not divided out per pixel: the same counts.
  const last = cols * CELL_W - 1;
  for (let r = 0; r < rows; r++) {
    counts.fill(0);
    for (let y = r * CELL_H; y < (r + 1) * CELL_H; y++) {
      const row = y * width;
      let before = pixels[row]!;
      for (let c = 0, x = 0; c < cols; c++) {
        const end = Math.min(x + CELL_W, last);
        let steps = 0;
        for (; x < end; x++) {
          const next = pixels[row + x + 1]!;
          // A strong step, |step| >= STEP, without a branch: the sign bit of either bound's distance.
          const shifted = next - before + STEP - 1;
          steps += (shifted | (2 * STEP - 2 - shifted)) >>> 31;
          before = next;
        }
        counts[c]! += steps;
      }
    }
    for (let c = 0; c < cols; c++) textLike[r * cols + c] = counts[c]! >= MIN_STEPS && counts[c]! <= MAX_STEPS ? 1 : 0;
  }
  return { textLike, cols, rows, cellWidth: CELL_W, cellHeight: CELL_H };
}

/** The gate's places in `luma`, largest first (see {@link Gated}). */
export function gatedRegions(luma: Luma): Gated {
  const { width, height } = luma;
  const { textLike, cols, rows } = textCells(luma);
  const blobs: (Box & { cells: number })[] = [];
  const seen = new Uint8Array(cols * rows);
  for (let start = 0; start < textLike.length; start++) {
    if (!textLike[start] || seen[start]) continue;
    let minC = cols;
    let maxC = -1;
    let minR = rows;
    let maxR = -1;
    let cells = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const at = stack.pop()!;
      const c = at % cols;
      const r = (at - c) / cols;
      cells++;
      minC = Math.min(minC, c);
      maxC = Math.max(maxC, c);
      minR = Math.min(minR, r);
      maxR = Math.max(maxR, r);
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const nr = r + dr;
          const nc = c + dc;
          if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) continue;
          const next = nr * cols + nc;
          if (textLike[next] && !seen[next]) {
            seen[next] = 1;
            stack.push(next);
          }
        }
      }
    }
    const w = (maxC - minC + 1) * CELL_W;
    const h = (maxR - minR + 1) * CELL_H;
    if (w >= 3 * CELL_W && h >= 2 * CELL_H && w >= h) blobs.push({ x: minC * CELL_W, y: minR * CELL_H, width: w, height: h, cells });
  }
  blobs.sort((a, b) => b.cells - a.cells || a.y - b.y || a.x - b.x);
  const regions = merged(blobs.slice(0, MAX_REGIONS).map((b) => grow(b, width, height)));
  const rest = merged(blobs.slice(MAX_REGIONS, MAX_PLACES).map((b) => grow(b, width, height)));
  return { regions, extra: rest.filter((r) => !regions.some((a) => inside(r, a))), dropped: Math.max(0, blobs.length - MAX_PLACES), blobs: blobs.length };
}

function inside(a: Box, b: Box): boolean {
  return a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
}

/**
 * A blob grown to hold the whole plate, clipped: a plate's strokes can fall into two blobs (a wide
 * gap between its letters and digits), or its end cells can miss the threshold.
 */
function grow(box: Box, width: number, height: number): Box {
  // Sideways by half the blob and two of its heights (the rest of a row of characters); up and down
  // by its height, and at least a sixth of its width (a plate is 2 to 5 times as wide as high).
  const dx = box.width / 2 + box.height * 2;
  const dy = Math.max(box.height, box.width / 6);
  const x = Math.max(0, box.x - dx);
  const y = Math.max(0, box.y - dy);
  const right = Math.min(width, box.x + box.width + dx);
  const bottom = Math.min(height, box.y + box.height + dy);
  return { x, y, width: right - x, height: bottom - y };
}

/** Overlapping regions joined into their bounding box, until none overlap (a text is read once, whole). */
function merged(boxes: Box[]): Box[] {
  const out = [...boxes];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!;
      const b = out[j]!;
      if (a.x >= b.x + b.width || b.x >= a.x + a.width || a.y >= b.y + b.height || b.y >= a.y + a.height) continue;
      const x = Math.min(a.x, b.x);
      const y = Math.min(a.y, b.y);
      out[i] = { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
      out.splice(j, 1);
      j = i;
    }
  }
  return out;
}
