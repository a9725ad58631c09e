/**
 * How a 256-bit hash is cut into chunks for multi-index hashing (hamming-index.ts), and how deep a
 * search probes each chunk's table: the geometry and cost model of a search, apart from its tables.
 */

/**
 * How the 256 bits are cut into chunks, as bit widths in order. Small indexes use 16 x 16 bits, as
 * ThreatExchange's MIH does (`pdq/cpp/index/mih.h`); past {@link WIDE_ENTRIES} stored hashes a
 * 16-bit table has dozens of entries per value, and every probe reads them all, so the index cuts 12
 * chunks of 21-22 bits (about one entry per value at a few million, 48 bytes per entry in the tables
 * instead of 64): a probe within 2 bits of each chunk (2,900 probes) is exact to 35 bits.
 */
export const NARROW_CHUNKS: readonly number[] = Array.from({ length: 16 }, () => 16);
export const WIDE_CHUNKS: readonly number[] = [22, 22, 22, 22, 21, 21, 21, 21, 21, 21, 21, 21];
/** Stored hashes past which the index cuts {@link WIDE_CHUNKS}. */
export const WIDE_ENTRIES = 1 << 20;
/**
 * Past {@link WIDER_ENTRIES} (ten million references store 30 million core views) the 21-22-bit
 * chunks hold 7-14 entries per value, and a search 1 bit deep in every chunk (the crop grid's, the
 * trim views', the sub-image gate's) compared ~3,200 chance hashes, each a cache miss in a 960 MB
 * pool: ~0.5 ms, most of an image's matching. 11 chunks of 23 bits hold ~3.6 per value. They leave
 * the last 3 bits out of every chunk: a hash within d bits still differs in at most d of the
 * chunks' bits, so the pigeonhole (and every exact depth) holds, and the full distance decides.
 * Three 24-bit chunks instead would cost 96 MB more starts for ~13% fewer candidates (computed), and the 6 GB
 * peak at ten million references has no room for them. Measured over 30 million random hashes (23
 * and 24 bits: 520 -> 191 us of CPU per 1-bit search with three 24-bit chunks) for 100 MB more
 * tables (starts 352 MB instead of 128, members 11 x 120 MB instead of 12). The search samples
 * less beyond its exact reach (21 bits instead of 23): a hash 31 bits away is met with p 0.96
 * instead of 0.99, 40 bits 0.69 instead of 0.84 (same random hashes).
 */
export const WIDER_CHUNKS: readonly number[] = Array.from({ length: 11 }, () => 23);
/** Stored hashes past which the index cuts {@link WIDER_CHUNKS}. */
export const WIDER_ENTRIES = 1 << 24;

/**
 * Stored hashes past which the index's searches sample, as a wide index's do: shallow probes exact
 * to the match threshold and a falling sample beyond (HammingIndex.search), instead of probes 2-3
 * bits deep in 16-bit chunks. Those deep probes were exact to 47-63 bits, but at 10,000-95,000
 * references (110,000 to a million hashes) each compared 4,000-20,000 chance hashes, and the crop
 * grid made some 66 of them per image: matching cost 13-25x the 151-reference set's, against 2-3.6x
 * at 100,000 references to a million (scripts/bench/set-sizes.js). It is where the first stage stops
 * scanning (ORIENTATION_SCAN_ENTRIES).
 */
export const SAMPLED_ENTRIES = 1 << 13;

/**
 * The chunks of a sampled index of up to {@link WIDE_ENTRIES} hashes: about one stored hash per
 * chunk value, as {@link WIDE_CHUNKS} hold at a million (floor(log2 entries) bits, 16 at least),
 * the 256 bits spread over as many chunks as fit. At 2^20 these are WIDE_CHUNKS' widths (12 chunks of
 * 21-22 bits, another array); from 8,193 to 131,071 entries 16 chunks of 16 bits, the narrow cut,
 * searched shallow (samples() tells it from the narrow one by the index size). Each layout is one
 * array, made once.
 */
const sampledCache = new Map<number, readonly number[]>();
function sampledChunks(entries: number): readonly number[] {
  const width = Math.min(20, Math.max(16, Math.floor(Math.log2(entries))));
  let widths = sampledCache.get(width);
  if (!widths) {
    const chunks = Math.floor(256 / width);
    const base = Math.floor(256 / chunks);
    const wider = 256 - base * chunks;
    widths = Array.from({ length: chunks }, (_, c) => (c < wider ? base + 1 : base));
    sampledCache.set(width, widths);
  }
  return widths;
}

