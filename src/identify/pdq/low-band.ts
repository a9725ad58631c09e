import { HASH_WORDS, type Hash256, hammingAt, popcount32 } from './hash256.js';

// A second, small index over the same stored hashes, keyed by their lowest-frequency bits. The
// multi-index's chunks are runs of consecutive bits (rows of the 16x16 DCT, all frequencies mixed),
// and a sampled search meets a stored hash only when one chunk agrees within a bit or two: a trimmed
// and turned copy 52-84 bits from its reference rarely gets that (robustness bench, a million
// unrelated distractors: the rotate-crop plates' probe crops met their reference in no chunk at
// depth 0, and plate/0000's in none at depth 1). Trims, shifts and rough cuts move the high
// frequencies first and the low band holds: of those crops, ones 62-84 bits away differed from
// their reference in 0 or 1 of the 20 lowest-frequency bits, where the bench's other references
// differed in 8-14 of 24 (random: 12); the 1M bench store's 3,000,450 hashes share a 20-bit key
// with 5.0 others on average (2.9 if uniform; 1.4 at 24 bits, 54 at 16).

/**
 * Hash bits (bit k is DCT coefficient k, row-major in 16x16) by frequency, lowest first (row +
 * column, then k), DC left out (it is above the median in almost every image): a key is the first
 * {@link lowBandBits} of them.
 */
export const LOW_BAND: readonly number[] = Array.from({ length: 255 }, (_, k) => k + 1).sort((a, b) => (a >> 4) + (a & 15) - ((b >> 4) + (b & 15)) || a - b);

/**
 * Key bits for an index of `size` hashes: 20 (a key shared with ~3 stored hashes at 3 million, 5
 * with the bench store's clustering), one more each time the count doubles past about 3 million
 * (2^20 x 3), so that a probed key stays about that crowded (24 at 30 million). Fewer bits meet more copies: of the rotate-crop plates' nearest crops, one
 * differed from its reference in 1 of 20 bits and 2 of 24.
 */
export function lowBandBits(size: number): number {
  return Math.min(28, Math.max(20, Math.ceil(Math.log2(Math.max(1, size) / 3))));
}

/** Bits of a key a search lets differ: 1 + bits keys probed. */
export const LOW_BAND_DEPTH = 1;

/**
 * The band's next 24 bits after the key, stored with each member (its check), and how many of them
 * a member may differ in before its hash is read: a stored hash met by key is otherwise read from
 * the pool (a cache miss), and nearly all are chance meetings. Of the bench's trimmed, turned and
 * mirrored copies' probe crops that met their reference by key within 80 bits, each differed in 0-6
 * of these 24 (scripts: the rotate-crop, mirror-brightness-crop and crop-lopsided-a cases); a
 * random hash passes 7 with p 0.032. Measured at a million references (scripts/bench/match-ab.js,
 * 80 camera-roll images, load 8-15): the probe's lookups in four turns without the check x1.074 per
 * image, with it x0.977 and x1.070 (noise; the lookups' own time is the measure: low-band-cost.js);
 * each key looked up once per orientation (orientation-probe.ts) x1.019, x1.031, x1.018, and at 10M x1.015.
 */
export const CHECK_BITS = 24;
export const CHECK_LIMIT = 7;

/**
 * The wide lookup (LowBandIndex.searchWide, the sub-image rough gate's): the key less its last
 * WIDE_FINE_BITS (16 bits up to about 3 million hashes, 20 at ten million references' 30 million), within 1 or 2 bits (its
 * depth), and those fine bits and the check together within WIDE_LIMIT. A candidate region's rough
 * hash (one DCT of a window or sheet cell sampled from the whole query's blurrier filtered plane,
 * cut where the finder saw edges) drifts further in the low band than a probe crop's: the
 * robustness bench's plates in screenshots and sheet cells that a million unrelated distractors
 * cost (scripts/bench/robustness-1m-trace.js --gate) were 52-84 bits from a core view, beyond the
 * sampled searches' reach, and their nearest one differed from it in 1-4 of the 16 lowest bits and
 * in 4-7 of the 28 after them (fine bits and check). The wide key keeps the index's key's crowding,
 * so a lookup reads about as many members at ten million references as at one (scripts/bench/low-band-cost.js).
 */
