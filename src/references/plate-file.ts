import type { HashedReads } from './hashed-reads.js';
import type { Refuse } from './store-segments.js';
import type { ViewFile } from './view-file.js';

/**
 * A store's plate digests left in its file, with what a lookup needs in memory: at ten million
 * digests the section is 320 MB, and most of the cost of loading it whole was the first touch of
 * every page of that buffer (1.1-1.5 CPU-s of 1.8-2.4, scripts/bench/plates-digests.js), not the
 * lookups. Here the section is read through two reused buffers (one is read into while the other
 * is hashed and checked sorted, so the store's digest still covers every byte) and only a compact
 * table is kept: the bucket starts over each digest's leading bits, and 2 bytes of each digest (its
 * tag). A lookup compares those 36 bits (at ten million; fewer for smaller sets) and confirms a
 * candidate by reading its 32 bytes from the file, so a match is exactly what the whole table gave. Two bytes,
 * not four: the table's first touch costs per page (4 bytes: 0.3 of 0.65 CPU-s of the load), and
 * a false candidate (one in about 2^36 / n lookups: 1 in 7,000 at ten million) costs one read.
 */
export interface PlateFile {
  /** Where the digests lie: one run of `count` 32-byte digests, sorted and distinct, from `offset`. */
  digests: ViewFile;
  count: number;
  /** u16 per digest, in a SharedArrayBuffer: bytes 4 and 5 of the digest, big-endian. */
  tags: Uint16Array;
  /** Bucket b (the first {@link plateBucketBits} bits of a digest) is `starts[b] .. starts[b + 1]`; shared. */
  starts: Uint32Array;
}

/** Bits of a digest that choose its bucket, for a set of `size` digests: about one digest per bucket, at most 2^20 buckets. */
export function plateBucketBits(size: number): number {
  return Math.min(20, Math.max(0, Math.floor(Math.log2(Math.max(1, size)))));
}

/** The bucket of a digest whose first big-endian word is `word`. */
export function plateBucket(word: number, bits: number): number {
  return bits === 0 ? 0 : word >>> (32 - bits);
}

/** Bytes read at a time: large sequential reads into one buffer touched once. */
const CHUNK = 4 * 1024 * 1024;

/**
 * Reads the `count` digests at `offset` through `reads` (into the store's digest hash, the next
 * piece's read under way while one is checked and hashed) and builds their compact table; refuses
 * them unless sorted and distinct, as the in-memory reader does. Every piece is hashed when this
 * returns. `digests` is filled in by the caller, which knows the file's identity.
 */
export async function readPlateKeys(reads: HashedReads, offset: number, count: number, refuse: Refuse): Promise<Omit<PlateFile, 'digests'>> {
  const bits = plateBucketBits(count);
  const tags = new Uint16Array(new SharedArrayBuffer(count * 2));
  const starts = new Uint32Array(new SharedArrayBuffer(((1 << bits) + 1) * 4));
  const state: Carry = { word: 0, second: 0, last: new Uint8Array(32) };
  for (let first = 0; first < count; ) {
    const n = Math.min(count - first, CHUNK / 32);
    const at = first;
    // A scratch buffer of its own ArrayBuffer from its start, so its words can be read as a Uint32Array.
    await reads.push(reads.scratch(n * 32), offset + first * 32, (piece) => {
      const unsorted = keysOf(new Uint32Array(piece.buffer, piece.byteOffset, n * 8), piece, n, at, bits, tags, starts, state);
      if (unsorted >= 0) refuse(`fingerprint store column plateDigests holds an invalid value at ${unsorted}`);
    });
    first += n;
  }
  await reads.flush();
  for (let b = 0; b < 1 << bits; b++) starts[b + 1]! += starts[b]!;
  return { count, tags, starts };
}

/** The digest before a chunk: its first two words and its bytes. */
interface Carry {
  word: number;
  second: number;
  last: Uint8Array;
}

/** Whether a Uint32Array reads its bytes little-endian (every platform Node ships for but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Big-endian value of a word read in the host's order. */
const swap = LITTLE_ENDIAN
  ? (w: number): number => (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0
  : (w: number): number => w >>> 0;

/**
 * One chunk's digests into the compact table (a synchronous loop: V8 optimises it whole), checking
 * each greater than the one before: by the first two words, and for about one pair in 2^64 / n by
 * every byte. Returns the number of the first digest out of order, or -1.
 */
function keysOf(words: Uint32Array, bytes: Uint8Array, n: number, first: number, bits: number, tags: Uint16Array, starts: Uint32Array, carry: Carry): number {
  let { word: before, second: beforeSecond } = carry;
  for (let i = 0; i < n; i++) {
    const word = swap(words[i * 8]!);
    const second = swap(words[i * 8 + 1]!);
    if (first + i > 0) {
      const sorted =
        before !== word
          ? before < word
          : beforeSecond !== second
            ? beforeSecond < second
            : i === 0
              ? ascending(carry.last, 0, bytes, 0)
              : ascending(bytes, i * 32 - 32, bytes, i * 32);
      if (!sorted) return first + i;
    }
    starts[plateBucket(word, bits) + 1]!++;
    tags[first + i] = second >>> 16;
    before = word;
    beforeSecond = second;
  }
  carry.word = before;
  carry.second = beforeSecond;
  carry.last.set(bytes.subarray(n * 32 - 32, n * 32));
  return -1;
}

/** Whether the digest at `b[bt..]` is strictly greater than the one at `a[at..]`. */
function ascending(a: Uint8Array, at: number, b: Uint8Array, bt: number): boolean {
  for (let k = 0; k < 32; k++) if (a[at + k] !== b[bt + k]) return a[at + k]! < b[bt + k]!;
  return false;
}
