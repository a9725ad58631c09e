import type { PlateSet, Reference } from './schema.js';
import type { StoreColumns } from './store-format.js';

/**
 * A loaded reference set as columns: the one shape every consumer reads, whether the set came from a
 * v2 store (its columns as read, no copy) or from a v1 JSON file (its references laid out once into
 * the same columns). No object per reference: a million references are a few typed arrays over
 * shared memory, which worker threads receive without a copy.
 */

/** The tables the columns' u16 indexes point into. */
export interface ReferenceTables {
  readonly classes: readonly string[];
  readonly media: readonly string[];
  readonly variants: readonly string[];
}

/** A plate set without its digests (those are the `plateDigests` column). */
export type PlateSetMeta = Omit<PlateSet, 'digests'>;

const shared = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(
  Kind: { new (buffer: SharedArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
  length: number,
): T => new Kind(new SharedArrayBuffer(Math.max(1, length) * Kind.BYTES_PER_ELEMENT), 0, length);

/** Empty columns for `counts`, each in a SharedArrayBuffer of its own (what a worker thread can be handed). */
export function allocateColumns(counts: { references: number; views: number; idBytes: number; plates: number }): StoreColumns {
  const { references: n, views, idBytes, plates } = counts;
  return {
    idOffsets: shared(Uint32Array, n + 1),
    idBytes: shared(Uint8Array, idBytes),
    classes: shared(Uint16Array, n),
    sizes: shared(Float64Array, n),
    sha256: shared(Uint8Array, n * 32),
    md5: shared(Uint8Array, n * 16),
    media: shared(Uint16Array, n),
    capturedAt: shared(Float64Array, n),
    viewStart: shared(Uint32Array, n + 1),
    viewHash: shared(Uint8Array, views * 32),
    viewReference: shared(Uint32Array, views),
    viewQuality: shared(Uint8Array, views),
    viewVariant: shared(Uint16Array, views),
    plateDigests: shared(Uint8Array, plates * 32),
  };
}

/** Index of `value` in `table`, appended on first appearance (how a store's footer tables are built). */
function indexIn(table: string[], at: Map<string, number>, value: string): number {
  let index = at.get(value);
  if (index === undefined) {
    index = table.length;
    table.push(value);
    at.set(value, index);
  }
  return index;
}

/**
 * v1 references (and plate digests) laid out as store columns, in the order given. Hashes and
 * digests are the bytes their hex spells, as a store holds them.
 */
export function columnsFromReferences(references: readonly Reference[], plates?: PlateSet): { columns: StoreColumns; tables: ReferenceTables } {
  const tables = { classes: [] as string[], media: [] as string[], variants: [] as string[] };
  const at = { classes: new Map<string, number>(), media: new Map<string, number>(), variants: new Map<string, number>() };
  const n = references.length;
  const ids = references.map((r) => Buffer.from(r.id, 'utf8'));
  const idBytesLength = ids.reduce((sum, id) => sum + id.length, 0);
  const views = references.reduce((sum, r) => sum + (r.pdq?.length ?? 0), 0);
  const plateHex = [...new Set(plates?.digests)].sort();
  const c = allocateColumns({ references: n, views, idBytes: idBytesLength, plates: plateHex.length });
  let idAt = 0;
  let view = 0;
  references.forEach((r, i) => {
    c.idOffsets[i] = idAt;
    c.idBytes.set(ids[i]!, idAt);
    idAt += ids[i]!.length;
    c.classes[i] = indexIn(tables.classes, at.classes, r.class);
    c.media[i] = indexIn(tables.media, at.media, r.media);
    c.sizes[i] = r.size;
    c.sha256.set(Buffer.from(r.sha256, 'hex'), i * 32);
    c.md5.set(Buffer.from(r.md5, 'hex'), i * 16);
    c.capturedAt[i] = r.capturedAt === undefined ? Number.NaN : Date.parse(r.capturedAt);
    c.viewStart[i] = view;
    for (const entry of r.pdq ?? []) {
      c.viewHash.set(Buffer.from(entry.hash, 'hex'), view * 32);
      c.viewReference[view] = i;
      c.viewQuality[view] = entry.quality;
      c.viewVariant[view] = indexIn(tables.variants, at.variants, entry.variant);
      view++;
    }
  });
  c.idOffsets[n] = idAt;
  c.viewStart[n] = view;
  plateHex.forEach((hex, i) => {
    c.plateDigests.set(Buffer.from(hex, 'hex'), i * 32);
  });
  return { columns: c, tables };
}

/** A column set with its tables, as one loaded set holds them. */
export interface TabledColumns {
  columns: StoreColumns;
  tables: ReferenceTables;
}

/**
 * Several sets' columns as one (references in set order; tables merged, indexes remapped). A single
 * set is returned as it is: the common case costs nothing. Plate digests are not combined here (each
 * set keeps its key id; the plate side merges them per key).
 */
export function combineColumns(sets: readonly TabledColumns[]): TabledColumns {
  if (sets.length === 1) return sets[0]!;
  const tables = { classes: [] as string[], media: [] as string[], variants: [] as string[] };
  const at = { classes: new Map<string, number>(), media: new Map<string, number>(), variants: new Map<string, number>() };
  const total = (pick: (c: StoreColumns) => number) => sets.reduce((sum, s) => sum + pick(s.columns), 0);
  const n = total((c) => c.sizes.length);
  const views = total((c) => c.viewQuality.length);
  const c = allocateColumns({ references: n, views, idBytes: total((x) => x.idBytes.length), plates: 0 });
  let ref = 0;
  let view = 0;
  let idAt = 0;
  for (const { columns: s, tables: t } of sets) {
    const remap = (table: readonly string[], into: string[], map: Map<string, number>) => table.map((value) => indexIn(into, map, value));
    const classes = remap(t.classes, tables.classes, at.classes);
    const media = remap(t.media, tables.media, at.media);
    const variants = remap(t.variants, tables.variants, at.variants);
    const count = s.sizes.length;
    for (let i = 0; i < count; i++) {
      c.idOffsets[ref + i] = idAt + s.idOffsets[i]!;
      c.classes[ref + i] = classes[s.classes[i]!]!;
      c.media[ref + i] = media[s.media[i]!]!;
      c.viewStart[ref + i] = view + s.viewStart[i]!;
    }
    c.idBytes.set(s.idBytes, idAt);
    c.sizes.set(s.sizes, ref);
    c.sha256.set(s.sha256, ref * 32);
    c.md5.set(s.md5, ref * 16);
    c.capturedAt.set(s.capturedAt, ref);
    const setViews = s.viewQuality.length;
    c.viewHash.set(s.viewHash, view * 32);
    c.viewQuality.set(s.viewQuality, view);
    for (let v = 0; v < setViews; v++) {
      c.viewReference[view + v] = ref + s.viewReference[v]!;
      c.viewVariant[view + v] = variants[s.viewVariant[v]!]!;
    }
    ref += count;
    view += setViews;
    idAt += s.idBytes.length;
  }
  c.idOffsets[n] = idAt;
  c.viewStart[n] = view;
  return { columns: c, tables };
}

/**
 * The reference view `view` belongs to: its `viewReference`, or, where a large store's reader left
 * that column out (store-columns.ts), the reference whose `viewStart` range holds the view (a binary
 * search, for the few candidates a matcher verifies and describes).
 */
export function referenceOfView(columns: StoreColumns, view: number): number {
  if (columns.viewReference.length > 0) return columns.viewReference[view]!;
  const starts = columns.viewStart;
  let lo = 0;
  let hi = starts.length - 1;
  // The last i with starts[i] <= view; references without views share a start with the next one.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= view) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Reference `i`'s id. */
export function referenceId(columns: StoreColumns, i: number): string {
  const { idBytes, idOffsets } = columns;
  return Buffer.from(idBytes.buffer, idBytes.byteOffset + idOffsets[i]!, idOffsets[i + 1]! - idOffsets[i]!).toString('utf8');
}

/**
 * Compares references `a` and `b` by id in JavaScript's string order (UTF-16 code units), the order
 * `custody fingerprint` sorts ids in, read from the UTF-8 bytes without making strings. UTF-8 byte
 * order is code point order, which differs from UTF-16 order only where a character of U+E000-U+FFFF
 * (lead byte 0xEE-0xEF) meets one past U+FFFF (lead byte 0xF0-0xF4): UTF-16 puts the second first.
 */
export function compareIds(columns: StoreColumns, a: number, b: number): number {
  const { idBytes, idOffsets } = columns;
  let i = idOffsets[a]!;
  let j = idOffsets[b]!;
  const endA = idOffsets[a + 1]!;
  const endB = idOffsets[b + 1]!;
  for (; i < endA && j < endB; i++, j++) {
    const x = idBytes[i]!;
    const y = idBytes[j]!;
    if (x === y) continue;
    if (x >= 0xee && x <= 0xef && y >= 0xf0) return 1;
    if (y >= 0xee && y <= 0xef && x >= 0xf0) return -1;
    return x - y;
  }
  return endA - i - (endB - j);
}

/** Lowercase hex of `width` bytes at element `i` of a fixed-width column (sha256, md5, viewHash). */
export function hexAt(column: Uint8Array, width: number, i: number): string {
  return Buffer.from(column.buffer, column.byteOffset + i * width, width).toString('hex');
}
