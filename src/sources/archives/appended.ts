import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { isUnsupported } from '../../identify/unsupported.js';
import type { MediaType } from '../../identify/sniff.js';
import type { ContentSource } from '../item.js';
import { BufferContent, ReopenableContent } from './content.js';
import { openReadOnly } from './zip.js';
import { findEndRecord, TAIL_BYTES } from './zip-layout.js';

const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const MIN_ZIP_BYTES = 22;

/**
 * True for files that may have a zip after their own bytes (`cat photo.jpg export.zip`, a
 * self-extracting .exe): unzip opens such a zip by its end record, whatever comes first. Archives
 * are opened as such, and formats custody cannot open are already reported as not inspected.
 */
export const mayCarryZip = (media: MediaType): boolean =>
  media !== 'application/zip' && media !== 'application/x-tar' && media !== 'application/gzip' && !isUnsupported(media);

/** Where an appended zip starts, as unzip finds it. */
export interface AppendedZip {
  shift: number;
  /** The whole file, when it was read from memory rather than from disk. */
  buffer?: Buffer;
}

/**
 * Looks for a zip at the end of a file on disk (one read of its last 64 KiB at most) or of bytes
 * already held in memory. Only a zip whose central directory is where its end record says is taken:
 * a stray signature in image data is not a zip.
 */
export async function findAppendedZip(source: { path?: string | undefined; content: ContentSource; size: number }, bufferCap: number): Promise<AppendedZip | undefined> {
  if (source.size < MIN_ZIP_BYTES) return undefined;
  // The detectors have usually read the whole file already: its tail is then known, and most files
  // need no further read at all (a separate open and read cost ~2x reading a 30 KB file whole).
  const tail = source.content instanceof TailKeepingContent ? source.content.tail : undefined;
  if (tail) {
    const record = findEndRecord(tail, source.size);
    if (!record || record.entries === 0) return undefined;
  }
  if (source.path) return fromFile(source.path, source.size, tail);
  const { content } = source;
  const inMemory = content instanceof BufferContent || (content instanceof ReopenableContent && source.size <= bufferCap);
  if (!inMemory) return undefined;
  const buffer = await content.readAll();
  const found = locate(buffer.subarray(Math.max(0, buffer.length - TAIL_BYTES)), buffer.length, (at) => buffer.subarray(at, at + 4));
  return found === undefined ? undefined : { shift: found, buffer };
}

async function fromFile(file: string, size: number, knownTail: Buffer | undefined): Promise<AppendedZip | undefined> {
  const fd = await openReadOnly(file);
  try {
    const read = promisify(fs.read);
    let tail = knownTail;
    if (!tail) {
      tail = Buffer.allocUnsafe(Math.min(size, TAIL_BYTES));
      const { bytesRead } = await read(fd, tail, 0, tail.length, size - tail.length);
      if (bytesRead !== tail.length) return undefined;
    }
    const record = findEndRecord(tail, size);
    if (!record || record.entries === 0) return undefined;
    const signature = Buffer.alloc(4);
    await read(fd, signature, 0, 4, record.directoryStart);
    return signature.readUInt32LE(0) === CENTRAL_HEADER_SIGNATURE ? { shift: record.shift } : undefined;
  } finally {
    await promisify(fs.close)(fd);
  }
}

/**
 * A content source that remembers the last 64 KiB of the file once a read went to its end, so the
 * look for an appended zip can skip its own read. Wraps a top-level file's content for inspection.
 */
export class TailKeepingContent implements ContentSource {
  tail: Buffer | undefined;
  constructor(
    private readonly inner: ContentSource,
    private readonly size: number,
  ) {}

  head(n: number): Promise<Buffer> {
    return this.inner.head(n);
  }

  async readAll(): Promise<Buffer> {
    const all = await this.inner.readAll();
    // A copy: a slice would keep the whole file's buffer alive.
    if (all.length === this.size) this.tail = Buffer.from(all.subarray(Math.max(0, all.length - TAIL_BYTES)));
    return all;
  }

  stream(): Readable {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let total = 0;
    const keeper = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        total += chunk.length;
        kept.push(chunk);
        keptBytes += chunk.length;
        while (kept.length > 1 && keptBytes - kept[0]!.length >= TAIL_BYTES) keptBytes -= kept.shift()!.length;
        callback(null, chunk);
      },
      flush: (callback) => {
        if (total === this.size) {
          const joined = Buffer.concat(kept, keptBytes);
          this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
        }
        callback();
      },
    });
    const source = this.inner.stream();
    source.on('error', (error) => keeper.destroy(error));
    return source.pipe(keeper);
  }
}

function locate(tail: Buffer, size: number, at: (offset: number) => Buffer): number | undefined {
  const record = findEndRecord(tail, size);
  if (!record || record.entries === 0) return undefined;
  const signature = at(record.directoryStart);
  return signature.length === 4 && signature.readUInt32LE(0) === CENTRAL_HEADER_SIGNATURE ? record.shift : undefined;
}
