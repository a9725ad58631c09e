import { MAX_PLATE_LENGTH, MIN_PLATE_LENGTH, normalisePlate } from './normalise.js';
import { ShortHmac } from './short-hmac.js';

/**
 * Looks candidate plates up in a set of agency digests, as cheaply as a scan needs.
 *
 * Candidates arrive as *codes*: a normalised plate of at most 10 characters from `0-9A-Z` is written
 * in base 37 with digits 1..36 (`0`=1 ... `9`=10, `A`=11 ... `Z`=36). 37^10 < 2^53, so every plate is
 * one exact JavaScript number and a scanner never builds a string for a token. A lookup then is:
 * 1. **shape gate**: the candidate's shape (`LLLDDDD`, see {@link plateShape}) must be one the agency set
 *    has (all shapes when the set does not say): one table read, and lossless;
 * 2. **cache**: a fixed-size direct-mapped table of recent codes and their answers, because logs
 *    repeat the same tokens endlessly;
 * 3. **HMAC**: two SHA-256 compressions ({@link ShortHmac}), then the first digest word is looked up
 *    and the full digest compared.
 */

/**
 * The *shape* of a normalised plate: `L` for each letter and `D` for each digit (`ABC1234` →
 * `LLLDDDD`). As a number, bit i (from the right) is 1 when character i from the end is a letter.
 */
export function plateShape(plate: string): string {
  return plate.replace(/[A-Z]/g, 'L').replace(/[0-9]/g, 'D');
}

/**
 * The distinct shapes of a set of normalised plates, sorted. A shape says which format a plate has
 * (public knowledge for any jurisdiction), never which plate; it lets a scan skip every token no agency
 * plate could be: English words when all plates hold digits, ISO timestamp pieces (`0101T00`), most
 * hex identifiers. That is most tokens of a log.
 */
export function plateShapes(plates: Iterable<string>): string[] {
  const shapes = new Set<string>();
  for (const plate of plates) shapes.add(plateShape(plate));
  return [...shapes].sort();
}

/** Index into a shape gate: length and letter mask. */
export const gateIndex = (length: number, mask: number): number => (length << MAX_PLATE_LENGTH) | mask;

/** Shape gate: 1 at {@link gateIndex} of each allowed shape; every shape when `shapes` is absent or malformed. */
export function shapeGate(shapes?: readonly string[]): Uint8Array {
  const gate = new Uint8Array((MAX_PLATE_LENGTH + 1) << MAX_PLATE_LENGTH);
  const valid = shapes?.every((shape) => /^[LD]{2,10}$/.test(shape)) ?? false;
  if (!shapes || !valid) return gate.fill(1, gateIndex(MIN_PLATE_LENGTH, 0));
  for (const shape of shapes) gate[gateIndex(shape.length, Number.parseInt(shape.replace(/L/g, '1').replace(/D/g, '0'), 2))] = 1;
  return gate;
}

/** Base-37 value of an ASCII byte (0 when the byte is not 0-9, A-Z or a-z). */
export const CODE_VALUE = new Uint8Array(256);
for (let b = 0x30; b <= 0x39; b++) CODE_VALUE[b] = b - 0x30 + 1;
for (let b = 0x41; b <= 0x5a; b++) CODE_VALUE[b] = b - 0x41 + 11;
for (let b = 0x61; b <= 0x7a; b++) CODE_VALUE[b] = b - 0x61 + 11;

/** 37^n for n = 0..10. */
export const POW37 = Float64Array.from({ length: MAX_PLATE_LENGTH + 1 }, (_, n) => 37 ** n);

const CACHE_BITS = 18;
const EMPTY = -1;

/** Agency digests plus the key: answers "is this candidate an agency plate, and which one?". */
export class PlateMatcher {
  /** Shapes worth digesting, by {@link gateIndex}. */
  readonly gate: Uint8Array;
  /** Number of distinct agency digests. */
  readonly size: number;
  private readonly hmac: ShortHmac;
  private readonly words: Int32Array;
  private readonly byFirstWord = new Map<number, number[]>();
  private readonly cacheKeys = new Float64Array(1 << CACHE_BITS).fill(EMPTY);
  private readonly cacheValues = new Int32Array(1 << CACHE_BITS);
  private readonly message = new Uint8Array(MAX_PLATE_LENGTH);

  /** `digests` are lowercase hex HMAC-SHA-256 digests; `shapes` as from {@link plateShapes}. */
  constructor(key: Buffer, digests: readonly string[], shapes?: readonly string[]) {
    this.hmac = new ShortHmac(key);
    this.gate = shapeGate(shapes);
    const distinct = [...new Set(digests)].sort();
    this.size = distinct.length;
    this.words = new Int32Array(distinct.length * 8);
    distinct.forEach((hex, index) => {
      for (let i = 0; i < 8; i++) this.words[index * 8 + i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16) | 0;
      const first = this.words[index * 8]!;
      const list = this.byFirstWord.get(first);
      if (list) list.push(index);
      else this.byFirstWord.set(first, [index]);
    });
  }

  /**
   * Index (0 <= i < size, in sorted digest order) of the agency plate with this code, or -1.
   * `mask` is the candidate's letter mask (see {@link plateShape}), which scanners track as they go.
   */
  matchCode(code: number, length: number, mask: number): number {
    if (this.gate[gateIndex(length, mask)] !== 1) return -1;
    const lo = code >>> 0;
    const hi = (code / 4294967296) >>> 0;
    const slot = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> (32 - CACHE_BITS);
    if (this.cacheKeys[slot] === code) return this.cacheValues[slot]!;
    const found = this.lookup(code, length);
    this.cacheKeys[slot] = code;
    this.cacheValues[slot] = found;
    return found;
  }

  /** {@link matchCode} for a plate as written; -1 when it does not normalise to a valid plate. */
  matchText(text: string): number {
    const plate = normalisePlate(text);
    return plate === undefined ? -1 : this.matchNormalised(plate);
  }

  /** {@link matchCode} for a valid normalised plate (`A`-`Z`, `0`-`9`, 2 to 10 characters). */
  matchNormalised(plate: string): number {
    let code = 0;
    let mask = 0;
    for (let i = 0; i < plate.length; i++) {
      const value = CODE_VALUE[plate.charCodeAt(i)]!;
      code = code * 37 + value;
      mask = (mask << 1) | (value > 10 ? 1 : 0);
    }
    return this.matchCode(code, plate.length, mask);
  }

  private lookup(code: number, length: number): number {
    const message = this.message;
    let rest = code;
    for (let i = length - 1; i >= 0; i--) {
      const value = rest % 37;
      rest = (rest - value) / 37;
      message[i] = value <= 10 ? 0x2f + value : 0x36 + value;
    }
    const out = this.hmac.digest(message, length);
    const candidates = this.byFirstWord.get(out[0]!);
    if (!candidates) return -1;
    for (const index of candidates) {
      let same = true;
      for (let i = 1; i < 8 && same; i++) same = this.words[index * 8 + i] === out[i];
      if (same) return index;
    }
    return -1;
  }
}
