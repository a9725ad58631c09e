import type { OcrModels } from './models.js';
import { type Box, type Rgb, sampleInto } from './raster.js';

/**
 * Text recognition with PP-OCR's recogniser: the box is resized to 48 pixels high (width in
 * proportion, at most {@link MAX_WIDTH}), and the CTC output is decoded greedily. Each character
 * keeps the model's probability and its runner-up among plate characters, which is how the reader
 * knows which positions deserve a second spelling.
 */

const HEIGHT = 48;
const MAX_WIDTH = 480;
const HALF = [0.5, 0.5, 0.5] as const;

/** One recognised character: what the model read, how sure it was, and its best plate-character alternative. */
export interface ReadChar {
  char: string;
  probability: number;
  /** The likeliest other letter or digit at this step, with its probability. */
  alternative?: { char: string; probability: number };
}

/** One line of text as read. */
export interface ReadLine {
  chars: ReadChar[];
  /** Mean character probability (0 when nothing was read). */
  confidence: number;
}

const PLATE_CHAR = /^[0-9A-Za-z]$/;

/** Reads the text in `box` of `image`. */
export async function recogniseText(models: OcrModels, image: Rgb, box: Box): Promise<ReadLine> {
  const width = Math.max(8, Math.min(MAX_WIDTH, Math.ceil((HEIGHT * box.width) / box.height)));
  const input = new Float32Array(3 * HEIGHT * width);
  sampleInto(image, box, width, HEIGHT, input, width, HEIGHT * width, HALF, HALF);
  const recogniser = await models.recogniser();
  const feeds = { [recogniser.inputNames[0]!]: new models.ort.Tensor('float32', input, [1, 3, HEIGHT, width]) };
  const output = (await recogniser.run(feeds))[recogniser.outputNames[0]!]!;
  const [, steps, classes] = output.dims as [number, number, number];
  return ctcDecode(output.data as Float32Array, steps, classes, models.alphabet, plateClassIndexes(models.alphabet));
}

const plateIndexes = new WeakMap<readonly string[], number[]>();

function plateClassIndexes(alphabet: readonly string[]): number[] {
  let found = plateIndexes.get(alphabet);
  if (!found) {
    found = alphabet.flatMap((ch, i) => (PLATE_CHAR.test(ch) ? [i] : []));
    plateIndexes.set(alphabet, found);
  }
  return found;
}

/** Greedy CTC: the best class per step, repeats merged, blanks dropped. */
export function ctcDecode(probs: Float32Array, steps: number, classes: number, alphabet: readonly string[], plateClasses: readonly number[]): ReadLine {
  const chars: ReadChar[] = [];
  let previous = 0;
  for (let t = 0; t < steps; t++) {
    const row = t * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[row + c]! > probs[row + best]!) best = c;
    if (best !== 0 && best !== previous) {
      const read: ReadChar = { char: alphabet[best] ?? '', probability: probs[row + best]! };
      let other = -1;
      for (const c of plateClasses) if (c !== best && (other < 0 || probs[row + c]! > probs[row + other]!)) other = c;
      if (other >= 0) read.alternative = { char: alphabet[other]!, probability: probs[row + other]! };
      chars.push(read);
    }
    previous = best;
  }
  const confidence = chars.length === 0 ? 0 : chars.reduce((sum, c) => sum + c.probability, 0) / chars.length;
  return { chars, confidence };
}
