import type { Luma } from './gate.js';

/**
 * The plane's contrast stretched when the picture is dim or hazy: its grey levels from the 1st to
 * the 99th percentile drawn over 0-255, when they span less than {@link NARROW_RANGE} levels, and the
 * plane left as it is otherwise. The gate counts steps of at least 32 grey levels and the row test
 * binarises at contrasts of 6 to 30, both in absolute levels, so a plate in a low-contrast frame
 * (traffic video at night or in haze, its characters 15-25 levels off their plate at 512 pixels)
 * gives neither strokes nor marks, however large it is. A plate reader normalises such a frame
 * before looking for text; a photo that spans the levels already is not touched, so what the gate
 * and the row test pass there is unchanged (but a dim one is stretched too: 40% of the bench share's
 * camera-roll illustrations span fewer levels, and which of them are read changed, below). Nor is a picture half of which lies within three
 * levels (a drawing or screenshot on a flat ground, whose range is its ink and its canvas):
 * stretched, the canvas's edges and anti-aliasing became marks enough for rows that are not there
 * (a zigzag of letters, checks, on the row test's own test pictures).
 *
 * Measured with scripts/bench/plate-losses.js (session 21), the openalpr US photos past the first 60
 * split before looking (odd sorted positions tuning, even held out): of the 16 tuning-set agency
 * photos the reader missed, 4 were lost at the gate and 5 at the row test, most of them frames whose
 * levels span 80-175 (stretched 1.47-3.11 times). The threshold was chosen on the tuning set and the
 * 99 decodable unrelated photos: stretching every plane whatever its span passed 25 more unrelated
 * photos to the OCR (21 -> 46, the reader's CPU 35 -> 72 ms a photo), most of them spanning 190-245
 * levels (stretched 1.04-1.34 times), where a few levels more tip texture over the thresholds.
 * As it is: US agency photos found 24 -> 28 of 40 tuning, 24 -> 25 of 41 held out, 19 of 29 of the
 * first 60 as before (5 and 2 more found, 1 and 1 lost elsewhere), EU 51 -> 52 of 54, BR 52 -> 53
 * of 57, the same one false claim; the 99 unrelated photos read and their text boxes the same. On
 * every 6th photo of the bench share's camera roll (1,020 synthetic illustrations on noisy grounds)
 * 63 photos were newly read and 62 no longer (705 -> 706), none claimed before or after.
 */
export const NARROW_RANGE = 183;
/**
 * Share of the pixels at each end left out of the range (glints, noise). Borders covering more of
 * the picture stay in it: a letterboxed dim frame keeps its span and is not stretched.
 */
const TAIL = 0.01;
/**
 * The levels are counted at every STRIDE-th pixel: percentiles of a quarter of the plane are as good
 * as the whole one's, and counting all of it made lumaOf 1.5 times as dear (0.44 -> 0.65 ms a 512
 * plane over the 99 decodable unrelated photos, interleaved rounds).
 */
const STRIDE = 4;

/**
 * `luma` with its levels stretched over 0-255 when they span less than {@link NARROW_RANGE} and it is
 * not a flat canvas; a new plane, never the caller's pixels changed.
 */
export function stretchedContrast(luma: Luma): Luma {
  const { pixels, width, height } = luma;
  const histogram = new Uint32Array(256);
  for (let i = 0; i < pixels.length; i += STRIDE) histogram[pixels[i]!]!++;
  const counted = Math.ceil(pixels.length / STRIDE);
  const tail = counted * TAIL;
  let low = 0;
  for (let seen = histogram[0]!; seen <= tail && low < 255; ) seen += histogram[++low]!;
  let high = 255;
  for (let seen = histogram[255]!; seen <= tail && high > 0; ) seen += histogram[--high]!;
  if (high <= low || high - low >= NARROW_RANGE) return luma;
  // A canvas: half the plane within three levels (a drawing or screenshot on a flat ground).
  for (let v = 1; v < 255; v++) if ((histogram[v - 1]! + histogram[v]! + histogram[v + 1]!) * 2 >= counted) return luma;
  const levels = new Uint8Array(256);
  for (let v = 0; v < 256; v++) levels[v] = Math.max(0, Math.min(255, Math.round(((v - low) * 255) / (high - low))));
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = levels[pixels[i]!]!;
  return { pixels: out, width, height };
}
