import { chunkWidths, placesOf } from './hamming-chunks.js';
import { HASH_WORDS } from './hash256.js';

/**
 * An index's arrays, over shared memory when built by {@link buildHammingTables}: built once on the
 * calling thread and handed to every matching thread without a copy.
 */
export interface HammingTables {
  /** Entry i's hash at words `i * 8 .. i * 8 + 7`. */
  pool: Uint32Array;
  /** Chunk widths in bits (sum at most 256: bits past the last chunk are compared, never probed), see {@link chunkWidths}. */
  widths: readonly number[];
  /** Per chunk: entries with chunk value v are `members[c][starts[c][v] .. starts[c][v + 1]]`. */
  starts: Uint32Array[];
  members: Uint32Array[];
}

export const sharedU32 = (length: number): Uint32Array => new Uint32Array(new SharedArrayBuffer(Math.max(1, length) * 4), 0, length);

/** Bits a radix-sort pass sorts by: 256 buckets, whose write positions the first level cache holds. */
const DIGIT_BITS = 8;

/**
 * The chunk tables over a pool of `pool.length / 8` hashes, in shared memory, cut as {@link chunkWidths} says for its size.
 *
 * Each chunk's members are sorted by chunk value, stable in entry order, by a least-significant-digit
 * radix sort of 8 bits a pass (3 passes for a 21-23-bit chunk, 2 for 16), and the starts are then
 * read off the sorted values in one sequential pass. A counting sort straight by the whole value
 * wrote each entry to a random place in a 12 MB array: 3.4-3.9 s over 3 million random hashes,
 * against 1.3-1.6 s by two passes of 11-12 bits; passes of 8 bits write 256 streams at a time
 * instead of 2,048-4,096 (each a key and an entry array), which the caches and TLB follow: measured
 * 0.87x the CPU of the 11-bit passes over 30 million random hashes (three 23-bit chunks, 3
 * alternating runs, same tables byte for byte). The passes' arrays rotate, so that the last pass
 * writes the entries into shared memory, which become the chunk's members: no copy, and the same
 * four arrays of one entry each alive at a time as with two passes.
 */
export function buildHammingTables(pool: Uint32Array, widths: readonly number[] = chunkWidths(pool.length / HASH_WORDS)): HammingTables {
  const size = pool.length / HASH_WORDS;
  const starts: Uint32Array[] = [];
  const members: Uint32Array[] = [];
  // Keys (chunk values) and entries as each pass leaves them; the entry arrays are shared, since the
  // last pass's becomes a chunk's members (and is replaced for the next chunk).
  let keys = new Uint32Array(size);
  let keysOut = new Uint32Array(size);
  let entries = sharedU32(size);
  let entriesOut = sharedU32(size);
  const places = placesOf(widths);
  for (const [c, place] of places.entries()) {
    const { word, shift, mask, width } = place;
    const spans = shift + width > 32;
    const passes = Math.ceil(width / DIGIT_BITS);
    const next = Array.from({ length: passes }, () => new Uint32Array(2 ** DIGIT_BITS + 1));
    for (let i = 0, at = word; i < size; i++, at += HASH_WORDS) {
      const low = pool[at]! >>> shift;
      const key = ((spans ? low | (pool[at + 1]! << (32 - shift)) : low) & mask) >>> 0;
      keys[i] = key;
      for (let p = 0; p < passes; p++) next[p]![((key >>> (DIGIT_BITS * p)) & 0xff) + 1]!++;
    }
    for (let p = 0; p < passes; p++) {
      // Counts to each bucket's first place; each is then the bucket's next free place.
      const place = next[p]!;
      for (let v = 1; v < place.length; v++) place[v]! += place[v - 1]!;
      const by = DIGIT_BITS * p;
      // The first pass's entries are the keys' own places, 0..size-1.
      if (p === 0) {
        for (let j = 0; j < size; j++) {
          const key = keys[j]!;
          const to = place[(key >>> by) & 0xff]!++;
          keysOut[to] = key;
          entriesOut[to] = j;
        }
      } else {
        for (let j = 0; j < size; j++) {
          const key = keys[j]!;
          const to = place[(key >>> by) & 0xff]!++;
          keysOut[to] = key;
          entriesOut[to] = entries[j]!;
        }
      }
      [keys, keysOut] = [keysOut, keys];
      [entries, entriesOut] = [entriesOut, entries];
    }
    // Value v's members begin where the first sorted value >= v stands.
    const values = 2 ** width;
    const start = sharedU32(values + 1);
    let v = 0;
    for (let j = 0; j < size; j++) {
      const key = keys[j]!;
      while (v <= key) start[v++] = j;
    }
    while (v <= values) start[v++] = size;
    starts.push(start);
    members.push(entries);
    if (c + 1 < places.length) entries = sharedU32(size);
  }
  return { pool, widths, starts, members };
}
