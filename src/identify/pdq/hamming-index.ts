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
const PROBES: number[] = (() => {
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
export class HammingIndex {
  readonly size: number;
  private readonly pool: Uint32Array;
  private readonly starts: Uint32Array[] = [];
  private readonly members: Uint32Array[] = [];
  /** Per-entry stamp of the last query that saw it, to dedupe candidates without a Set. */
  private readonly seen: Uint32Array;
  private epoch = 0;

  constructor(hashes: readonly Hash256[]) {
    this.size = hashes.length;
    this.pool = new Uint32Array(this.size * HASH_WORDS);
    hashes.forEach((h, i) => {
      this.pool.set(h.subarray(0, HASH_WORDS), i * HASH_WORDS);
    });
    this.seen = new Uint32Array(this.size);
    for (let c = 0; c < CHUNKS; c++) {
      const starts = new Uint32Array(CHUNK_VALUES + 1);
      for (let i = 0; i < this.size; i++) starts[chunkOf(this.pool, i * HASH_WORDS, c) + 1]!++;
      for (let v = 0; v < CHUNK_VALUES; v++) starts[v + 1]! += starts[v]!;
      const fill = starts.slice(0, CHUNK_VALUES);
      const members = new Uint32Array(this.size);
      for (let i = 0; i < this.size; i++) members[fill[chunkOf(this.pool, i * HASH_WORDS, c)]!++] = i;
      this.starts.push(starts);
      this.members.push(members);
    }
  }

  /** The stored hash of entry `i` (a view, do not modify). */
  hashOf(i: number): Hash256 {
    return this.pool.subarray(i * HASH_WORDS, (i + 1) * HASH_WORDS);
  }

  /**
   * Calls `visit(entry, distance)` once for every entry within `radius` bits of `query`, in no
   * particular order, by table probes or by a linear scan, whichever touches less: radii above
   * {@link MAX_INDEX_RADIUS}, and indexes smaller than the number of probes, are scanned.
   */
  search(query: Hash256, radius: number, visit: (entry: number, distance: number) => void): void {
    const perChunk = Math.floor(radius / CHUNKS);
    if (radius > MAX_INDEX_RADIUS || this.size < PROBES[perChunk]!) this.scan(query, radius, visit);
    else this.probe(query, radius, visit);
  }

  /** Multi-index probing only (radius at most {@link MAX_INDEX_RADIUS}); `search` picks it when it pays. */
  probe(query: Hash256, radius: number, visit: (entry: number, distance: number) => void): void {
    const perChunk = Math.floor(radius / CHUNKS);
    if (radius > MAX_INDEX_RADIUS) throw new RangeError(`probe radius ${radius} exceeds ${MAX_INDEX_RADIUS}`);
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
