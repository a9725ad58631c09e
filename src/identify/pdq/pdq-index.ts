import { columnsFromReferences, compareIds, type ReferenceTables } from '../../references/columns.js';
import type { Reference } from '../../references/schema.js';
import type { StoreColumns } from '../../references/store-format.js';
import { type ViewFile, ViewFileReader } from '../../references/view-file.js';
import { type Crop, parseVariant } from './crops.js';
import { samples } from './hamming-chunks.js';
import { buildHammingTables, type HammingTables } from './hamming-index.js';
import { HASH_WORDS, type Hash256 } from './hash256.js';
import { buildLowBand, type LowBandTables } from './low-band.js';
import { QUALITY_GATE } from './match-settings.js';
import { isTileVariant } from './tiles.js';

/**
 * The perceptual side of a reference set, built once per audit on the calling thread over shared
 * memory and handed to every matching thread as it is (structured cloning shares a
 * SharedArrayBuffer; nothing is copied per thread). An *entry* is one stored hash a match can claim:
 * a full or crop view of quality >= QUALITY_GATE (tiles only verify). Entries are numbered in
 * reference-id order, so the index's lowest-entry tie-break means "lowest reference id" whatever
 * order the set's files or segments hold them in. Tiles stay in the set's columns and are read
 * only for the few candidates a query verifies.
 */
export interface PdqIndex {
  /** The set's columns: views (hash, quality, variant) and ids, read per candidate. */
  columns: StoreColumns;
  tables: ReferenceTables;
  /** Entry e is view `entryView[e]` of the columns. */
  entryView: Uint32Array;
  /** Entries' hashes in memory layout and their chunk tables. */
  hamming: HammingTables;
  /** Whether only the core crops are indexed (past FULL_INDEX_ENTRIES): the matcher then looks for one-sided trims itself. */
  core: boolean;
  /** Set when the columns hold no view hashes (a large store keeps them in its file): tiles are read from here. */
  viewFile?: ViewFile;
  /** The entries by low band (low-band.ts), for an index that samples (past SAMPLED_ENTRIES); shared by the matching threads. */
  lowBand?: LowBandTables;
}

/** Per variant-table index: the crop a claimable view shows, undefined for tiles and unknown variants. */
export function variantCrops(variants: readonly string[]): (Crop | undefined)[] {
  return variants.map((variant) => (isTileVariant(variant) ? undefined : parseVariant(variant)));
}

/**
 * Stored hashes past which only the core views (full, and the crops equal on every side: 5% and 10%)
 * are indexed, about 380,000 references. Each indexed hash costs ~100 bytes (32 of hash, 64 in the
 * chunk tables, 4 of entry): a million references with all 11 claimable views would need 1.1 GB for
 * the index alone, ten million 11 GB. A copy trimmed on one side only, which a one-sided stored crop
 * would have met directly, is then left to the crop stage (from the full view's near miss).
 */
export const FULL_INDEX_ENTRIES = 4_194_304;

/**
 * Per variant-table index, 1 where the variant is a crop the index holds: with the quality gate, what
 * makes a view claimable. A byte table read in the loops over every view (120 million at ten
 * million references) rather than a call per view.
 */
const cropTable = (crops: readonly (Crop | undefined)[]): Uint8Array => Uint8Array.from(crops, (crop) => (crop === undefined ? 0 : 1));

/** Views claimable under `held` (cropTable): crop views (not tiles) of quality at least QUALITY_GATE. */
function countClaimable(columns: StoreColumns, held: Uint8Array): number {
  const { viewQuality, viewVariant } = columns;
  let count = 0;
  for (let v = 0; v < viewQuality.length; v++) if (viewQuality[v]! >= QUALITY_GATE && held[viewVariant[v]!] === 1) count++;
  return count;
}

/**
 * Per variant-table index, the crop of the views the index holds (undefined: not indexed), how many
 * views that is, and whether only the core crops are held.
 */
function indexedCrops(
  columns: StoreColumns,
  tables: ReferenceTables,
  fullIndexEntries = FULL_INDEX_ENTRIES,
): { crops: (Crop | undefined)[]; count: number; core: boolean } {
  const all = variantCrops(tables.variants);
  const count = countClaimable(columns, cropTable(all));
  if (count <= fullIndexEntries) return { crops: all, count, core: false };
  const core = all.map((crop) => (crop?.every((side) => side === crop[0]) ? crop : undefined));
  return { crops: core, count: countClaimable(columns, cropTable(core)), core: core.some((crop, i) => crop === undefined && all[i] !== undefined) };
}

/** How many entries an index over these columns holds, without building it. */
export function entryCount(columns: StoreColumns, tables: ReferenceTables): number {
  return indexedCrops(columns, tables).count;
}

/**
 * Builds the index (a few seconds per million references). Without `viewFile` the hashes come from
 * the columns; with it (the columns hold none) from the store's file, read in order in large chunks.
 * `fullIndexEntries` moves the core-only switch (tests).
 */