export const WIDE_FINE_BITS = 4;
export const WIDE_LIMIT = 7;

/** XOR masks of the `bits`-bit keys a lookup `depth` (0-2) bits deep reads: the key itself, then 1 bit off, then 2. */
function keyFlips(bits: number, depth: number): number[] {
  const flips = [0];
  for (let a = 0; a < bits && depth >= 1; a++) flips.push(2 ** a);
  for (let a = 0; a < bits && depth >= 2; a++) for (let b = a + 1; b < bits; b++) flips.push(2 ** a + 2 ** b);
  return flips;
}

/**
 * The key bits each byte of a hash holds, placed, per byte value: `table[i * 256 + v]` for byte
 * `bytes[i]` of value v. A key is then an OR of a few table reads (the low band lies in the first
 * words), not a loop over its bits (30 million keys in an index build).
 */
interface KeyTables {
  bytes: Int32Array;
  table: Uint32Array;
}

function keyTables(from: number, to: number): KeyTables {
  const bytes: number[] = [];
  for (let i = from; i < to; i++) if (!bytes.includes(LOW_BAND[i]! >>> 3)) bytes.push(LOW_BAND[i]! >>> 3);
  const table = new Uint32Array(bytes.length * 256);
  for (let i = from; i < to; i++) {
    const k = LOW_BAND[i]!;
    const at = bytes.indexOf(k >>> 3) * 256;
    for (let v = 0; v < 256; v++) if ((v >>> (k & 7)) & 1) table[at + v]! |= 2 ** (to - 1 - i);
  }
  return { bytes: Int32Array.from(bytes), table };
}

/** The key of the hash at word `at` of `words`, by `k` (keyTables). */
function keyAt(words: Uint32Array, at: number, k: KeyTables): number {
  const { bytes, table } = k;
  let key = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    key |= table[i * 256 + ((words[at + (byte >>> 2)]! >>> ((byte & 3) * 8)) & 0xff)]!;
  }
  return key >>> 0;
}

/** A low-band index's arrays, in shared memory: built once (buildLowBand) and handed to every matching thread, as HammingTables are. */
export interface LowBandTables {
  /** Key bits (lowBandBits of the size). */
  bits: number;
  /** Key bits that pick a group (starts); the rest are each member's tail. */
  prefix: number;
  /** Group g's members are `members[starts[g] .. starts[g + 1]]`, in entry order. */
  starts: Uint32Array;
  members: Uint32Array;
  /** Each member's key bits past the prefix (at most 8) in the top byte, its check (CHECK_BITS) below. */
  rest: Uint32Array;
}

const sharedOf = <T extends Uint32Array | Uint8Array>(make: (b: SharedArrayBuffer) => T, bytes: number): T => make(new SharedArrayBuffer(Math.max(4, bytes)));

/**
 * The low-band tables of `pool`'s hashes (an index's pool, HammingTables.pool): keys sorted by a
 * least-significant-digit radix sort of 8 bits a pass, stable in entry order (as the chunk tables
 * are, hamming-tables.ts), then the group starts and each member's tail read off in one pass. Each
 * hash's check is read with its key, in pool order, and carried through the sort: read after it, in
 * key order, each was a cache and TLB miss in the pool (30 million of them in a 960 MB pool at ten
 * million references: the index build took 34-42 s instead of 20 s without the low band).
 */
