import type { OcrModels } from './models.js';
import { type Box, type Rgb, sampleInto } from './raster.js';

/**
 * Text detection with PP-OCR's DB model: the region is resized so both sides are multiples of 32
 * (the long side about {@link DETECT_SIDE}), the model gives each pixel a probability of being
 * text, and every 4-connected component above {@link PIXEL_THRESHOLD} whose mean probability reaches
 * {@link BOX_THRESHOLD} becomes a box, grown as DB's "unclip" grows it (the model predicts shrunk
 * text kernels). Boxes are axis-aligned: plates in traffic photos are near level, and the
 * recogniser reads a slightly loose box as well as a tight one.
 */

/**
 * Long side of the detector's input: a region is drawn at this size, enlarged at most twice (the
 * model finds text from about 10 pixels high, and a gated place is often small) and reduced as much
 * as needed. It was 960, PaddleOCR's default `limit_side_len`, for regions past 640; the model's
 * cost goes with its input's pixels, and most of what --read-plates added to photos without plates
 * was the detector on whole-image regions of large photos. Measured on the openalpr photos (first 60
 * per region, half the agency's; scripts/bench/plate-reader-stages.js): at 640 the same 82 agency
 * photos are read as at 960 (US 25, EU 30, BR 27 of 30) and no other plate is claimed; at 512 two
 * US agency photos are lost (23 of 30).
 */
export const DETECT_SIDE = 640;
const PIXEL_THRESHOLD = 0.3;
const BOX_THRESHOLD = 0.5;
const UNCLIP_RATIO = 1.6;
const MIN_BOX_SIDE = 3;
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;

/** A text box in the image's pixels, with the detector's mean probability over it. */
export interface TextBox extends Box {
  score: number;
}

/**
 * Text boxes inside `region` of `image`, in image coordinates, top to bottom then left to right.
 * The detector sees the whole region, not only tiles of it holding the gate's text-like cells:
 * measured with scripts/bench/plate-detector-tiles.js (tiles of 64 input pixels, the first 60
 * openalpr photos per region and 113 unrelated ones), those tiles grown by 64 pixels of context
 * cover 0.81-0.92 of the input and save 3-12% of the detector's CPU, and a quarter of the boxes
 * change; without context they save 23-46% and change over half of them.
 */
export async function detectText(models: OcrModels, image: Rgb, region: Box): Promise<TextBox[]> {
  const { input, width, height } = detectorInput(image, region);
  return boxesOf(await textProbabilities(models, input, width, height), width, height, region, image);
}

/** The detector's input for `region`: its pixels drawn at the detector's scale, normalised, planar BGR. */
export function detectorInput(image: Rgb, region: Box): { input: Float32Array; width: number; height: number } {
  const scale = Math.min(2, DETECT_SIDE / Math.max(region.width, region.height));
  const w = Math.max(32, Math.round((region.width * scale) / 32) * 32);
  const h = Math.max(32, Math.round((region.height * scale) / 32) * 32);
  const input = new Float32Array(3 * w * h);
  sampleInto(image, region, w, h, input, w, w * h, MEAN, STD);
  return { input, width: w, height: h };
}

/** The detector's text probability of each pixel of an input `w` x `h` (both multiples of 32). */
export async function textProbabilities(models: OcrModels, input: Float32Array, w: number, h: number): Promise<Float32Array> {
  const feeds = { [models.detector.inputNames[0]!]: new models.ort.Tensor('float32', input, [1, 3, h, w]) };
  const output = await models.detector.run(feeds);
  return output[models.detector.outputNames[0]!]!.data as Float32Array;
}

/** The text boxes of a probability map of `region` (`w` x `h`), in the image's pixels, in reading order. */
export function boxesOf(map: Float32Array, w: number, h: number, region: Box, image: Rgb): TextBox[] {
  const fx = region.width / w;
  const fy = region.height / h;
  return components(map, w, h)
    .map((b) => clip({ x: region.x + b.x * fx, y: region.y + b.y * fy, width: b.width * fx, height: b.height * fy, score: b.score }, image))
    .filter((b) => b.width >= MIN_BOX_SIDE && b.height >= MIN_BOX_SIDE)
    .sort((a, b) => a.y - b.y || a.x - b.x);
}

/** Connected components of the thresholded map, as unclipped boxes in map pixels. */
function components(map: Float32Array, w: number, h: number): TextBox[] {
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const boxes: TextBox[] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || map[start]! <= PIXEL_THRESHOLD) continue;
    let minX = w;
    let minY = h;
    let maxX = -1;
    let maxY = -1;
    let sum = 0;
    let count = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const at = stack.pop()!;
      const x = at % w;
      const y = (at - x) / w;
      sum += map[at]!;
      count++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      const push = (next: number): void => {
        if (!seen[next] && map[next]! > PIXEL_THRESHOLD) {
          seen[next] = 1;
          stack.push(next);
        }
      };
      if (x > 0) push(at - 1);
      if (x < w - 1) push(at + 1);
      if (y > 0) push(at - w);
      if (y < h - 1) push(at + w);
    }
    const score = sum / count;
    if (score < BOX_THRESHOLD || count < 4) continue;
    const bw = maxX - minX + 1;
    const bh = maxY - minY + 1;
    // DB's unclip: grow by area * ratio / perimeter on every side.
    const d = (bw * bh * UNCLIP_RATIO) / (2 * (bw + bh));
    boxes.push({ x: minX - d, y: minY - d, width: bw + 2 * d, height: bh + 2 * d, score });
  }
  return boxes;
}

function clip(box: TextBox, image: Rgb): TextBox {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  const right = Math.min(image.width, box.x + box.width);
  const bottom = Math.min(image.height, box.y + box.height);
  return { x, y, width: right - x, height: bottom - y, score: box.score };
}
