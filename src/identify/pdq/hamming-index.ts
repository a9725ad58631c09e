import { type ChunkPlace, chunkAt, masksByWeight, type ProbeDepth, placesOf, probesAt, probesOf } from './hamming-chunks.js';
import { buildHammingTables, type HammingTables, sharedU32 } from './hamming-tables.js';
import { HASH_WORDS, type Hash256, popcount32 } from './hash256.js';
import { SeenSet } from './seen-set.js';
import { pdqKernels } from './simd.js';

// The tables are built apart (hamming-tables.ts); importers of the index take them from here too.
export { buildHammingTables, type HammingTables } from './hamming-tables.js';

/** Beyond this radius the neighbour enumeration costs more than a linear scan. */
export const MAX_INDEX_RADIUS = 63;

/**
 * Candidates whose hashes are loaded by a loop of their own before their distances are counted.
 * A candidate's hash is a cache (and, in a pool of 100 MB, a TLB) miss; a loop that also counts
 * 256 bits runs ~100 instructions per candidate, so the processor's window holds the misses of a
 * few candidates at a time, where a loop of loads alone holds dozens. Measured over 3 million
 * random hashes, 3,400 candidates (a depth-2 search of a wide index): 1.15-1.28 ms counted in one
 * loop, 0.30 ms loaded then counted in blocks of 32-64 (0.38-0.49 ms in blocks of 256 and more,
 * which the first level cache no longer holds).
 */
const TOUCH_BLOCK = 64;
/** Where the touch loop leaves its loads' XOR, so that the compiler keeps the loads (never read). */
const touchSink = { value: 0 };

/**
 * Multi-index hashing (Norouzi et al.) over 256-bit hashes: if two hashes differ in at most r bits,
 * at least one of their 16 sixteen-bit chunks differs in at most floor(r/16) bits. Each chunk has a
 * table from value to entries (CSR arrays built by counting sort: two typed arrays per chunk rather
 * than a Map of arrays), a query probes every value within that many bits in each table, and the
 * candidates are verified with the full distance. Entries are numbered in insertion order; ties are
 * broken by the lowest entry number, so callers insert in a deterministic order.
 */
export class HammingIndex {
  readonly size: number;
  private readonly pool: Uint32Array;
  private readonly starts: Uint32Array[];
  private readonly members: Uint32Array[];
  private readonly places: ChunkPlace[];
  private readonly masks: Uint32Array[][];
  /** Probes a query makes within d bits of every chunk. */
  private readonly probes: number[];
  /** The per-chunk depths of a probe d bits deep in every chunk, d = 0..3. */
  private readonly uniform: readonly (readonly number[])[];
  /** The entries the current search visited (one per thread), to visit an entry met through two chunks once. */
  private readonly seen = new SeenSet();
  /** Scratch of one search: the probed values' member ranges, where each chunk's end, and the members met. */
  private readonly rangeStart: Uint32Array;
  private readonly rangeEnd: Uint32Array;
  private readonly chunkRanges: Uint32Array;
  private candidates = new Uint32Array(4096);

  /** Over hashes given one by one (small sets, tests), or over tables built once and shared. */
  constructor(source: readonly Hash256[] | HammingTables) {
    let tables: HammingTables;
    if (Array.isArray(source)) {
      const hashes = source as readonly Hash256[];
      const pool = sharedU32(hashes.length * HASH_WORDS);
      hashes.forEach((h, i) => {
        pool.set(h.subarray(0, HASH_WORDS), i * HASH_WORDS);
      });
      tables = buildHammingTables(pool);
    } else {
      tables = source as HammingTables;
    }
    this.pool = tables.pool;
    this.starts = tables.starts;
    this.members = tables.members;
    this.places = placesOf(tables.widths);
    this.masks = tables.widths.map(masksByWeight);
    this.probes = probesOf(tables.widths);
    this.uniform = [0, 1, 2, 3].map((d) => tables.widths.map(() => d));
    this.size = this.pool.length / HASH_WORDS;
    const probesPerChunk = Math.max(...this.masks.map((byWeight) => byWeight.reduce((sum, masks) => sum + masks.length, 0)));
    this.rangeStart = new Uint32Array(probesPerChunk * this.places.length);
    this.rangeEnd = new Uint32Array(probesPerChunk * this.places.length);
    this.chunkRanges = new Uint32Array(this.places.length);
  }

  /** The stored hash of entry `i` (a view, do not modify). */
  hashOf(i: number): Hash256 {
    return this.pool.subarray(i * HASH_WORDS, (i + 1) * HASH_WORDS);
  }

