import { columnsFromReferences, combineColumns, compareIds, hexAt, type PlateSetMeta, type ReferenceTables, referenceId } from './columns.js';
import { DigestTable, hasSorted, orderBySize, sizeRange, sortedSizes } from './digest-table.js';
import type { PlateFile } from './plate-file.js';
import type { FingerprintSet, Reference } from './schema.js';
import type { StoreColumns } from './store-format.js';
import { storeReferences } from './store-references.js';
import type { ViewFile } from './view-file.js';

/** A loaded fingerprint file (v1 JSON or v2 store) as columns, and where it came from. */
export interface LoadedFingerprints {
  path: string;
  format: FingerprintSet['format'];
  version: FingerprintSet['version'];
  /** What a report names: the digest the file records. */
  digest: string;
  columns: StoreColumns;
  tables: ReferenceTables;
  /** The plate set's key id, shapes and sources (its digests are `columns.plateDigests`). */
  plates?: PlateSetMeta;
  /** Set when a store's view hashes were left in its file (`columns.viewHash` is empty). */
  viewFile?: ViewFile;
  /** Set when a store's plate digests were left in its file (`columns.plateDigests` is empty). */
  plateFile?: PlateFile;
  /**
   * The whole set as v1 objects, built on first use: for commands that rewrite or inspect a set
   * whole (convert, calibrate). Never read on an audit's path: a million references would cost
   * gigabytes as objects.
   */
  readonly file: FingerprintSet;
}

/** One plate set's digests, as its file holds them: 32 bytes each, sorted and distinct. */
export interface PlateTable extends PlateSetMeta {
  /** Empty when `file` is set. */
  digests: Uint8Array;
  count: number;
  /** The digests left in the store's file, and their compact table. */
  file?: PlateFile;
}

/** What a match names of a reference. */
export interface ReferenceLabel {
  id: string;
  class: string;
}

/**
 * Lookup structures over one or more loaded sets, built once per audit over their columns: every
 * reference has a number (sets in the order given, each in its file's order), and nothing is an
 * object until a match names it.
 */
export class FingerprintIndex {
  /** Every set's references as one column set (the sets' own columns when there is one). */
  readonly columns: StoreColumns;
  readonly tables: ReferenceTables;
  readonly plateSets: readonly PlateTable[];
  /** Number of references. */
  readonly count: number;
  /** Where the view hashes are when the one set left them in its file. */
  readonly viewFile: ViewFile | undefined;
  private sizeTable: Float64Array | undefined;
  private sizeOrder: Uint32Array | undefined;
  private shaTable: DigestTable | undefined;
  private md5Table: DigestTable | undefined;

  constructor(readonly sets: readonly LoadedFingerprints[]) {
    const combined = sets.length === 0 ? EMPTY : combineColumns(sets.map((s) => ({ columns: s.columns, tables: s.tables })));
    this.columns = combined.columns;
    this.tables = combined.tables;
    this.count = this.columns.sizes.length;
    if (sets.length > 1 && sets.some((s) => s.viewFile)) throw new Error('sets whose views are in their files cannot be combined');
    this.viewFile = sets.length === 1 ? sets[0]!.viewFile : undefined;
    if (sets.length > 1 && sets.some((s) => s.plateFile)) throw new Error('sets whose plate digests are in their files cannot be combined');
    this.plateSets = sets.flatMap((s) => {
      if (!s.plates) return [];
      const file = s.plateFile ? { file: s.plateFile } : {};
      return [{ ...s.plates, digests: s.columns.plateDigests, count: s.plateFile?.count ?? s.columns.plateDigests.length / 32, ...file }];
    });
  }

  static empty(): FingerprintIndex {
    return new FingerprintIndex([]);
  }

  /** Whether some reference has exactly this size: the exact-match prefilter. */
  hasSize(size: number): boolean {
    this.sizeTable ??= sortedSizes(this.columns.sizes);
    return hasSorted(this.sizeTable, size);
  }

  /** Of two references with one digest, the lower id wins (then the earlier): what a merged reference split picks too. */
  private readonly lowerId = (a: number, b: number): boolean => {
    const order = compareIds(this.columns, a, b);
    return order < 0 || (order === 0 && a < b);
  };

  /** The reference with this SHA-256 (the lowest id among several), or -1. */
  bySha(sha256: string): number {
    this.shaTable ??= new DigestTable(this.columns.sha256, 32, this.lowerId);
    return this.shaTable.find(sha256);
  }

  /** The reference with this MD5 (the lowest id among several), or -1. */
  byMd5(md5: string): number {
    this.md5Table ??= new DigestTable(this.columns.md5, 16, this.lowerId);
    return this.md5Table.find(md5);
  }

  label(i: number): ReferenceLabel {
    return { id: referenceId(this.columns, i), class: this.tables.classes[this.columns.classes[i]!]! };
  }

  sha256Of(i: number): string {
    return hexAt(this.columns.sha256, 32, i);
  }

  /** Classes of the references of exactly this size, and how many there are (binary search over references ordered by size). */
  sameSize(size: number): { count: number; classes: string[] } {
    this.sizeOrder ??= orderBySize(this.columns.sizes);
    const [from, to] = sizeRange(this.columns.sizes, this.sizeOrder, size);
    const classes = new Set<string>();
    for (let k = from; k < to; k++) classes.add(this.tables.classes[this.columns.classes[this.sizeOrder[k]!]!]!);
    return { count: to - from, classes: [...classes].sort() };
  }

  /** The digest of each fingerprint file, in the order given: what a set's conclusions depend on. */
  get digests(): string[] {
    return this.sets.map((s) => s.digest);
  }

  get hasPerceptual(): boolean {
    return this.columns.viewQuality.length > 0;
  }

  /** Every reference as a v1 object: for calibration and tests over small sets, never an audit. */
  get references(): Reference[] {
    if (this.viewFile) throw new Error(`${this.viewFile.path}: the view hashes were left in the file; load with keepViews to read the set whole`);
    return storeReferences(this.columns, this.tables);
  }
}

const EMPTY = columnsFromReferences([]);
