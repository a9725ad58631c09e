import type { Luma } from './gate.js';
import type { Box } from './raster.js';

/**
 * The character-row test: what plate readers check before OCR. The stroke gate (gate.ts) passes
 * most real photos, whose fine texture and edges look like strokes at 512 pixels; a plate is more
 * than strokes. Each place the gate found is binarised against the mean of a 15-pixel window (dark
 * marks and light marks, since plates come in both), its marks are found as 4-connected components,
 * and it holds a plate-like thing when either
 * - a **row**: at least {@link MIN_ROW} marks shaped like characters, of one height, each level
 *   with the one before and with the first (or, one mark more, on a tilted line from it), each
 *   starting close after the one before; or
 * - a **panel**: a filled mark 1.4 to 6 times as wide as high (the plate itself, where characters
 *   are too small to stand apart, as US plates 12 pixels high at 512) holding at least three marks
 *   of the other polarity, each a fifth to most of its height, spread over half its width.
 * Foliage, bark and rough walls give marks of every size that rarely line up; text on signs passes,
 * as it should. Measured on the plane the audit decodes, over the bench's photos
 * (scripts/bench/plates-in-images.js): of 93 decodable unrelated photos the gate passed 86, this
 * test 14 (7 of them with words or cars in the picture); of the first 60 openalpr photos per region it
 * passes US 37, EU 59, BR 55 (US plates 10-13 pixels high at 512 are where it loses most).
 */

/** Fewest aligned marks that make a row (a plate has 5 to 8 characters; some merge or break). */
export const MIN_ROW = 4;
/** Half side of the window each pixel is compared with. */
const WINDOW = 7;
/** How far from its window's mean a pixel must be to be part of a mark. */
const CONTRAST = 10;
/** The smallest character height that can stand apart at 512 pixels. */
const MIN_HEIGHT = 5;
/** Height tolerances of a row: each mark within 0.75-1.33 of the first's height, tops and bottoms within 0.2 of it. */
const HEIGHT_RATIO = 1.33;
const LEVEL = 0.2;
/** Widest gap between neighbours in a row, in heights (a plate's gap between its groups). */
const MAX_GAP = 1.6;
/**
 * Steepest tilt of a row (about 11 degrees). A tilted row needs one mark more: texture lines up
 * along a slope more easily than level (measured: allowing tilt with 4 marks passed 11 more of the
 * 93 unrelated photos; with 5, none more, and kept 2 more BR plates).
 */
const MAX_SLOPE = 0.2;

/** A connected mark: its box and pixel count. */
interface Mark extends Box {
  pixels: number;
}

/** Whether `region` of `luma` holds a row of characters or a plate panel. */
export function hasCharacterRow(luma: Luma, region: Box): boolean {
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const w = Math.min(luma.width, Math.ceil(region.x + region.width)) - x0;
  const h = Math.min(luma.height, Math.ceil(region.y + region.height)) - y0;
  if (w < MIN_HEIGHT || h < MIN_HEIGHT) return false;
  const [dark, light] = marksOf(luma, x0, y0, w, h);
  for (const marks of [dark, light]) if (hasRow(marks.filter((m) => characterLike(m, h)))) return true;
  return hasPanel(light, dark) || hasPanel(dark, light);
}

/**
 * The dark and light marks of the crop: pixels at least {@link CONTRAST} below (above) the mean of
 * their window, joined 4-connected (8 would join neighbouring characters at their corners).
 */
function marksOf(luma: Luma, x0: number, y0: number, w: number, h: number): [Mark[], Mark[]] {
  const { pixels, width } = luma;
  // Summed-area table, (w + 1) x (h + 1); a 512 x 512 plane of 255s fits in 32 bits.
  const stride = w + 1;
  const sums = new Int32Array(stride * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    const from = (y0 + y) * width + x0;
    for (let x = 0; x < w; x++) {
      row += pixels[from + x]!;
      sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1]! + row;
    }
  }
  // 1 = dark mark, 2 = light mark; compared as value * area against sum, without a division.
  const state = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const top = Math.max(0, y - WINDOW);
    const bottom = Math.min(h, y + WINDOW + 1);
    const from = (y0 + y) * width + x0;
    for (let x = 0; x < w; x++) {
      const left = Math.max(0, x - WINDOW);
      const right = Math.min(w, x + WINDOW + 1);
      const area = (bottom - top) * (right - left);
      const total = sums[bottom * stride + right]! - sums[top * stride + right]! - sums[bottom * stride + left]! + sums[top * stride + left]!;
      const scaled = pixels[from + x]! * area;
      if (total - scaled >= CONTRAST * area) state[y * w + x] = 1;
      else if (scaled - total >= CONTRAST * area) state[y * w + x] = 2;
    }
  }
  const dark: Mark[] = [];
  const light: Mark[] = [];
  const stack = new Int32Array(w * h);
  for (let start = 0; start < state.length; start++) {
    const kind = state[start]!;
    if (kind === 0) continue;
    state[start] = 0;
    let size = 0;
    stack[size++] = start;
    let minX = w;
    let minY = h;
    let maxX = -1;
    let maxY = -1;
    let count = 0;
    while (size > 0) {
      const at = stack[--size]!;
      const x = at % w;
      const y = (at - x) / w;
      count++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (x > 0 && state[at - 1] === kind) (state[at - 1] = 0), (stack[size++] = at - 1);
      if (x < w - 1 && state[at + 1] === kind) (state[at + 1] = 0), (stack[size++] = at + 1);
      if (y > 0 && state[at - w] === kind) (state[at - w] = 0), (stack[size++] = at - w);
      if (y < h - 1 && state[at + w] === kind) (state[at + w] = 0), (stack[size++] = at + w);
    }
    (kind === 1 ? dark : light).push({ x: x0 + minX, y: y0 + minY, width: maxX - minX + 1, height: maxY - minY + 1, pixels: count });
  }
  return [dark, light];
}

