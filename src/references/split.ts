import { createHash } from 'node:crypto';
import { allocateColumns } from './columns.js';
import type { StoreColumns } from './store-format.js';
import { type ViewFile, ViewFileReader } from './view-file.js';

/** One share of a reference split (`--references k/n`): 1 <= index <= count. */
export interface ReferenceShare {
  index: number;
  count: number;
}

/**
 * The share (1..count) a reference belongs to: the first 4 bytes (big-endian) of the SHA-256 of its
 * id's UTF-8, mod count, plus 1 (as `shardOf` does for locations). It depends on the id alone, so
 * every machine agrees whatever the store format, file order or set the reference came in.
 */
export function referenceShareOf(id: string | Uint8Array, count: number): number {
  const hash = createHash('sha256');
  if (typeof id === 'string') hash.update(id, 'utf8');
  else hash.update(id);
  return (hash.digest().readUInt32BE(0) % count) + 1;
}

/**
 * The columns of the references of one share, copied into new SharedArrayBuffer-backed arrays (so
 * they can still go to worker threads) with `idOffsets`, `viewStart` and `viewReference` rebased;
 * the rows keep their order. With `viewFile` (a large store left its views in its file) the share's
 * view hashes are read from there. The tables the u16 columns index (classes, media, variants) are the
 * footer's and stay as they are.
 *
 * Plate digests are NOT split: every share keeps them all. The plates a report masks are the
 * loaded set's (postprocess/redact.ts): a split that knew only its share of the plates would leave
 * the others' plates in clear in file names and evidence. Digests are 32 bytes each (a million
 * plates is 32 MB), so keeping them costs little next to the references' views.
 */
export function splitColumns(columns: StoreColumns, share: ReferenceShare, viewFile?: ViewFile): StoreColumns {
  const rows = chosenRows(columns, share);
  // A large store left its view hashes in its file: only the share's are read, into the share's columns.
  const reader = viewFile ? new ViewFileReader(viewFile) : undefined;
  let idBytes = 0;
  let views = 0;
  for (const i of rows) {
    idBytes += columns.idOffsets[i + 1]! - columns.idOffsets[i]!;
    views += columns.viewStart[i + 1]! - columns.viewStart[i]!;
  }
  const out = allocateColumns({ references: rows.length, views, idBytes, plates: columns.plateDigests.length / 32 });
  let idAt = 0;
  let viewAt = 0;
  rows.forEach((i, row) => {
    const idStart = columns.idOffsets[i]!;
    const idEnd = columns.idOffsets[i + 1]!;
    out.idOffsets[row] = idAt;
    out.idBytes.set(columns.idBytes.subarray(idStart, idEnd), idAt);
    idAt += idEnd - idStart;
    out.classes[row] = columns.classes[i]!;
    out.sizes[row] = columns.sizes[i]!;
    out.sha256.set(columns.sha256.subarray(i * 32, i * 32 + 32), row * 32);
    out.md5.set(columns.md5.subarray(i * 16, i * 16 + 16), row * 16);
    out.media[row] = columns.media[i]!;
    out.capturedAt[row] = columns.capturedAt[i]!;
    const start = columns.viewStart[i]!;
    const end = columns.viewStart[i + 1]!;
    out.viewStart[row] = viewAt;
    if (reader) {
      if (end > start) reader.read(start, end - start, out.viewHash.subarray(viewAt * 32, (viewAt + end - start) * 32));
    } else out.viewHash.set(columns.viewHash.subarray(start * 32, end * 32), viewAt * 32);
    out.viewReference.fill(row, viewAt, viewAt + end - start);
    out.viewQuality.set(columns.viewQuality.subarray(start, end), viewAt);
    out.viewVariant.set(columns.viewVariant.subarray(start, end), viewAt);
    viewAt += end - start;
  });
  out.idOffsets[rows.length] = idAt;
  out.viewStart[rows.length] = viewAt;
  out.plateDigests.set(columns.plateDigests);
  reader?.close();
  return out;
}

/** The rows (reference indexes) whose id falls in the share, in order. */
function chosenRows(columns: StoreColumns, share: ReferenceShare): number[] {
  const { idOffsets, idBytes } = columns;
  const rows: number[] = [];
  // The stored id bytes are the id's UTF-8: hashed as they are, with no string made.
  for (let i = 0; i + 1 < idOffsets.length; i++) {
    if (referenceShareOf(idBytes.subarray(idOffsets[i]!, idOffsets[i + 1]!), share.count) === share.index) rows.push(i);
  }
  return rows;
}