  /**
   * Calls `visit(entry, distance)` once for every entry within `radius` bits of `query`, in no
   * particular order, by table probes or by a linear scan, whichever touches less: radii above
   * {@link MAX_INDEX_RADIUS}, and indexes smaller than the number of probes, are scanned.
   *
   * With `depth` (0-3, or one such per chunk), probes look at most `depth` bits from the query in
   * each chunk, and every candidate they meet within `radius` is visited: exact out to `16 * depth +
   * 15` bits in 16 chunks (pigeonhole; per chunk, while the sum of `depth + 1` exceeds the distance),
   * and beyond that a sample whose odds fall with the distance (a hash 60 bits away shares a chunk
   * within 2 bits with probability ~0.98, 80 bits ~0.6). That is how large indexes search wide radii
   * at a bounded cost, where a scan would read every entry per query.
   */
  search(query: Hash256, radius: number, visit: (entry: number, distance: number) => void, depth?: ProbeDepth): void {
    const exact = Math.min(Math.floor(radius / this.places.length), 3);
    const wide = Math.floor(radius / this.places.length) > 3 && depth === undefined;
    if (typeof depth === 'object') {
      const depths = depth.map((d) => Math.min(d, exact));
      if (this.size < probesAt(this.masks, depths)) this.scan(query, radius, visit);
      else this.probeAt(query, depths, radius, visit);
      return;
    }
    const perChunk = depth === undefined ? exact : Math.min(exact, depth);
    if (wide || this.size < this.probes[perChunk]!) this.scan(query, radius, visit);
    else this.probeAt(query, this.uniform[perChunk]!, radius, visit);
  }

  /** Multi-index probing only (radius at most {@link MAX_INDEX_RADIUS}); `search` picks it when it pays. */
  probe(query: Hash256, radius: number, visit: (entry: number, distance: number) => void): void {
    const perChunk = Math.floor(radius / this.places.length);
    if (perChunk > 3) throw new RangeError(`probe radius ${radius} exceeds ${4 * this.places.length - 1}`);
    this.probeAt(query, this.uniform[perChunk]!, radius, visit);
  }

  /**
   * The rest of a probed search to `to` bits per chunk after one to `from` (both probed, not
   * scanned: see {@link probedAt}): probes only the values beyond `from[c]` bits and visits the entries
   * within `radius` that the search to `from` did not (none of whose chunks is within `from[c]`
   * bits). The two together visit exactly the entries, at the same distances, of one search to `to`
   * (in another order), so a caller can probe shallow first and pay for the deep probes only when
   * something was near; other searches may come between.
   */
  deepen(query: Hash256, radius: number, visit: (entry: number, distance: number) => void, from: readonly number[], to: readonly number[]): void {
    this.probeAt(query, to, radius, visit, from);
  }

  /** Whether a search of this index with these per-chunk depths probes (rather than scans), so that {@link deepen} can continue it. */
  probedAt(depths: readonly number[]): boolean {
    return this.size >= probesAt(this.masks, depths);
  }

