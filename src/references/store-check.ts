import type { StoreColumns, StoreFooter } from './store-format.js';

/** The largest time a JavaScript Date holds, in ms either side of the epoch. */
const MAX_TIME = 8.64e15;

/**
 * Checks every value a reader will index with or turn into a string. The digest proves the file is
 * what its writer wrote, not that its writer was custody: a crafted store with a matching digest
 * must still be refused in one line rather than read out of bounds or throw a RangeError later.
 * One pass over each column, no allocation.
 */
export function checkColumns(columns: StoreColumns, footer: StoreFooter, refuse: (detail: string) => never): void {
  const bad = (column: string, at: number): never => refuse(`fingerprint store column ${column} holds an invalid value at ${at}`);
  const { references, views, idBytes } = footer.counts;
  monotonic(columns.idOffsets, idBytes, (at) => bad('idOffsets', at));
  monotonic(columns.viewStart, views, (at) => bad('viewStart', at));
  for (let i = 0; i < references; i++) {
    if (columns.classes[i]! >= footer.classes.length) bad('classes', i);
    if (columns.media[i]! >= footer.media.length) bad('media', i);
    const size = columns.sizes[i]!;
    if (!Number.isSafeInteger(size) || size < 0) bad('sizes', i);
    const time = columns.capturedAt[i]!;
    if (!Number.isNaN(time) && !(Math.abs(time) <= MAX_TIME)) bad('capturedAt', i);
  }
  for (let v = 0; v < views; v++) {
    if (columns.viewQuality[v]! > 100) bad('viewQuality', v);
    if (columns.viewVariant[v]! >= footer.variants.length) bad('viewVariant', v);
  }
  // Each view's reference was checked against its segment's viewStart as it was read, and plate
  // digests sorted and distinct segment by segment (store-columns.ts).
  // The merge of several segments' plate runs keeps them so.
  // Digests without the key id and sources they were made under would be dropped as no plate set:
  // the plate check would then report nothing to check, and the audit pass as complete.
  if (footer.counts.plates > 0 && !footer.plates) refuse('fingerprint store holds plate digests but no plate set describing them');
}

/**
 * The first element (of `width` bytes) not strictly greater than the one before it, or -1: the check
 * that digests are sorted and distinct, a byte loop with no object per comparison (ten million plate
 * digests are checked in tens of milliseconds).
 */
export function firstNotAscending(bytes: Uint8Array, width: number): number {
  for (let at = width; at < bytes.length; at += width) {
    let k = 0;
    while (k < width && bytes[at - width + k] === bytes[at + k]) k++;
    if (k === width || bytes[at - width + k]! > bytes[at + k]!) return at / width;
  }
  return -1;
}

/** Offsets start at 0, never decrease and end at `total`. */
function monotonic(offsets: Uint32Array, total: number, bad: (at: number) => never): void {
  if (offsets[0] !== 0) bad(0);
  for (let i = 1; i < offsets.length; i++) if (offsets[i]! < offsets[i - 1]!) bad(i);
  if (offsets[offsets.length - 1] !== total) bad(offsets.length - 1);
}
