import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { canonicalJson } from '../util/canonical-json.js';
import { describeError, errorCode, InputError, refuseSystemError } from '../util/errors.js';
import { specialKind } from '../util/file-kind.js';
import type { PlateFile } from './plate-file.js';
import { checkColumns } from './store-check.js';
import { ColumnTarget } from './store-columns.js';
import { STORE_MAGIC, type StoreColumns, type StoreFooter, TRAILER_BYTES } from './store-format.js';
import { type Refuse, segmentsOf } from './store-segments.js';
import type { ViewFile } from './view-file.js';

/**
 * A verified store, whatever its number of segments: the last footer, with the whole store's
 * `counts` (its `digest` names the whole store), and every section concatenated across segments.
 */
export interface LoadedStore {
  footer: StoreFooter;
  columns: StoreColumns;
  /** Set when the view hashes were left in the file (`columns.viewHash` is then empty). */
  viewFile?: ViewFile;
  /** Set when the plate digests were left in the file (`columns.plateDigests` is then empty). */
  plateFile?: PlateFile;
}

/** How a store is read. */
export interface ReadStoreOptions {
  /**
   * Leave the view hashes in the file when they take more than this many bytes (verified all the
   * same, as they are read): an audit of ten million references reads only candidates' views.
   */
  viewsInMemoryUpTo?: number;
  /**
   * Leave the plate digests in the file when they take more than this many bytes and lie in one
   * segment (verified all the same, as they are read): an audit keeps 2 bytes per digest and reads
   * a digest's 32 only to confirm a candidate (plate-file.ts).
   */
  platesInMemoryUpTo?: number;
}

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);

/** Whether an open file is a fingerprint store, by its first or last 8 bytes. */
async function hasStoreMagic(handle: FileHandle): Promise<boolean> {
  const stats = await handle.stat();
  if (!stats.isFile() || stats.size < STORE_MAGIC.length) return false;
  const head = Buffer.alloc(STORE_MAGIC.length);
  const tail = Buffer.alloc(STORE_MAGIC.length);
  await handle.read(head, 0, head.length, 0);
  await handle.read(tail, 0, tail.length, stats.size - tail.length);
  return head.equals(STORE_MAGIC) || tail.equals(STORE_MAGIC);
}

/**
 * The store in `file`, read as readStore reads it, or undefined when the file is not a store (or
 * cannot be opened: the caller's other reader says why). One open for both questions.
 */
export async function readStoreIfAny(file: string, options: ReadStoreOptions = {}): Promise<LoadedStore | undefined> {
  const handle = await open(file, FLAGS).catch(() => undefined);
  if (!handle) return undefined;
  try {
    // A first read that fails leaves the file to the caller's other reader, which says why in its
    // own words (a v1 JSON file is not a "fingerprint store").
    return (await hasStoreMagic(handle).catch(() => false)) ? await readOpenStore(handle, file, options) : undefined;
  } finally {
    await handle.close();
  }
}

/**
 * Reads a store, every segment of it, into one combined LoadedStore: each section in its own
 * SharedArrayBuffer sized by the store's total counts, every segment's section read straight into
 * its place and hashed as it is read (no second copy, one pass). Everything is checked before
 * anything trusts it: trailers, footer checksums, each segment's digest chain, section bounds and
 * every index in range. Any problem is an InputError of one line naming the file.
 */
export async function readStore(file: string, options: ReadStoreOptions = {}): Promise<LoadedStore> {
  const handle = await open(file, FLAGS).catch((error: unknown) =>
    refuser(file)(`cannot read fingerprint store (${errorCode(error) ?? describeError(error)})`),
  );
  try {
    return await readOpenStore(handle, file, options);
  } finally {
    await handle.close();
  }
}

/** readStore over a file already open (an append verifies the very file it then writes). */
export async function readOpenStore(handle: FileHandle, file: string, options: ReadStoreOptions = {}): Promise<VerifiedStore> {
  // A read the system fails is a refusal of one line naming the store, as every other refusal is.
  return verify(handle, file, options).catch((error: unknown) => refuseSystemError(error, file, 'cannot read fingerprint store'));
}

type VerifiedStore = LoadedStore & { size: number; segments: number; last: { offset: number; length: number } };

async function verify(handle: FileHandle, file: string, options: ReadStoreOptions): Promise<VerifiedStore> {
  const refuse = refuser(file);
  const stats = await handle.stat();
  if (!stats.isFile()) refuse(`fingerprint store is a ${specialKind(stats) ?? 'special file'}, not a regular file`);
  const size = stats.size;
  if (size < STORE_MAGIC.length + TRAILER_BYTES) refuse(`truncated fingerprint store: ${size} bytes, shorter than its head and trailer`);
  const segments = await segmentsOf(handle, size, refuse);
  const totals = { references: 0, views: 0, idBytes: 0, plates: 0 };
  for (const { footer } of segments) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += footer.counts[key];
  const platesInOneSegment = segments.filter((s) => s.footer.counts.plates > 0).length === 1;
  const leavePlates = platesInOneSegment && totals.plates * 32 > (options.platesInMemoryUpTo ?? Number.POSITIVE_INFINITY);
  const target = new ColumnTarget(totals, refuse, totals.views * 32 > (options.viewsInMemoryUpTo ?? Number.POSITIVE_INFINITY), leavePlates);
  let previous: string | undefined;
  for (const segment of segments) {
    const content = createHash('sha256');
    // The chain: a later segment's digest starts from the one before, so the last names them all.
    if (previous) content.update(Buffer.from(previous.slice('sha256:'.length), 'hex'));
    await target.readSegment(handle, segment, content, refuse);
    const { createdAt: _createdAt, digest, ...body } = segment.footer;
    if (`sha256:${content.update(canonicalJson(body)).digest('hex')}` !== digest)
      refuse('fingerprint store digest does not match its content (edited or corrupted)');
    previous = digest;
  }
  const { columns, plates } = target.columns();
  const last = segments[segments.length - 1]!;
  const footer: StoreFooter = { ...last.footer, counts: { ...totals, plates } };
  checkColumns(columns, footer, refuse);
  const { dev, ino, mtimeMs, ctimeMs } = stats;
  const identity = { dev, ino, size, mtimeMs, ctimeMs };
  const viewFile = target.viewSegments.length > 0 ? { viewFile: { path: file, identity, segments: target.viewSegments } } : {};
  const keys = target.plateKeys;
  const plateFile = keys
    ? {
        plateFile: {
          digests: { path: file, identity, segments: [{ firstView: 0, views: keys.count, offset: keys.offset }] },
          count: keys.count,
          tags: keys.tags,
          starts: keys.starts,
        },
      }
    : {};
  return { footer, columns, ...viewFile, ...plateFile, size, segments: segments.length, last: { offset: last.footerOffset, length: last.footerLength } };
}

function refuser(file: string): Refuse {
  return (detail: string): never => {
    throw new InputError(file, detail);
  };
}
