import { type FileHandle, open } from 'node:fs/promises';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { errorCode } from '../util/errors.js';
import { openReadOnly as openFile } from '../util/open-read-only.js';
import type { ContentSource } from './item.js';

/** The file changed (size, identity or type) between the walk and the read: its content cannot be trusted. */
export class ContentChangedError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'ContentChangedError';
  }
}

const sizeChanged = (expected: number, actual: number) => new ContentChangedError(`size changed during the scan (${expected} -> ${actual} bytes)`);

/** The inode the walk saw, so a file swapped after the walk is detected rather than read. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

async function openReadOnly(file: string | Buffer, identity: FileIdentity | undefined): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await openFile((flags) => open(file, flags));
  } catch (error) {
    // The walk saw a regular file there; O_NOFOLLOW refusing a link means it was swapped for one.
    if (errorCode(error) === 'ELOOP') throw new ContentChangedError('replaced by a symbolic link during the scan');
    throw error;
  }
  const stats = await handle.stat();
  if (!stats.isFile() || (identity && (stats.ino !== identity.ino || stats.dev !== identity.dev))) {
    await handle.close();
    throw new ContentChangedError(stats.isFile() ? 'replaced by another file during the scan' : 'no longer a regular file');
  }
  return handle;
}

/**
 * Opens a file as the walk saw it (O_NOFOLLOW, O_NONBLOCK, the walked inode) and keeps it open, for
 * a reader that wants a path rather than bytes (yauzl's random access to a zip): `path` is
 * `/proc/self/fd/<fd>`, which reopens exactly that inode whatever happens to the file's name.
 * Linux only: callers check `/proc` first (src/sources/directories.ts `viaDescriptors`).
 */
export async function holdFile(file: string | Buffer, identity: FileIdentity): Promise<{ path: string; close: () => Promise<void> }> {
  const handle = await openReadOnly(file, identity);
  return { path: `/proc/self/fd/${handle.fd}`, close: () => handle.close() };
}

/** Content that can read a range without what comes before it (a file on disk, by descriptor). */
export interface RangeContent extends ContentSource {
  /** Up to `length` bytes from `position`. */
  readRange(position: number, length: number): Promise<Buffer>;
}

export const hasRanges = (content: ContentSource): content is RangeContent => typeof (content as Partial<RangeContent>).readRange === 'function';

/**
 * Files up to this size are read whole by their first `head()` and the bytes kept for the next
 * `readAll()`: a picture is sniffed, then decoded from the bytes it was sniffed in, with one open,
 * fstat, read and close instead of two of each (the bench's camera-roll pictures are 40-160 KB).
 * Past it the head stays a head: reading a large file whole to sniff it costs more than a second open.
 */
export const WHOLE_HEAD_BYTES = 256 * 1024;

/** Bytes per read of a large file: its stream's chunks and {@link ContentSource.lentChunks}. */
const CHUNK_BYTES = 1 << 20;

/** Read-only access to a file's bytes, checked against the size seen by the walk. */
export function fileContent(file: string | Buffer, size: number, identity?: FileIdentity): RangeContent {
  // The whole file, read by head() and kept until readAll() or stream() takes it, so a file
  // that is sniffed and then read (decoded, digested, scanned) is read once; a content nobody reads
  // further drops it with itself.
  let kept: Buffer | undefined;
  // Only the first read may keep the file: once its bytes were handed on, a later head() (the
  // metadata detector's, after the digest and the decode) must not read it whole again and keep it
  // for as long as the item lives (an identified item lives until the report).
  let first = true;
  // At most one byte more than the walk saw: a file that grew in place since (same inode) is told
  // apart without holding what it grew to, where readFile() took all of it (up to 2 GiB a file).
  const readWhole = async (): Promise<Buffer> => {
    const handle = await openReadOnly(file, identity);
    try {
      const buffer = Buffer.allocUnsafeSlow(size + 1);
      let filled = 0;
      for (let read = -1; read !== 0 && filled < buffer.length; filled += read) {
        read = (await handle.read(buffer, filled, buffer.length - filled, filled)).bytesRead;
      }
      if (filled > size) throw sizeChanged(size, (await handle.stat()).size);
      if (filled < size) throw sizeChanged(size, filled);
      return buffer.subarray(0, size);
    } finally {
      await handle.close();
    }
  };
  return {
    async readRange(position, length) {
      first = false;
      if (kept) return Buffer.from(kept.subarray(position, position + Math.max(0, length)));
      const handle = await openReadOnly(file, identity);
      try {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async head(n) {
      // Copies: a head outlives the read (items keep theirs), and a view would hold the whole file.
      if (kept) return Buffer.from(kept.subarray(0, n));
      const keep = first;
      first = false;
      if (keep && size > 0 && size <= WHOLE_HEAD_BYTES) {
        // A file that cannot be read whole (its size changed since the walk, it was swapped) is
        // left to the plain head below and to readAll, which report it exactly as before.
        const whole = await readWhole().catch(() => undefined);
        if (whole) {
          kept = whole;
          return Buffer.from(whole.subarray(0, n));
        }
      }
      const handle = await openReadOnly(file, identity);
      try {
        const buffer = Buffer.alloc(Math.min(n, size));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async readAll() {
      first = false;
      const whole = kept;
      kept = undefined;
      return whole ?? readWhole();
    },
    async *lentChunks() {
      first = false;
      if (kept || size <= WHOLE_HEAD_BYTES) {
        const whole = kept ?? (await readWhole());
        kept = undefined;
        yield whole;
        return;
      }
      // One buffer, read into again for each chunk (ContentSource.lentChunks): the caller copies what it keeps.
      const handle = await openReadOnly(file, identity);
      try {
        const buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
        let seen = 0;
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, seen);
          if (bytesRead === 0) break;
          seen += bytesRead;
          // A fresh view each time: a reader that tells buffers apart by identity sees new bytes.
          yield buffer.subarray(0, bytesRead);
        }
        if (seen !== size) throw sizeChanged(size, seen);
      } finally {
        await handle.close();
      }
    },
    stream() {
      first = false;
      const out = new PassThrough();
      if (kept) {
        // Sniffed whole already (a text the plate scanner reads next): the same bytes, not a second read.
        out.end(kept);
        kept = undefined;
        return out;
      }
      if (size <= WHOLE_HEAD_BYTES) {
        // A small file in one read: open, fstat, read and close, without a file stream and a
        // pipeline of its own (an exact-only audit digests every file of a reference's size this
        // way). The whole-file read checks the size as the stream below does.
        readWhole().then(
          (whole) => out.end(whole),
          (error: Error) => out.destroy(error),
        );
        return out;
      }
      openReadOnly(file, identity).then(
        (handle) => {
          let seen = 0;
          const input: Readable = handle.createReadStream({ highWaterMark: CHUNK_BYTES });
          input.on('data', (chunk: Buffer) => (seen += chunk.length));
          input.on('end', () => {
            if (seen !== size) out.destroy(sizeChanged(size, seen));
          });
          // pipeline, not pipe: a consumer that stops early (an archive bomb cut short) must close the file too.
          pipeline(input, out, () => undefined);
        },
        (error: Error) => out.destroy(error),
      );
      return out;
    },
  };
}
