import { columnsFromReferences, compareIds, type ReferenceTables } from '../../references/columns.js';
import type { Reference } from '../../references/schema.js';
import type { StoreColumns } from '../../references/store-format.js';
import { type Crop, parseVariant } from './crops.js';
import { buildHammingTables, type HammingTables } from './hamming-index.js';
import { HASH_WORDS, type Hash256 } from './hash256.js';
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
}

/** Per variant-table index: the crop a claimable view shows, undefined for tiles and unknown variants. */
export function variantCrops(variants: readonly string[]): (Crop | undefined)[] {
  return variants.map((variant) => (isTileVariant(variant) ? undefined : parseVariant(variant)));
}

/** Whether view `v` is an entry: a claimable crop (not a tile), quality at least QUALITY_GATE. */
const claimable = (columns: StoreColumns, crops: readonly (Crop | undefined)[], v: number): boolean =>
  columns.viewQuality[v]! >= QUALITY_GATE && crops[columns.viewVariant[v]!] !== undefined;

/** How many entries an index over these columns holds, without building it. */
export function entryCount(columns: StoreColumns, tables: ReferenceTables): number {
  const crops = variantCrops(tables.variants);
  let count = 0;
  for (let v = 0; v < columns.viewQuality.length; v++) if (claimable(columns, crops, v)) count++;
  return count;
}

/** Builds the index (a second or so per million references). */
export function buildPdqIndex(columns: StoreColumns, tables: ReferenceTables): PdqIndex {
  const crops = variantCrops(tables.variants);
  const references = columns.sizes.length;
  let order: ArrayLike<number> | undefined;
  for (let i = 1; i < references && !order; i++) {
    if (compareIds(columns, i - 1, i) > 0) order = Uint32Array.from({ length: references }, (_, k) => k).sort((a, b) => compareIds(columns, a, b) || a - b);
  }
  const count = entryCount(columns, tables);
  const entryView = new Uint32Array(new SharedArrayBuffer(Math.max(1, count) * 4), 0, count);
  const pool = new Uint32Array(new SharedArrayBuffer(Math.max(1, count) * 32), 0, count * HASH_WORDS);
  let e = 0;
  for (let k = 0; k < references; k++) {
    const r = order ? order[k]! : k;
    for (let v = columns.viewStart[r]!; v < columns.viewStart[r + 1]!; v++) {
      if (!claimable(columns, crops, v)) continue;
      entryView[e] = v;
      storedHash(columns.viewHash, v, pool.subarray(e * HASH_WORDS, (e + 1) * HASH_WORDS));
      e++;
    }
  }
  return { columns, tables, entryView, hamming: buildHammingTables(pool) };
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
  const at = v * 32;
  for (let w = 0; w < HASH_WORDS; w++) {
    const b = at + 28 - 4 * w;
    out[w] = ((viewHash[b]! << 24) | (viewHash[b + 1]! << 16) | (viewHash[b + 2]! << 8) | viewHash[b + 3]!) >>> 0;
  }
  return out;
}
