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

/**
 * The chunk tables over a pool of `pool.length / 8` hashes, in shared memory, cut as {@link chunkWidths} says for its size.
 *
 * Each chunk's members are sorted by chunk value, stable in entry order, by two passes of a radix
 * sort over the value's low then high half (2,048 buckets each for a 22-bit chunk, which the cache
 * holds), and the starts are then read off the sorted values in one sequential pass. A counting
 * sort straight by the whole value wrote each entry to a random place in a 12 MB array and counted
 * it in a random place of a 16 MB one: 3.4-3.9 s over 3 million random hashes, against 1.3-1.6 s
 * this way, for the same tables (a million-reference audit builds them before its first image).
 */
export function buildHammingTables(pool: Uint32Array, widths: readonly number[] = chunkWidths(pool.length / HASH_WORDS)): HammingTables {
  const size = pool.length / HASH_WORDS;
  const starts: Uint32Array[] = [];
  const members: Uint32Array[] = [];
  // Per entry: its chunk value, then the values and entries as the low half sorts them.
  const keys = new Uint32Array(size);
  const byLowKey = new Uint32Array(size);
  const byLowEntry = new Uint32Array(size);
  for (const place of placesOf(widths)) {
    const { word, shift, mask, width } = place;
    const spans = shift + width > 32;
    const lowBits = width >>> 1;
    const lowMask = 2 ** lowBits - 1;
    const lowNext = new Uint32Array(2 ** lowBits + 1);
    const highNext = new Uint32Array(2 ** (width - lowBits) + 1);
    for (let i = 0, at = word; i < size; i++, at += HASH_WORDS) {
      const low = pool[at]! >>> shift;
      const key = ((spans ? low | (pool[at + 1]! << (32 - shift)) : low) & mask) >>> 0;
      keys[i] = key;
      lowNext[(key & lowMask) + 1]!++;
      highNext[(key >>> lowBits) + 1]!++;
    }
    // Counts to each bucket's first place; each is then the bucket's next free place.
    for (let v = 1; v < lowNext.length; v++) lowNext[v]! += lowNext[v - 1]!;
    for (let v = 1; v < highNext.length; v++) highNext[v]! += highNext[v - 1]!;
    for (let i = 0; i < size; i++) {
      const key = keys[i]!;
      const at = lowNext[key & lowMask]!++;
      byLowKey[at] = key;
      byLowEntry[at] = i;
    }
    const member = sharedU32(size);
    const sorted = keys; // the entries' values are not read again: the sorted values take their place
    for (let j = 0; j < size; j++) {
      const key = byLowKey[j]!;
      const at = highNext[key >>> lowBits]!++;
      member[at] = byLowEntry[j]!;
      sorted[at] = key;
    }
    // Value v's members begin where the first sorted value >= v stands.
    const values = 2 ** width;
    const start = sharedU32(values + 1);
    let v = 0;
    for (let j = 0; j < size; j++) {
      const key = sorted[j]!;
      while (v <= key) start[v++] = j;
    }
    while (v <= values) start[v++] = size;
    starts.push(start);
    members.push(member);
  }
  return { pool, widths, starts, members };
}
