import type { Luma } from './gate.js';
import { doubledMarksOf, type Mark, marksOf, type PlaceMarks } from './marks.js';
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
 *   of the other polarity, each a fifth to most of its height, spread over half its width, of even
 *   heights and within its sides.
 * A place where neither is found is looked at again, at other contrasts and windows and drawn at
 * twice its size ({@link LOOKS}). Foliage, bark and rough walls give marks of every size that
 * rarely line up; text on signs passes, as it should. Measured on the plane the audit decodes, over
 * the bench's photos (scripts/bench/plates-in-images.js; the first 60 openalpr photos per region,
 * half of them the agency's): of 93 decodable unrelated photos the gate passed 86, the first look
 * 14 (7 of them with words or cars in the picture), all the looks 22; of the agency photos the
 * first look keeps US 21/30, EU 30/30, BR 28/30, all the looks US 27, EU 30, BR 29 (the rest lie
 * in no gated place but one US photo). All the looks cost about 17 ms CPU an unrelated photo, the
 * first 2.5 (measured on the shared machine with other work running); marks.ts's reused arrays and
 * integer doubling later cut the test's CPU to 0.61-0.66x, same passes (plate-rows-cost.js), and its
 * loops in WebAssembly to 0.53x again (17.7 -> 9.3 ms an unrelated photo, the same marks).
 */

/** Fewest aligned marks that make a row (a plate has 5 to 8 characters; some merge or break). */
export const MIN_ROW = 4;

/**
 * How a place is binarised and read: drawn at `scale` times its size, each pixel compared with the
 * mean of the square `window` pixels each side of it, `contrast` grey levels apart to be part of a
 * mark; `minRow` marks make a row.
 */
export interface Look {
  scale: 1 | 2;
  window: number;
  contrast: number;
  minRow: number;
}

/**
 * The looks, cheapest first; a place is read when any finds a row or a panel. The first finds most
 * plates. The others each find plates it misses, and each needs one mark more, since texture lines
 * up more easily in them:
 * - contrast 20 and 30: a plate darker or lighter than what is around it (a grey plate on a white
 *   car, a white one in shade) joins its characters to the panel or to each other at 10;
 * - a window of 12: characters 9-12 pixels high, which a 15-pixel window breaks into pieces;
 * - the place doubled, contrast 6: characters of 4-6 pixels that touch (US plates 10-13 pixels high
 *   at 512) and dim plates in shade. It costs four times the others; it comes last, and does not
 *   look at places of the whole frame ({@link WHOLE_FRAME}).
 * Measured as for the test above: all five looks pass 22 of the 93 unrelated photos (the first
 * alone 14) and keep 27 of the 30 US agency photos (21), BR 29 (28), EU 30 (30); without the
 * doubled look, US 24; without the contrast-20 and -30 looks, US 26 and BR 28.
 */
export const LOOKS: readonly Look[] = [
  { scale: 1, window: 7, contrast: 10, minRow: MIN_ROW },
  { scale: 1, window: 7, contrast: 20, minRow: MIN_ROW + 1 },
  { scale: 1, window: 10, contrast: 30, minRow: MIN_ROW + 1 },
  { scale: 1, window: 12, contrast: 10, minRow: MIN_ROW + 1 },
  { scale: 2, window: 7, contrast: 6, minRow: MIN_ROW + 1 },
];

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

/**
 * Most pairs of marks one row or panel search compares. Every mark starts a row and is compared
 * with those after it within reach, and every filled wide mark with every mark of the other
 * polarity, so a place crafted to hold thousands of marks that never line up (a tall first mark
 * reaches over all of them) costs the square of their count, at each look and polarity. Past the budget the search gives up and the place is read by the OCR, whose
 * own bounds hold: the test may only let more images through, never fewer. Measured over the whole
 * 512 px planes of 299 photos (the exif samples and openalpr's US photos), every look and polarity:
 * rows median 2,235 pairs, 95th percentile 67,511, most 118,971; panels median 31,962, 95th
 * percentile 200,024, most 371,925.
 */
const ROW_PAIRS = 1_000_000;

/**
 * Least share of the picture a place covers for the doubled look to pass it by: such a place is
 * strokes the gate grew over the whole frame (foliage, gravel, a textured wall), and the doubled look
 * costs four times the others a pixel, on the largest places. Measured with
 * scripts/bench/plate-rows-looks.js (every look on every place) over the 444 openalpr photos and the
 * bench's 93 decodable unrelated photos: the doubled look was 57% of the test's CPU on the unrelated
 * photos, 4.4 of their 10.7 ms a photo on places this large; of the 11 openalpr photos it passes
 * first, the largest place it passes covers 0.66 of its picture; of the unrelated photos it passes
 * one first (034-nikon-e950, a whole frame of texture), the one photo whose passing changes. The
 * looks at 512 pass places of the whole frame in plate photos (a plate 40 pixels wide, the gate's
 * blob grown over its car): they are not limited.
 */
const WHOLE_FRAME = 0.9;

/** Whether `region` of `luma` holds a row of characters or a plate panel, at any look. */
export function hasCharacterRow(luma: Luma, region: Box): boolean {
  return anyCharacterRow(luma, [region]);
}

/** Whether one of `regions` holds a row or a panel: every place at one look before any at the next, dearer one. */
export function anyCharacterRow(luma: Luma, regions: readonly Box[]): boolean {
  return LOOKS.some((how) => regions.some((region) => look(luma, region, how)));
}

