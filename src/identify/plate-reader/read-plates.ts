import { MAX_PLATE_LENGTH } from '../plates/normalise.js';
import { detectText, type TextBox } from './detect-text.js';
import type { OcrModels } from './models.js';
import type { Box, Rgb } from './raster.js';
import { type ReadLine, recogniseText } from './recognise.js';
import { type Candidate, lineCandidates, lineCharacters, MAX_CANDIDATES, MIN_READ_LENGTH, spellingsOf } from './spellings.js';

/**
 * Reads an image's text in the given regions and looks every plate spelling up: the OCR half of
 * the plate-in-image check. `lookup` says whether a normalised plate is an agency plate (a keyed
 * digest lookup); nothing here keeps a plate once it is looked up, and the result names where and
 * how sure, never what was read.
 */

/** An agency plate found in an image. */
export interface PlateInImage {
  /** The text box that held it, in the image's pixels (rounded). */
  region: Box;
  /** The recogniser's mean character probability over the matched characters, 0-1 (3 decimals). */
  confidence: number;
  /** Which spelling matched: 1 is the text as read, higher ones replaced confusable characters. */
  spelling: number;
}

/** What reading one image gave. */
export interface ImageReading {
  /** Agency plates found (at most one per text box), in reading order. */
  found: PlateInImage[];
  /** Text boxes read. */
  boxes: number;
  /** Plate candidates taken from them. */
  candidates: number;
  /** Spellings looked up in all (each one a chance of a false match; the bench counts them). */
  spellings: number;
  /** Which bound stopped the reading before every text box or candidate was looked at, if one did. */
  limited?: 'boxes' | 'candidates';
}

/**
 * Text boxes recognised per image at most: a page of dense text gives hundreds of boxes, each a
 * recogniser run. Plates are a few boxes; an image past this is reported as not fully searched.
 */
export const MAX_BOXES = 48;

interface Line {
  box: TextBox;
  reads: ReadLine[];
}

/**
 * The crops each text box is read from, as padding (sideways, up and down) in box heights. The
 * recogniser is sensitive to where a crop ends: a detector box that clips a plate's thin last "I"
 * or first "1" loses it, and one that takes in the plate's frame or a dealer's frame reads nothing
 * or a stray character. Read as detected, widened, and widened with the top and bottom trimmed, and
 * every read's candidates looked up. Measured on the openalpr US photos (first 30, reading every
 * plate): 19 read as detected alone, 25 with the three crops; EU 29 -> 30, BR 26 -> 27.
 */
const CROPS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0.3, 0.1],
  [0.2, -0.12],
];

/** The three crops of a text box the recogniser reads (CROPS), within the image (exported for scripts/bench/plate-reader-crops.js). */
export function cropsOf(box: Box, image: Pick<Rgb, 'width' | 'height'>): Box[] {
  return CROPS.map(([px, py]) => {
    const x = Math.max(0, box.x - px * box.height);
    const y = Math.max(0, box.y - py * box.height);
    const right = Math.min(image.width, box.x + box.width + px * box.height);
    const bottom = Math.min(image.height, box.y + box.height + py * box.height);
    return { x, y, width: right - x, height: bottom - y };
  });
}

/**
 * Least mean character probability of a read of letters alone that is taken as a word and not read
 * again from the other crops ({@link confidentWord}).
 */
export const WORD_PROBABILITY = 0.95;

/**
 * Whether a box's read as detected is a word, sure enough that the widened and trimmed crops would
 * only read it again: letters and no digit, each character likely (mean at least
 * {@link WORD_PROBABILITY}). The plates the crops recover hold digits (a clipped edge character, a
 * misread one), and a word on a sign or a car (RIGHT, TOYOTA) reads alike from every crop: on the
 * unrelated photos 13 of the 17 boxes read are such words, two thirds of their recogniser runs.
 * Measured on the openalpr photos (scripts/bench/plate-reader-crops.js): of the 476 boxes of the
 * first 60 per region and the 698 of the other 264, 86 and 78 are such words, and no plate read
 * from any crop is lost (155 and 202 photos); the one plate whose first read was letters alone and
 * that only another crop read was at 0.79. Its candidates are still looked up: a plate of letters
 * alone, read whole, is still found.
 */
