import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { describeError, errorCode, UsageError } from '../util/errors.js';
import { escapeInvisible as quote } from '../util/escape.js';
import { checkedDestination, type WriteGuard } from '../util/safe-write.js';
import type { PlateSet } from './schema.js';
import { type LoadedStore, readOpenStore } from './store-read.js';
import { type ReferenceSource, type StoreMeta, type StoreSummary, storeChunks } from './store-write.js';

/** A verified store held open for appending one segment (openForAppend, then appendSegment). */
export interface StoreForAppend {
  /** The store as it is now: its columns are what the new segment is checked against. */
  store: LoadedStore;
  /** Its size in bytes: where the new segment starts. */
  size: number;
  /** Offset and length of its last footer, which the new one extends. */
  last: { offset: number; length: number };
  shown: string;
  handle: FileHandle;
}

/**
 * Opens the store named `shown` (relative to `cwd`) for an append and verifies it whole first. The
 * write guard's rules apply as to any file custody writes (never inside an audited tree, never
 * through a symbolic link at the name); a store with other hard links is refused too, since an
 * append writes in place. A damaged or tampered store is an InputError (one line, exit 2).
 */
export async function openForAppend(out: { guard: WriteGuard; cwd: string; path: string }): Promise<StoreForAppend> {
  const destination = await checkedDestination(out.guard, out.cwd, out.path);
  // O_NOFOLLOW: a link that appeared since the check is refused (ELOOP), never written through.
  const handle = await open(destination, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: unknown) => {
    throw new UsageError(`cannot append to ${quote(out.path)}: ${errorCode(error) ?? describeError(error)}`);
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UsageError(`cannot append to ${quote(out.path)}: not a regular file`);
    if (stats.nlink > 1) throw new UsageError(`refusing to append to ${quote(out.path)}: it has other hard links, which the append would change too`);
    const { footer, columns, size, last } = await readOpenStore(handle, out.path);
    return { store: { footer, columns }, size, last, shown: out.path, handle };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Appends one segment (new sections, a footer naming the last one, a trailer) after the store's
 * bytes, which are never rewritten. The new trailer is written last, after everything before it is
 * on disk (fdatasync), so a crash leaves either the old store followed by bytes without a sound
 * trailer, which every reader refuses, or the new store; an error while the segment is produced
 * truncates the file back to the old store. The caller closes the handle.
 */
export async function appendSegment(target: StoreForAppend, references: ReferenceSource, plates: PlateSet | undefined, meta: StoreMeta): Promise<StoreSummary> {
  const { handle, size, store } = target;
  if ((await handle.stat()).size !== size) throw new UsageError(`${quote(target.shown)} changed while the new references were fingerprinted; run again`);
  const summary: Partial<StoreSummary> = {};
  const base = { position: size, previous: target.last, digest: store.footer.digest, tables: store.footer, counts: store.footer.counts };
  let at = size;
  let held: Buffer | undefined;
  try {
    // One chunk behind: the last one produced is the trailer, written only once the rest is safe.
    for (const chunk of storeChunks(references, plates, meta, summary, base)) {
      if (held) at += await writeAt(handle, held, at);
      held = chunk;
    }
    await handle.datasync();
    await writeAt(handle, held!, at);
    await handle.datasync();
  } catch (error) {
    // Best effort: should the truncation fail too, the bytes left have no sound trailer and every
    // reader refuses them, so the error that stopped the append is the one to report.
    await handle.truncate(size).catch(() => undefined);
    throw error;
  }
  return summary as StoreSummary;
}

async function writeAt(handle: FileHandle, chunk: Buffer, position: number): Promise<number> {
  for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done, chunk.length - done, position + done)).bytesWritten;
  return chunk.length;
}