export function buildPdqIndex(columns: StoreColumns, tables: ReferenceTables, viewFile?: ViewFile, fullIndexEntries?: number): PdqIndex {
  const { crops, count, core } = indexedCrops(columns, tables, fullIndexEntries);
  const references = columns.sizes.length;
  const order = idOrder(columns);
  const entryView = new Uint32Array(new SharedArrayBuffer(Math.max(1, count) * 4), 0, count);
  const pool = new Uint32Array(new SharedArrayBuffer(Math.max(1, count) * 32), 0, count * HASH_WORDS);
  const held = cropTable(crops);
  const { viewStart, viewQuality, viewVariant } = columns;
  let e = 0;
  for (let k = 0; k < references; k++) {
    const r = order ? order[k]! : k;
    for (let v = viewStart[r]!; v < viewStart[r + 1]!; v++) if (viewQuality[v]! >= QUALITY_GATE && held[viewVariant[v]!] === 1) entryView[e++] = v;
  }
  if (viewFile) hashesFromFile(viewFile, entryView, pool);
  else for (let entry = 0; entry < count; entry++) hashInto(columns.viewHash, entryView[entry]!, pool, entry * HASH_WORDS);
  const lowBand = samples(count) ? buildLowBand(pool) : undefined;
  return { columns, tables, entryView, hamming: buildHammingTables(pool), core, ...(viewFile ? { viewFile } : {}), ...(lowBand ? { lowBand } : {}) };
}

/** Views read per chunk when the hashes come from the file (2 MiB). */
const FILE_CHUNK_VIEWS = 65_536;

/** Fills `pool` with the entries' hashes read from the store's file, each segment in order. */
function hashesFromFile(viewFile: ViewFile, entryView: Uint32Array, pool: Uint32Array): void {
  // Entries in view order, so the file is read front to back once. They are already (a store
  // written in one go is in id order), unless the references were reordered by id: then they are
  // sorted, and otherwise no order array is made (120 MB at ten million references, alive at the
  // audit's peak memory while the chunk tables are built).
  let byView: Uint32Array | undefined;
  if (entryView.some((v, i) => i > 0 && v < entryView[i - 1]!)) {
    // View (high 32 bits) and entry (low 32) in one 64-bit key: a typed sort, no comparator call per pair.
    const keys = new BigUint64Array(entryView.length);
    for (let i = 0; i < keys.length; i++) keys[i] = (BigInt(entryView[i]!) << 32n) | BigInt(i);
    keys.sort();
    byView = Uint32Array.from(keys, (key) => Number(key & 0xffffffffn));
  }
  const entryAt = (k: number): number => (byView ? byView[k]! : k);
  const reader = new ViewFileReader(viewFile);
  const chunk = new Uint8Array(FILE_CHUNK_VIEWS * 32);
  try {
    let k = 0;
    for (const segment of viewFile.segments) {
      for (let first = segment.firstView; first < segment.firstView + segment.views && k < entryView.length; first += FILE_CHUNK_VIEWS) {
        const count = Math.min(FILE_CHUNK_VIEWS, segment.firstView + segment.views - first);
        if (entryView[entryAt(k)]! >= first + count) continue;
        reader.read(first, count, chunk);
        for (; k < entryView.length && entryView[entryAt(k)]! < first + count; k++) {
          const entry = entryAt(k);
          hashInto(chunk, entryView[entry]! - first, pool, entry * HASH_WORDS);
        }
      }
    }
  } finally {
    reader.close();
  }
}

/**
 * References in id order, when the columns do not hold them so: a store written in one go is sorted
 * by id, a store with appended segments is a few sorted runs, which are merged (linear in the
 * references per merge round) rather than sorted afresh.
 */
function idOrder(columns: StoreColumns): Uint32Array | undefined {
  const n = columns.sizes.length;
  const starts = [0];
  for (let i = 1; i < n; i++) if (compareIds(columns, i - 1, i) > 0) starts.push(i);
  if (starts.length === 1) return undefined;
  let runs: Uint32Array[] = starts.map((start, k) => Uint32Array.from({ length: (starts[k + 1] ?? n) - start }, (_, j) => start + j));
  while (runs.length > 1) {
    const next: Uint32Array[] = [];
    for (let k = 0; k < runs.length; k += 2) next.push(k + 1 < runs.length ? mergeRuns(columns, runs[k]!, runs[k + 1]!) : runs[k]!);
    runs = next;
  }
  return runs[0];
}

/** Two id-sorted runs as one (ties: the earlier reference first). */
function mergeRuns(columns: StoreColumns, a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const order = compareIds(columns, a[i]!, b[j]!) || a[i]! - b[j]!;
    out[k++] = order <= 0 ? a[i++]! : b[j++]!;
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** A PdqIndex over v1 references (calibration, tests). */
export function pdqIndexOfReferences(references: readonly Reference[]): PdqIndex {
  const { columns, tables } = columnsFromReferences(references);
  return buildPdqIndex(columns, tables);
}

/**
 * View `v`'s hash from the column (the bytes its 64 hex digits spell, most significant first) into
 * memory layout (word w holds bits 32w..32w+31; see hash256.ts).
 */
export function storedHash(viewHash: Uint8Array, v: number, out: Hash256): Hash256 {
  hashInto(viewHash, v, out, 0);
  return out;
}

/**
 * {@link storedHash} into words `offset .. offset + 7` of `words`: the index build writes 30 million
 * hashes (ten million references) straight into its pool, where a subarray per hash cost an object each.
 */
function hashInto(viewHash: Uint8Array, v: number, words: Uint32Array, offset: number): void {
  const at = v * 32;
  for (let w = 0; w < HASH_WORDS; w++) {
    const b = at + 28 - 4 * w;
    words[offset + w] = ((viewHash[b]! << 24) | (viewHash[b + 1]! << 16) | (viewHash[b + 2]! << 8) | viewHash[b + 3]!) >>> 0;
  }
}