export function confidentWord(read: ReadLine): boolean {
  const chars = lineCharacters(read);
  return chars.length > 0 && read.confidence >= WORD_PROBABILITY && chars.every((c) => c.char < '0' || c.char > '9');
}

/** Reads `regions` of `image` (text detection, then recognition of each box) and looks up the spellings. */
export async function readPlates(models: OcrModels, image: Rgb, regions: readonly Box[], lookup: (plate: string) => boolean): Promise<ImageReading> {
  const lines: Line[] = [];
  let limited: ImageReading['limited'];
  search: for (const region of regions) {
    for (const box of await detectText(models, image, region)) {
      if (box.height < 6 || box.width < box.height * 0.8) continue;
      if (lines.length >= MAX_BOXES) {
        limited = 'boxes';
        break search;
      }
      const [asDetected, ...others] = cropsOf(box, image);
      const reads = [await recogniseText(models, image, asDetected!)];
      if (!confidentWord(reads[0]!)) for (const crop of others) reads.push(await recogniseText(models, image, crop));
      lines.push({ box, reads });
    }
  }
  const reading: ImageReading = { found: [], boxes: lines.length, candidates: 0, spellings: 0, ...(limited ? { limited } : {}) };
  const taken: { box: Box; candidates: Candidate[] }[] = lines.map((line) => ({
    box: line.box,
    candidates: line.reads.flatMap((read) => lineCandidates(read)),
  }));
  for (const joined of joinedCandidates(lines)) taken.push(joined);
  // A spelling is looked up (and counted) once per image: the crops of one box often read alike.
  const looked = new Set<string>();
  const candidateTexts = new Set<string>();
  for (const { box, candidates } of taken) {
    for (const candidate of candidates) {
      const text = candidate.map((c) => c.char).join('');
      if (candidateTexts.has(text)) continue;
      candidateTexts.add(text);
      if (reading.candidates >= MAX_CANDIDATES) {
        reading.limited ??= 'candidates';
        return reading;
      }
      reading.candidates++;
      const spellings = spellingsOf(candidate);
      const index = spellings.findIndex((plate) => {
        if (looked.has(plate)) return false;
        looked.add(plate);
        reading.spellings++;
        return lookup(plate);
      });
      if (index < 0) continue;
      const confidence = candidate.reduce((sum, c) => sum + c.probability, 0) / candidate.length;
      reading.found.push({ region: rounded(box), confidence: Math.round(confidence * 1000) / 1000, spelling: index + 1 });
      break;
    }
  }
  return reading;
}

/**
 * Two lines that are one plate's parts: one above the other and about as wide (the rows of a stacked
 * plate, read top then bottom), or side by side on one row of the same height with a gap of at most
 * two heights (groups the detector boxed apart: `ABC` and `1234` either side of an emblem).
 */
function joinedCandidates(lines: readonly Line[]): { box: Box; candidates: Candidate[] }[] {
  const out: { box: Box; candidates: Candidate[] }[] = [];
  for (const top of lines) {
    for (const bottom of lines) {
      if (top === bottom) continue;
      const a = top.box;
      const b = bottom.box;
      const gap = b.y - (a.y + a.height);
      const overlap = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const stacked = gap >= -0.4 * a.height && gap <= 0.6 * a.height && overlap >= 0.5 * Math.min(a.width, b.width);
      const sideGap = b.x - (a.x + a.width);
      const sameRow = Math.abs(a.y + a.height / 2 - (b.y + b.height / 2)) < 0.4 * a.height && b.height > 0.7 * a.height && b.height < 1.4 * a.height;
      const beside = sameRow && sideGap >= -0.3 * a.height && sideGap <= 2 * a.height;
      if (!stacked && !beside) continue;
      const chars = [...lineCharacters(top.reads[0]!), ...lineCharacters(bottom.reads[0]!)];
      if (chars.length < MIN_READ_LENGTH || chars.length > MAX_PLATE_LENGTH) continue;
      const x = Math.min(a.x, b.x);
      const y = Math.min(a.y, b.y);
      const box = { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
      out.push({ box, candidates: [chars] });
    }
  }
  return out;
}

function rounded(box: Box): Box {
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}
