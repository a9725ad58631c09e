import { type PlateFile, plateBucket, plateBucketBits } from '../../references/plate-file.js';
import { ViewFileReader } from '../../references/view-file.js';
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

/** A {@link PlateMatcher} as a scanning thread receives it (src/identify/plates/scan-pool.ts). */
export interface PlateMatcherParts {
  key: Uint8Array;
  /** Sorted distinct digests, 32 bytes each, in a SharedArrayBuffer. */
  table: Uint8Array;
  /** Bucket starts, in a SharedArrayBuffer. */
  starts: Uint32Array;
  gate: Uint8Array;
  /** Set when the digests are in a store's file (`table` is then empty and `starts` is the file's). */
  file?: PlateFile;
}

/** Agency digests plus the key: answers "is this candidate an agency plate, and which one?". */
export class PlateMatcher {
  /** Shapes worth digesting, by {@link gateIndex}. */
  readonly gate: Uint8Array;
  /** Number of distinct agency digests. */
  readonly size: number;
  private readonly hmac: ShortHmac;
  /** The digests, 32 bytes each, sorted and distinct: the fingerprint set's own column when there is one. */
  private readonly table: Uint8Array;
  /** Bucket b holds the digests whose first `bucketBits` bits are b: `starts[b] .. starts[b + 1]`. */
  private readonly starts: Uint32Array;
  private readonly bits: number;
  /** Digests left in a store's file: a lookup compares their tags, then reads a candidate whole. */
  private readonly file: PlateFile | undefined;
  private readonly confirmed = new Uint8Array(32);
  /** Reads candidates from the store's file, opened at the first (kept open, as the tiles' reader is). */
  private reader: ViewFileReader | undefined;
  private readonly cacheKeys = new Float64Array(1 << CACHE_BITS).fill(EMPTY);
  private readonly cacheValues = new Int32Array(1 << CACHE_BITS);
  private readonly message = new Uint8Array(MAX_PLATE_LENGTH);
  private shared: PlateMatcherParts | undefined;

  /**
   * `tables` hold HMAC-SHA-256 digests, 32 bytes each, each table sorted (as a fingerprint set
   * stores them); `shapes` as from {@link plateShapes}. Ten million digests cost their 320 MB and a
   * 4 MiB bucket table, nothing per digest.
   */
  constructor(
    private readonly key: Buffer,
    tables: readonly Uint8Array[],
    shapes?: readonly string[],
    built?: PlateMatcherParts,
  ) {
    this.hmac = new ShortHmac(key);
    this.gate = built?.gate ?? shapeGate(shapes);
    this.file = built?.file;
    this.table = built?.table ?? (tables.length === 1 ? tables[0]! : mergeSorted(tables));
    this.size = this.file ? this.file.count : this.table.length / 32;
    const bits = plateBucketBits(this.size);
    this.bits = bits;
    if (built) {
      this.starts = built.starts;
      return;
    }
    // In shared memory, so a scanning thread reads this one bucket table (see parts()).
    this.starts = new Uint32Array(new SharedArrayBuffer(((1 << bits) + 1) * 4));
    for (let i = 0; i < this.size; i++) this.starts[this.bucketOf(wordOf(this.table, i * 32)) + 1]!++;
    for (let b = 0; b < 1 << bits; b++) this.starts[b + 1]! += this.starts[b]!;
  }

  /**
   * What a scanning thread needs to answer exactly as this matcher does, in shared memory: the key,
   * the digest table (the store's own SharedArrayBuffer; a table in ordinary memory, as from
   * {@link fromHex}, is copied once) and the bucket table. Nothing is copied per thread.
   */
  parts(): PlateMatcherParts {
    if (this.shared) return this.shared;
    let table = this.table;
    if (!(table.buffer instanceof SharedArrayBuffer)) {
      table = new Uint8Array(new SharedArrayBuffer(Math.max(1, table.length)), 0, table.length);
      table.set(this.table);
    }
    this.shared = { key: this.key, table, starts: this.starts, gate: this.gate, ...(this.file ? { file: this.file } : {}) };
    return this.shared;
  }