  /**
   * Visits the entries within `radius` among those with some chunk c within `depths[c]` bits of the
   * query's (with `from`, only the values beyond `from[c]` bits, and only entries no chunk of which
   * is within `from[c]`: see {@link deepen}). In passes, each over independent reads (the probed values' table starts, then
   * their members' first lines touched, then the members copied, then their hashes), so the processor overlaps the cache misses that one
   * probe-at-a-time loop makes one after another: measured 1.4-1.6x faster over 3 million random
   * hashes (depth 2: 2.3-2.5 -> 1.7-1.8 ms per search). Candidates are met in the same order as
   * before and an entry is visited at its first meeting, so visits are unchanged; only entries within
   * the radius are stamped, so a far candidate met twice is compared twice rather than looked up.
   */
  private probeAt(query: Hash256, depths: readonly number[], radius: number, visit: (entry: number, distance: number) => void, from?: readonly number[]): void {
    this.seen.clear();
    const { rangeStart, rangeEnd, chunkRanges } = this;
    const chunks = this.places.length;
    // Pass 1, every chunk's probed values' member ranges: one loop of independent table loads.
    let ranges = 0;
    for (let c = 0; c < chunks; c++) {
      const value = chunkAt(query, 0, this.places[c]!);
      const starts = this.starts[c]!;
      for (let w = from ? from[c]! + 1 : 0; w <= depths[c]!; w++) {
        const masks = this.masks[c]![w]!;
        for (let m = 0; m < masks.length; m++) {
          const probe = (value ^ masks[m]!) >>> 0;
          rangeStart[ranges] = starts[probe]!;
          rangeEnd[ranges++] = starts[probe + 1]!;
        }
      }
      chunkRanges[c] = ranges;
    }
    // Pass 2, a loop that only loads each range's first member (an empty range's neighbour: a load
    // wasted rather than a branch the processor cannot predict), so that the copy below finds them
    // in the first level cache: the copy's loop of variable trip counts held few of these misses at
    // a time (see TOUCH_BLOCK).
    if (this.size > 0) {
      const last = this.size - 1;
      let touched = 0;
      for (let c = 0, r = 0; c < chunks; c++) {
        const members = this.members[c]!;
        for (const end = chunkRanges[c]!; r < end; r++) touched ^= members[Math.min(rangeStart[r]!, last)]!;
      }
      touchSink.value = touched;
    }
    // Pass 3, the members met, in chunk then probe order.
    let found = 0;
    for (let c = 0, r = 0; c < chunks; c++) {
      const members = this.members[c]!;
      for (const last = chunkRanges[c]!; r < last; r++) {
        const end = rangeEnd[r]!;
        let k = rangeStart[r]!;
        if (found + end - k > this.candidates.length) this.growCandidates(found + end - k);
        const candidates = this.candidates;
        for (; k < end; k++) candidates[found++] = members[k]!;
      }
    }
    const { candidates, pool, seen } = this;
    // The query's words in locals and the eight counts written out: measured 0.25 -> 0.22 ms per
    // search for the distances of ~2,200 candidates (3 million random hashes), against hammingAt's
    // loop re-reading the query array.
    const q0 = query[0]!,
      q1 = query[1]!,
      q2 = query[2]!,
      q3 = query[3]!,
      q4 = query[4]!,
      q5 = query[5]!,
      q6 = query[6]!,
      q7 = query[7]!;
    for (let block = 0; block < found; block += TOUCH_BLOCK) {
      const end = Math.min(found, block + TOUCH_BLOCK);
      // First a loop that only loads each candidate's hash line, then the distances: see TOUCH_BLOCK.
      let touched = 0;
      for (let i = block; i < end; i++) touched ^= pool[candidates[i]! * HASH_WORDS]!;
      touchSink.value = touched;
      for (let i = block; i < end; i++) {
        const entry = candidates[i]!;
        const at = entry * HASH_WORDS;
        const d =
          popcount32(q0 ^ pool[at]!) +
          popcount32(q1 ^ pool[at + 1]!) +
          popcount32(q2 ^ pool[at + 2]!) +
          popcount32(q3 ^ pool[at + 3]!) +
          popcount32(q4 ^ pool[at + 4]!) +
          popcount32(q5 ^ pool[at + 5]!) +
          popcount32(q6 ^ pool[at + 6]!) +
          popcount32(q7 ^ pool[at + 7]!);
        if (d > radius || !seen.add(entry)) continue;
        if (from && this.within(entry, query, from)) continue;
        visit(entry, d);
      }
    }
  }

  /** Whether some chunk c of entry `entry` is within `depths[c]` bits of the query's: what a probe to `depths` meets. */
  private within(entry: number, query: Hash256, depths: readonly number[]): boolean {
    for (let c = 0; c < this.places.length; c++) {
      const place = this.places[c]!;
      if (popcount32(chunkAt(this.pool, entry * HASH_WORDS, place) ^ chunkAt(query, 0, place)) <= depths[c]!) return true;
    }
    return false;
  }

  /** Room for at least `needed` candidates (doubling: a crowded neighbourhood grows it a few times at most). */
  private growCandidates(needed: number): void {
    const grown = new Uint32Array(Math.max(needed, this.candidates.length * 2));
    grown.set(this.candidates);
    this.candidates = grown;
  }

  /** The closest entry within `radius` (lowest distance, then lowest entry number), if any. */
  nearest(query: Hash256, radius: number): { entry: number; distance: number } | undefined {
    let best = -1;
    let bestD = radius + 1;
    this.search(query, radius, (entry, d) => {
      if (d < bestD || (d === bestD && entry < best)) {
        best = entry;
        bestD = d;
      }
    });
    return best < 0 ? undefined : { entry: best, distance: bestD };
  }

  /**
   * Linear popcount scan: the baseline the benchmark compares against, and the large-radius path.
   * Runs in WebAssembly (simd.ts), which counts bits with the processor's popcount.
   */
  scan(query: Hash256, radius: number, visit: (entry: number, distance: number) => void): void {
    pdqKernels().scan(this.pool, this.size, query, radius, visit);
  }
}