export function buildLowBand(pool: Uint32Array): LowBandTables {
  const size = pool.length / HASH_WORDS;
  const bits = lowBandBits(size);
  // About 16 members a group: a group is scanned per probed key.
  const prefix = Math.min(bits, Math.max(bits - 8, Math.ceil(Math.log2(Math.max(2, size))) - 4));
  const tables = keyTables(0, bits);
  const check = keyTables(bits, bits + CHECK_BITS);
  let keys = new Uint32Array(size);
  let keysOut = new Uint32Array(size);
  let entries = new Uint32Array(size);
  let entriesOut = new Uint32Array(size);
  let checks = new Uint32Array(size);
  let checksOut = new Uint32Array(size);
  for (let e = 0; e < size; e++) {
    keys[e] = keyAt(pool, e * HASH_WORDS, tables);
    checks[e] = keyAt(pool, e * HASH_WORDS, check);
    entries[e] = e;
  }
  for (let by = 0; by < bits; by += 8) {
    const place = new Uint32Array(257);
    for (let j = 0; j < size; j++) place[((keys[j]! >>> by) & 0xff) + 1]!++;
    for (let v = 1; v < 257; v++) place[v]! += place[v - 1]!;
    for (let j = 0; j < size; j++) {
      const to = place[(keys[j]! >>> by) & 0xff]!++;
      keysOut[to] = keys[j]!;
      entriesOut[to] = entries[j]!;
      checksOut[to] = checks[j]!;
    }
    [keys, keysOut] = [keysOut, keys];
    [entries, entriesOut] = [entriesOut, entries];
    [checks, checksOut] = [checksOut, checks];
  }
  const tailBits = bits - prefix;
  const tailMask = (1 << tailBits) - 1;
  const groups = 1 << prefix;
  const starts = sharedOf((b) => new Uint32Array(b), (groups + 1) * 4);
  const members = sharedOf((b) => new Uint32Array(b), size * 4);
  const rest = sharedOf((b) => new Uint32Array(b), size * 4);
  members.set(entries.subarray(0, size));
  let g = 0;
  for (let j = 0; j < size; j++) {
    const key = keys[j]!;
    while (g <= key >>> tailBits) starts[g++] = j;
    rest[j] = ((key & tailMask) * 2 ** CHECK_BITS + checks[j]!) >>> 0;
  }
  while (g <= groups) starts[g++] = size;
  return { bits, prefix, starts, members, rest };
}

/** The stored hashes a key lookup met (LowBandIndex.near): entry numbers and their checks. */
export interface NearKey {
  entries: number[];
  checks: number[];
}

/** Indexes made per pool, one per thread, for callers given no tables (tests, calibration). */
const built = new WeakMap<Uint32Array, LowBandTables>();

/**
 * Stored hashes grouped by low-band key (LowBandTables): 8 bytes an entry and 4 a group, 25 MB at 3
 * million hashes, shared by the matching threads.
 */
export class LowBandIndex {
  private readonly tailBits: number;
  private readonly tables: LowBandTables;
  private readonly keyBytes: KeyTables;
  private readonly checkBytes: KeyTables;
  private readonly flips: number[];
  /** The wide lookup's flips, 1 and 2 bits deep (keyFlips). */
  private readonly wideFlips: number[][];

  /** Over `tables` of `pool`, or tables built now (once per pool in a thread) when none are given. */
  constructor(
    private readonly pool: Uint32Array,
    tables?: LowBandTables,
  ) {
    this.tables = tables ?? built.get(pool) ?? buildLowBand(pool);
    if (!tables) built.set(pool, this.tables);
    this.tailBits = this.tables.bits - this.tables.prefix;
    this.keyBytes = keyTables(0, this.tables.bits);
    this.checkBytes = keyTables(this.tables.bits, this.tables.bits + CHECK_BITS);
    this.flips = keyFlips(this.tables.bits, LOW_BAND_DEPTH);
    this.wideFlips = [1, 2].map((depth) => keyFlips(this.tables.bits - WIDE_FINE_BITS, depth));
  }

  /** Bits of the wide key searchWide's flips apply to (the key less WIDE_FINE_BITS). */
  get wideBits(): number {
    return this.tables.bits - WIDE_FINE_BITS;
  }