  /** The matcher over digests a store left in its file (their compact table from the loader); answers as over the whole table. */
  static fromFile(key: Buffer, file: PlateFile, shapes?: readonly string[]): PlateMatcher {
    return new PlateMatcher(key, [], undefined, { key, table: new Uint8Array(0), starts: file.starts, gate: shapeGate(shapes), file });
  }

  /** The matcher another thread made {@link parts} of. */
  static fromParts(parts: PlateMatcherParts): PlateMatcher {
    return new PlateMatcher(Buffer.from(parts.key), [], undefined, parts);
  }

  /** {@link PlateMatcher} from lowercase hex digests (tests and small sets). */
  static fromHex(key: Buffer, digests: readonly string[], shapes?: readonly string[]): PlateMatcher {
    const sorted = [...new Set(digests)].sort();
    const table = new Uint8Array(sorted.length * 32);
    sorted.forEach((hex, i) => {
      table.set(Buffer.from(hex, 'hex'), i * 32);
    });
    return new PlateMatcher(key, [table], shapes);
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
    const bucket = this.bucketOf(out[0]! >>> 0);
    if (this.file) return this.lookupFile(bucket, out);
    for (let index = this.starts[bucket]!, end = this.starts[bucket + 1]!; index < end; index++) if (sameDigest(this.table, index * 32, out)) return index;
    return -1;
  }

  /**
   * In a bucket of the file's digests: the tags first (36 bits with the bucket's 20, at ten
   * million), then the candidate's 32 bytes from the file, through one reader the matcher keeps (as
   * the tiles' reader is kept): candidates are the agency plates a scan meets, each once per cache
   * slot, and about one false one in 7,000 lookups at ten million; opening the file per candidate
   * cost ~42 us a hit, ~45 CPU-s for a log of a million distinct agency plates.
   */
  private lookupFile(bucket: number, out: ArrayLike<number>): number {
    const file = this.file!;
    const tag = out[1]! >>> 16;
    for (let index = this.starts[bucket]!, end = this.starts[bucket + 1]!; index < end; index++) {
      if (file.tags[index] !== tag) continue;
      this.reader ??= new ViewFileReader(file.digests);
      this.reader.read(index, 1, this.confirmed);
      if (sameDigest(this.confirmed, 0, out)) return index;
    }
    return -1;
  }

  private bucketOf(word: number): number {
    return plateBucket(word, this.bits);
  }
}

/** The unsigned big-endian word at `bytes[at ..]`. */
const wordOf = (bytes: Uint8Array, at: number): number => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;

/** Whether the 32 bytes at `bytes[at ..]` are the digest whose big-endian words are `out`. */
function sameDigest(bytes: Uint8Array, at: number, out: ArrayLike<number>): boolean {
  for (let i = 0; i < 8; i++) if (wordOf(bytes, at + i * 4) !== out[i]! >>> 0) return false;
  return true;
}

/** Several sorted digest tables as one, sorted and distinct (merged pairwise; nothing per digest). */
function mergeSorted(tables: readonly Uint8Array[]): Uint8Array {
  let runs = [...tables];
  while (runs.length > 1) {
    const next: Uint8Array[] = [];
    for (let k = 0; k < runs.length; k += 2) next.push(k + 1 < runs.length ? mergeTwo(runs[k]!, runs[k + 1]!) : runs[k]!);
    runs = next;
  }
  return runs[0] ?? new Uint8Array(0);
}

function mergeTwo(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, a.length + b.length)), 0, a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  const put = (from: Uint8Array, at: number) => {
    if (n > 0 && Buffer.compare(from.subarray(at, at + 32), out.subarray(n - 32, n)) === 0) return;
    out.set(from.subarray(at, at + 32), n);
    n += 32;
  };
  while (i < a.length && j < b.length) {
    if (Buffer.compare(a.subarray(i, i + 32), b.subarray(j, j + 32)) <= 0) {
      put(a, i);
      i += 32;
    } else {
      put(b, j);
      j += 32;
    }
  }
  for (; i < a.length; i += 32) put(a, i);
  for (; j < b.length; j += 32) put(b, j);
  return out.subarray(0, n);
}