/** A mark shaped like one character: taller than wide (a thin "1" up to a wide "M"), partly filled. */
function characterLike(m: Mark, regionHeight: number): boolean {
  if (m.height < MIN_HEIGHT || m.height > regionHeight * 0.8 || m.width > m.height * 1.1) return false;
  const fill = m.pixels / (m.width * m.height);
  return fill >= 0.2 && fill <= 0.95;
}

/**
 * Whether {@link MIN_ROW} marks line up, left to right, from some first one: each level with the one
 * before it, and level with the first or (one more mark needed) on a tilted line from it.
 */
function hasRow(marks: Mark[]): boolean {
  const sorted = marks.sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++) {
    const seed = sorted[i]!;
    const tolerance = seed.height * LEVEL;
    const reach = MAX_GAP * seed.height;
    let last = seed;
    let count = 1;
    let tilted = false;
    for (let j = i + 1; j < sorted.length; j++) {
      const m = sorted[j]!;
      if (m.x > last.x + last.width + reach) {
        // Sorted by left edge: nothing further on can be close enough.
        if (m.x > last.x + last.width + 3 * reach) break;
        continue;
      }
      if (m.x < last.x + last.width * 0.5 || m.height > seed.height * HEIGHT_RATIO || m.height * HEIGHT_RATIO < seed.height) continue;
      if (!level(m, last, tolerance)) continue;
      const isTilted = !level(m, seed, tolerance);
      if (isTilted && !onLine(m, seed, last, tolerance)) continue;
      if (isTilted) tilted = true;
      last = m;
      if (++count >= (tilted ? MIN_ROW + 1 : MIN_ROW)) return true;
    }
  }
  return false;
}

/**
 * Whether `m`'s top and bottom lie on the lines through the first and the last mark's: a tilted
 * plate's characters step up or down evenly, by at most {@link MAX_SLOPE} a pixel.
 */
function onLine(m: Box, seed: Box, last: Box, tolerance: number): boolean {
  const run = last.x - seed.x;
  if (run <= 0) return false;
  const top = (last.y - seed.y) / run;
  const bottom = (last.y + last.height - seed.y - seed.height) / run;
  if (Math.abs(top) > MAX_SLOPE || Math.abs(bottom) > MAX_SLOPE) return false;
  const dx = m.x - seed.x;
  return Math.abs(m.y - (seed.y + top * dx)) <= tolerance && Math.abs(m.y + m.height - (seed.y + seed.height + bottom * dx)) <= tolerance;
}

function level(a: Box, b: Box, tolerance: number): boolean {
  return Math.abs(a.y - b.y) <= tolerance && Math.abs(a.y + a.height - (b.y + b.height)) <= tolerance;
}

/** Whether one of `panels` is a filled plate-shaped mark with characters of the other polarity (`inner`) across it. */
function hasPanel(panels: Mark[], inner: Mark[]): boolean {
  for (const p of panels) {
    if (p.height < 8 || p.width < p.height * 1.4 || p.width > p.height * 6 || p.pixels < p.width * p.height * 0.5) continue;
    let count = 0;
    let left = Number.POSITIVE_INFINITY;
    let right = Number.NEGATIVE_INFINITY;
    for (const m of inner) {
      const cx = m.x + m.width / 2;
      const cy = m.y + m.height / 2;
      if (cx < p.x || cx > p.x + p.width || cy < p.y || cy > p.y + p.height) continue;
      if (m.height < p.height * 0.2 || m.height > p.height * 0.85 || m.width > m.height * 1.2) continue;
      count++;
      left = Math.min(left, m.x);
      right = Math.max(right, m.x + m.width);
    }
    if (count >= 3 && right - left >= p.width * 0.5) return true;
  }
  return false;
}