/** Whether `region` holds a row or a panel at one look. */
export function look(luma: Luma, region: Box, how: Look): boolean {
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const w = Math.min(luma.width, Math.ceil(region.x + region.width)) - x0;
  const h = Math.min(luma.height, Math.ceil(region.y + region.height)) - y0;
  if (w < MIN_HEIGHT || h < MIN_HEIGHT) return false;
  if (how.scale === 1) return holdsPlate(marksOf(luma, x0, y0, w, h, how.window, how.contrast), h, MIN_HEIGHT, how.minRow);
  if (w * h >= WHOLE_FRAME * luma.width * luma.height) return false;
  // Marks 4 pixels high at 512 count: the touching characters of small plates.
  return holdsPlate(doubledMarksOf(luma, x0, y0, w, h, how.window, how.contrast), 2 * h, 2 * (MIN_HEIGHT - 1), how.minRow);
}

/** Whether the dark or light marks of a place `h` high make a row of `minRow`, or a plate panel. */
function holdsPlate([dark, light, flatDark, flatLight]: PlaceMarks, h: number, minHeight: number, minRow: number): boolean {
  for (const marks of [dark, light])
    if (
      hasRow(
        marks.filter((m) => characterLike(m, h, minHeight)),
        minRow,
      )
    )
      return true;
  return hasPanel(light, dark, dark.length + flatDark) || hasPanel(dark, light, light.length + flatLight);
}

/** A mark shaped like one character: taller than wide (a thin "1" up to a wide "M"), partly filled. */
function characterLike(m: Mark, regionHeight: number, minHeight: number): boolean {
  if (m.height < minHeight || m.height > regionHeight * 0.8 || m.width > m.height * 1.1) return false;
  const fill = m.pixels / (m.width * m.height);
  return fill >= 0.2 && fill <= 0.95;
}

/**
 * Whether `minRow` marks line up, left to right, from some first one: each level with the one
 * before it, and level with the first or (one more mark needed) on a tilted line from it.
 */
export function hasRow(marks: Mark[], minRow: number): boolean {
  const sorted = marks.sort((a, b) => a.x - b.x);
  let budget = ROW_PAIRS;
  for (let i = 0; i < sorted.length; i++) {
    const seed = sorted[i]!;
    const tolerance = seed.height * LEVEL;
    const reach = MAX_GAP * seed.height;
    let last = seed;
    let count = 1;
    let tilted = false;
    for (let j = i + 1; j < sorted.length; j++) {
      // Undecided within the budget: the place is read, as one that holds a row.
      if (--budget < 0) return true;
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
      if (++count >= (tilted ? minRow + 1 : minRow)) return true;
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

/**
 * A panel's characters are of one height and lie on it. Texture on a filled patch (a window's
 * frame, a shadowed wall, two characters run together with their holes inside) gives marks of
 * mixed heights, or marks reaching past the patch's sides. Measured with
 * scripts/bench/plate-panels.js, as the spread of the marks' heights (standard deviation over
 * mean) and the overhang past the panel's sides (in its heights), at the panel most like a plate:
 * of the openalpr photos (first 60 per region) whose plate the reader reads and that only a panel
 * passes (11), spread at most 0.32 and overhang 0.10; of the 22 unrelated photos the test passed,
 * 12 pass only by a panel, 5 of them at spread 0.44 or more (or overhang 0.33), the others at 0.35 or
 * less. Set between: 0.42 and 0.25, so the test passes 17 of the 93 unrelated photos. The 264
 * openalpr photos past the first 60 per region, measured beside them: the 18 that only a panel
 * passes are at spread 0.39 or less and overhang 0 (the margin on the plates' side is thin), and
 * all 444 openalpr photos pass or fail as they did without the two limits.
 */
const PANEL_HEIGHT_SPREAD = 0.42;
const PANEL_OVERHANG = 0.25;

/**
 * Whether one of `panels` is a filled plate-shaped mark with characters of the other polarity
 * (`inner`) across it, of one height and within its sides ({@link PANEL_HEIGHT_SPREAD}).
 * `innerCount` is how many marks of that polarity the place has, listed or not (marks.ts leaves
 * out those one pixel high): the pair budget counts them all, as it did when every mark was
 * listed, so the same places run past it.
 */
export function hasPanel(panels: Mark[], inner: Mark[], innerCount = inner.length): boolean {
  let budget = ROW_PAIRS;
  for (const p of panels) {
    if (p.height < 8 || p.width < p.height * 1.4 || p.width > p.height * 6 || p.pixels < p.width * p.height * 0.5) continue;
    // Every panel is compared with every mark of the other polarity: bounded as the row search is.
    budget -= innerCount;
    if (budget < 0) return true;
    let count = 0;
    let heights = 0;
    let squares = 0;
    let left = Number.POSITIVE_INFINITY;
    let right = Number.NEGATIVE_INFINITY;
    for (const m of inner) {
      const cx = m.x + m.width / 2;
      const cy = m.y + m.height / 2;
      if (cx < p.x || cx > p.x + p.width || cy < p.y || cy > p.y + p.height) continue;
      if (m.height < p.height * 0.2 || m.height > p.height * 0.85 || m.width > m.height * 1.2) continue;
      count++;
      heights += m.height;
      squares += m.height * m.height;
      left = Math.min(left, m.x);
      right = Math.max(right, m.x + m.width);
    }
    if (count < 3 || right - left < p.width * 0.5) continue;
    if (Math.max(p.x - left, right - (p.x + p.width)) > PANEL_OVERHANG * p.height) continue;
    const mean = heights / count;
    if (Math.sqrt(Math.max(0, squares / count - mean * mean)) <= PANEL_HEIGHT_SPREAD * mean) return true;
  }
  return false;
}
