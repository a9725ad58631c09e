import { HASH_WORDS, type Hash256, hammingAt, popcount32 } from './hash256.js';
import { pdqKernels } from './simd.js';

/** Chunks the 256 bits are split into: 16 x 16 bits, as in ThreatExchange's MIH (`pdq/cpp/index/mih.h`). */
const CHUNKS = 16;
const CHUNK_VALUES = 1 << 16;
/** Beyond this radius the neighbour enumeration costs more than a linear scan. */
export const MAX_INDEX_RADIUS = 63;

/** 16-bit masks grouped by popcount, so probing "within s bits" enumerates exactly those values. */
const MASKS_BY_WEIGHT: Uint16Array[] = (() => {
  const groups: number[][] = [[], [], [], []];
  for (let m = 0; m < CHUNK_VALUES; m++) {
    const w = popcount32(m);
    if (w < groups.length) groups[w]!.push(m);
  }
  return groups.map((g) => Uint16Array.from(g));
})();

/** Table probes one query makes at each per-chunk radius (16 chunks x values within that many bits). */
export const PROBES: readonly number[] = (() => {
  let total = 0;
  return MASKS_BY_WEIGHT.map((masks) => (total += CHUNKS * masks.length));
})();

const chunkOf = (hash: Uint32Array, offset: number, c: number): number => (hash[offset + (c >>> 1)]! >>> ((c & 1) << 4)) & 0xffff;

/**
 * Multi-index hashing (Norouzi et al.) over 256-bit hashes: if two hashes differ in at most r bits,
 * at least one of their 16 sixteen-bit chunks differs in at most floor(r/16) bits. Each chunk has a
 * table from value to entries (CSR arrays built by counting sort: two typed arrays per chunk rather
 * than a Map of arrays), a query probes every value within that many bits in each table, and the
 * candidates are verified with the full distance. Entries are numbered in insertion order; ties are
 * broken by the lowest entry number, so callers insert in a deterministic order.
 */
/**
 * An index's arrays, over shared memory when built by {@link buildHammingTables}: built once on the
 * calling thread and handed to every matching thread without a copy.
 */
export interface HammingTables {
  /** Entry i's hash at words `i * 8 .. i * 8 + 7`. */
  pool: Uint32Array;
  /** Per chunk: entries with chunk value v are `members[c][starts[c][v] .. starts[c][v + 1]]`. */
  starts: Uint32Array[];
  members: Uint32Array[];
}

const sharedU32 = (length: number): Uint32Array => new Uint32Array(new SharedArrayBuffer(Math.max(1, length) * 4), 0, length);

/** The chunk tables over a pool of `pool.length / 8` hashes, in shared memory. */
export function buildHammingTables(pool: Uint32Array): HammingTables {
  const size = pool.length / HASH_WORDS;
  const starts: Uint32Array[] = [];
  const members: Uint32Array[] = [];
  const fill = new Uint32Array(CHUNK_VALUES);
  for (let c = 0; c < CHUNKS; c++) {
    const start = sharedU32(CHUNK_VALUES + 1);
    for (let i = 0; i < size; i++) start[chunkOf(pool, i * HASH_WORDS, c) + 1]!++;
    for (let v = 0; v < CHUNK_VALUES; v++) start[v + 1]! += start[v]!;
    fill.set(start.subarray(0, CHUNK_VALUES));
    const member = sharedU32(size);
    for (let i = 0; i < size; i++) member[fill[chunkOf(pool, i * HASH_WORDS, c)]!++] = i;
    starts.push(start);
    members.push(member);
  }
  return { pool, starts, members };
}

export class HammingIndex {
  readonly size: number;
  private readonly pool: Uint32Array;
  private readonly starts: Uint32Array[];
  private readonly members: Uint32Array[];
  /** Per-entry stamp of the last query that saw it, to dedupe candidates without a Set (one per thread). */
  private readonly seen: Uint32Array;
  private epoch = 0;

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
    this.size = this.pool.length / HASH_WORDS;
    this.seen = new Uint32Array(this.size);
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
   * With `depth` (0-3), probes look at most `depth` bits from the query in each chunk, and every
   * candidate they meet within `radius` is visited: exact out to `16 * depth + 15` bits (pigeonhole),
   * and beyond that a sample whose odds fall with the distance (a hash 60 bits away shares a chunk
   * within 2 bits with probability ~0.98, 80 bits ~0.6). That is how large indexes search wide radii
   * at a bounded cost, where a scan would read every entry per query.
   */
  search(query: Hash256, radius: number, visit: (entry: number, distance: number) => void, depth?: number): void {
    const exact = Math.min(Math.floor(radius / CHUNKS), PROBES.length - 1);
    const perChunk = depth === undefined ? exact : Math.min(exact, depth);
    const wide = radius > MAX_INDEX_RADIUS && depth === undefined;
    if (wide || this.size < PROBES[perChunk]!) this.scan(query, radius, visit);
    else this.probeAt(query, perChunk, radius, visit);
  }

  /** Multi-index probing only (radius at most {@link MAX_INDEX_RADIUS}); `search` picks it when it pays. */
  probe(query: Hash256, radius: number, visit: (entry: number, distance: number) => void): void {
    if (radius > MAX_INDEX_RADIUS) throw new RangeError(`probe radius ${radius} exceeds ${MAX_INDEX_RADIUS}`);
    this.probeAt(query, Math.floor(radius / CHUNKS), radius, visit);
  }

  /** Visits the entries within `radius` among those with some chunk within `perChunk` bits of the query's. */
  private probeAt(query: Hash256, perChunk: number, radius: number, visit: (entry: number, distance: number) => void): void {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.seen.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    for (let c = 0; c < CHUNKS; c++) {
      const value = chunkOf(query, 0, c);
      const starts = this.starts[c]!;
      const members = this.members[c]!;
      for (let w = 0; w <= perChunk; w++) {
        const masks = MASKS_BY_WEIGHT[w]!;
        for (let m = 0; m < masks.length; m++) {
          const probe = value ^ masks[m]!;
          const end = starts[probe + 1]!;
          for (let k = starts[probe]!; k < end; k++) {
            const entry = members[k]!;
            if (this.seen[entry] === epoch) continue;
            this.seen[entry] = epoch;
            const d = hammingAt(query, this.pool, entry * HASH_WORDS);
            if (d <= radius) visit(entry, d);
          }
        }
      }
    }
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
