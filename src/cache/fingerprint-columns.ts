import { allocateColumns, type ReferenceTables } from '../references/columns.js';
import type { LoadedFingerprints } from '../references/index-set.js';
import { elementsOf, padding, SECTION_ORDER, SECTIONS, type StoreColumns } from '../references/store-format.js';

/**
 * A verified fingerprint set's columns as a cache body (fingerprint-cache.ts): a u32 length, a JSON
 * head (what the report names and the tables the columns index), then every column in the store's
 * section order, each padded to 8 bytes. The body is authenticated before it is decoded; decoding
 * still checks every length, so a body this build did not write is a miss, never a wrong read.
 */

type Counts = { references: number; views: number; idBytes: number; plates: number };

/** What a set is besides its columns and path. */
type SetHead = Pick<LoadedFingerprints, 'format' | 'version' | 'digest' | 'tables' | 'plates'> & { counts: Counts };

const countsOf = (c: StoreColumns): Counts => ({
  references: c.sizes.length,
  views: c.viewHash.length / 32,
  idBytes: c.idBytes.length,
  plates: c.plateDigests.length / 32,
});

const bytesOf = (column: ArrayBufferView): Buffer => Buffer.from(column.buffer, column.byteOffset, column.byteLength);

/** The body's pieces for a loaded v1 set (no copy of the columns). */
export function encodeColumns(set: LoadedFingerprints): Buffer[] {
  const head: SetHead = {
    format: set.format,
    version: set.version,
    digest: set.digest,
    tables: set.tables,
    ...(set.plates ? { plates: set.plates } : {}),
    counts: countsOf(set.columns),
  };
  const json = Buffer.from(JSON.stringify(head));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const pieces: Buffer[] = [length, json, Buffer.alloc(padding(4 + json.length))];
  for (const name of SECTION_ORDER) {
    const bytes = bytesOf(set.columns[name]);
    pieces.push(bytes, Buffer.alloc(padding(bytes.length)));
  }
  return pieces;
}

/** The set {@link encodeColumns} wrote (columns in shared memory, as a loaded set's are), or undefined. */
export function decodeColumns(body: Buffer): Omit<LoadedFingerprints, 'path' | 'file'> | undefined {
  if (body.length < 4) return undefined;
  const headEnd = 4 + body.readUInt32LE(0);
  if (headEnd > body.length) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(body.toString('utf8', 4, headEnd));
  } catch {
    return undefined;
  }
  if (!isHead(head)) return undefined;
  const columns = allocateColumns(head.counts);
  let at = headEnd + padding(headEnd);
  for (const name of SECTION_ORDER) {
    const target = bytesOf(columns[name]);
    const length = elementsOf(name, head.counts) * SECTIONS[name].bytes;
    if (length !== target.length || at + length > body.length) return undefined;
    target.set(body.subarray(at, at + length));
    at += length + padding(length);
  }
  if (at !== body.length) return undefined;
  const { counts: _counts, ...set } = head;
  return { ...set, columns };
}

const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
const strings = (list: unknown): boolean => Array.isArray(list) && list.every((s) => typeof s === 'string');

function isHead(value: unknown): value is SetHead {
  if (typeof value !== 'object' || value === null) return false;
  const head = value as Partial<SetHead>;
  const { counts, tables } = head;
  return (
    typeof head.digest === 'string' &&
    typeof head.format === 'string' &&
    (head.version === 1 || head.version === 2) &&
    typeof counts === 'object' &&
    counts !== null &&
    count(counts.references) &&
    count(counts.views) &&
    count(counts.idBytes) &&
    count(counts.plates) &&
    typeof tables === 'object' &&
    tables !== null &&
    (['classes', 'media', 'variants'] as (keyof ReferenceTables)[]).every((t) => strings(tables[t]))
  );
}