  /** The query's key, which decides what {@link near} returns. */
  keyOf(query: Hash256): number {
    return keyAt(query, 0, this.keyBytes);
  }

  /**
   * The stored hashes whose key is within LOW_BAND_DEPTH bits of `key`, each with its check (in key
   * order): the groups read are the lookup's cost (a group per probed key, wherever it lies), and a
   * caller looking up many crops of one picture, whose lowest frequencies mostly agree, reads each
   * key's once (orientation-probe.ts).
   */
  near(key: number): NearKey {
    const { starts, members, rest } = this.tables;
    const tailMask = (1 << this.tailBits) - 1;
    const entries: number[] = [];
    const checks: number[] = [];
    for (const flip of this.flips) {
      const probe = (key ^ flip) >>> 0;
      const group = probe >>> this.tailBits;
      const tail = probe & tailMask;
      for (let i = starts[group]!; i < starts[group + 1]!; i++) {
        const r = rest[i]!;
        if (r >>> 24 !== tail) continue;
        entries.push(members[i]!);
        checks.push(r & 0xffffff);
      }
    }
    return { entries, checks };
  }

  /** Calls `visit(entry, distance)` for each of `near`'s hashes within CHECK_LIMIT of the query's check and within `radius` bits of it. */
  visitWithin(query: Hash256, near: NearKey, radius: number, visit: (entry: number, distance: number) => void): void {
    const check = keyAt(query, 0, this.checkBytes);
    const { entries, checks } = near;
    for (let i = 0; i < entries.length; i++) {
      if (popcount32((checks[i]! ^ check) >>> 0) > CHECK_LIMIT) continue;
      const distance = hammingAt(query, this.pool, entries[i]! * HASH_WORDS);
      if (distance <= radius) visit(entries[i]!, distance);
    }
  }

  /**
   * Calls `visit(entry, distance)` for each stored hash within `radius` bits whose first
   * key bits but WIDE_FINE_BITS are within `depth` bits of the query's and whose other key bits and check
   * differ from it in at most WIDE_LIMIT (or, `depth` a list, whose wide key is the query's XOR one of
   * them: low-band-probes.ts). The key's first bits are its groups' first (the lowest
   * frequencies lead), so each probed wide key is a run of consecutive groups, read in order.
   */
  searchWide(query: Hash256, radius: number, depth: 1 | 2 | readonly number[], visit: (entry: number, distance: number) => void): void {
    const { starts, members, rest } = this.tables;
    const key = this.keyOf(query);
    const check = keyAt(query, 0, this.checkBytes);
    const fine = WIDE_FINE_BITS;
    const span = 2 ** fine;
    const fineMask = span - 1;
    const tailSpan = 2 ** this.tailBits;
    const wide = Math.floor(key / span);
    for (const flip of typeof depth === 'number' ? this.wideFlips[depth - 1]! : depth) {
      const low = (wide ^ flip) * span;
      const high = low + span;
      for (let g = Math.floor(low / tailSpan); g * tailSpan < high; g++) {
        for (let i = starts[g]!; i < starts[g + 1]!; i++) {
          const r = rest[i]!;
          const full = g * tailSpan + (r >>> 24);
          // A group wider than a wide key (a small index) holds neighbouring keys too.
          if (full < low || full >= high) continue;
          if (popcount32((full ^ key) & fineMask) + popcount32(((r & 0xffffff) ^ check) >>> 0) > WIDE_LIMIT) continue;
          const distance = hammingAt(query, this.pool, members[i]! * HASH_WORDS);
          if (distance <= radius) visit(members[i]!, distance);
        }
      }
    }
  }

  /** Calls `visit(entry, distance)` for each stored hash within `radius` bits whose key is within LOW_BAND_DEPTH bits of the query's and check within CHECK_LIMIT. */
  search(query: Hash256, radius: number, visit: (entry: number, distance: number) => void): void {
    this.visitWithin(query, this.near(this.keyOf(query)), radius, visit);
  }
}