/** The chunk widths of an index of `entries` hashes. */
export const chunkWidths = (entries: number): readonly number[] =>
  entries > WIDER_ENTRIES ? WIDER_CHUNKS : entries > WIDE_ENTRIES ? WIDE_CHUNKS : entries > SAMPLED_ENTRIES ? sampledChunks(entries) : NARROW_CHUNKS;

/**
 * Whether an index of `entries` hashes samples (past {@link SAMPLED_ENTRIES}): its searches probe
 * shallow, exact to the match threshold and a sample beyond their exact reach. Told by the size,
 * which decides its layout (chunkWidths), not by the layout's array.
 */
export const samples = (entries: number): boolean => entries > SAMPLED_ENTRIES;

/** Values of `width` bits grouped by popcount up to 3, so probing "within d bits" enumerates exactly those. */
const masksCache = new Map<number, Uint32Array[]>();
export function masksByWeight(width: number): Uint32Array[] {
  let masks = masksCache.get(width);
  if (masks) return masks;
  const groups: number[][] = [[0], [], [], []];
  for (let a = 0; a < width; a++) {
    groups[1]!.push(2 ** a);
    for (let b = a + 1; b < width; b++) {
      groups[2]!.push(2 ** a + 2 ** b);
      for (let c = b + 1; c < width; c++) groups[3]!.push(2 ** a + 2 ** b + 2 ** c);
    }
  }
  masks = groups.map((g) => Uint32Array.from(g.sort((x, y) => x - y)));
  masksCache.set(width, masks);
  return masks;
}

/** Table probes one query makes within d bits of every chunk, d = 0..3. */
export function probesOf(widths: readonly number[]): number[] {
  const out = [0, 0, 0, 0];
  for (const w of widths) {
    const masks = masksByWeight(w);
    let total = 0;
    for (let d = 0; d < 4; d++) out[d]! += total += masks[d]!.length;
  }
  return out;
}

/**
 * How deep a search probes: the same number of bits in every chunk, or one depth per chunk (see
 * {@link cheapestExactDepths}).
 */
export type ProbeDepth = number | readonly number[];

/** Table probes a search makes with these per-chunk depths. */
export function probesAt(masks: readonly Uint32Array[][], depths: readonly number[]): number {
  let total = 0;
  for (let c = 0; c < depths.length; c++) for (let w = 0; w <= depths[c]!; w++) total += masks[c]![w]!.length;
  return total;
}

/**
 * The per-chunk probe depths that find every stored hash within `bits` bits of a query at the least
 * cost, in an index of `entries` hashes cut in `widths`. A hash within `bits` has some chunk within
 * d_c bits of the query's as soon as the depths' sum of (d_c + 1) exceeds `bits` (pigeonhole), so
 * the depths need not be equal: 12 wide chunks at depth 2 are exact to 35 bits, but 8 at depth 2
 * and 4 at depth 1 are exact to 31, the match threshold, with 29% fewer probes and 35% fewer
 * candidates (the 21-bit chunks, twice as crowded, stay shallow). A level's cost is its probes and
 * the candidates they meet (entries / 2^width each); each chunk's next level costs more than its
 * last, so taking the cheapest next level until the sum is reached is the least total.
 */
export function cheapestExactDepths(widths: readonly number[], bits: number, entries: number): number[] {
  const depths = widths.map(() => 0);
  const cost = (c: number) => masksByWeight(widths[c]!)[depths[c]! + 1]!.length * (1 + entries / 2 ** widths[c]!);
  let reach = widths.length; // sum of (d_c + 1)
  while (reach <= bits) {
    let best = -1;
    for (let c = 0; c < widths.length; c++) if (depths[c]! < 3 && (best < 0 || cost(c) < cost(best))) best = c;
    if (best < 0) break;
    depths[best]!++;
    reach++;
  }
  return depths;
}

/** Where chunk c lies: word, bit offset within it, and its width's mask. */
export interface ChunkPlace {
  word: number;
  shift: number;
  mask: number;
  width: number;
}

export function placesOf(widths: readonly number[]): ChunkPlace[] {
  let bit = 0;
  return widths.map((width) => {
    const place = { word: bit >>> 5, shift: bit & 31, mask: 2 ** width - 1, width };
    bit += width;
    return place;
  });
}

/** The value of chunk `p` of the hash at word `offset` of `words` (a chunk may span two words). */
export function chunkAt(words: Uint32Array, offset: number, p: ChunkPlace): number {
  const low = words[offset + p.word]! >>> p.shift;
  const high = p.shift + p.width > 32 ? words[offset + p.word + 1]! << (32 - p.shift) : 0;
  return ((low | high) & p.mask) >>> 0;
}
