import fs from 'node:fs';
import { pipeline, type Readable, Transform } from 'node:stream';
import { promisify } from 'node:util';
import { StretchSpotter } from '../containers/base64-runs.js';
import { containerFormat } from '../containers/registry.js';
import { hasRanges } from '../file-content.js';
import { type ContentSource, chunksOf } from '../item.js';
import type { MediaType } from '../sniff.js';
import { isUnsupported } from '../unsupported.js';
import { BufferContent, ReopenableContent } from './content.js';
import { streamTail, TailRing } from './tail-ring.js';
import { openZipFd } from './zip.js';
import { findEndRecord, TAIL_BYTES } from './zip-layout.js';

const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const MIN_ZIP_BYTES = 22;

/**
 * True for files that may have a zip after their own bytes (`cat photo.jpg export.zip`, a
 * self-extracting .exe): unzip opens such a zip by its end record, whatever comes first. Archives
 * are opened as such, and formats custody cannot open are already reported as not inspected.
 */
export const mayCarryZip = (media: MediaType): boolean => containerFormat(media) === undefined && !isUnsupported(media);

/** Where an appended zip starts, as unzip finds it; or why one that is there could not be opened. */
export type AppendedZip =
  | {
      shift: number;
      /** The whole file, when it was read from memory rather than from disk. */
      buffer?: Buffer;
    }
  /** `limit`: a buffer limit stopped it (else the zip's own records did). */
  | { unopened: string; limit: boolean };

/**
 * Looks for a zip at the end of a file on disk (one read of its last 64 KiB at most) or of bytes
 * already held in memory. Only a zip whose central directory is where its end record says is taken:
 * a stray signature in image data is not a zip. Without a path (a name that is not UTF-8, no /proc)
 * the content itself is read: by range (a file on disk) or streamed for its tail, then whole when a
 * zip is there and fits `bufferCap`; a zip too large to hold is reported as not opened, never passed over.
 */
export async function findAppendedZip(
  source: { path?: string | undefined; content: ContentSource; size: number },
  bufferCap: number,
): Promise<AppendedZip | undefined> {
  if (source.size < MIN_ZIP_BYTES) return undefined;
  // The detectors have usually read the whole file already: its tail is then known, and most files
  // need no further read at all (a separate open and read cost ~2x reading a 30 KB file whole).
  const tail = source.content instanceof TailKeepingContent ? source.content.tail : undefined;
  if (tail) {
    const record = findEndRecord(tail, source.size);
    if (!record || record.entries === 0) return undefined;
  }
  if (source.path) return fromFile(source.path, source.size, tail);
  const { content, size } = source;
  if (content instanceof BufferContent || (content instanceof ReopenableContent && size <= bufferCap)) return inMemory(await content.readAll());
  // No path to open by (a name that is not UTF-8, no /proc): the content's own reads, by range
  // where it has them (files on disk), else one streamed pass for the tail.
  const ranges = hasRanges(content) ? content : content instanceof TailKeepingContent && hasRanges(content.inner) ? content.inner : undefined;
  const known = tail ?? (ranges ? await ranges.readRange(Math.max(0, size - TAIL_BYTES), TAIL_BYTES) : await streamTail(content.stream(), size));
  if (!known) return undefined;
  const record = findEndRecord(known, size);
  if (!record || record.entries === 0) return undefined;
  if (record.zip64Unresolved) return ZIP64_UNRESOLVED;
  const directory = ranges ? await ranges.readRange(record.directoryStart, 4) : undefined;
  if (directory && (directory.length < 4 || directory.readUInt32LE(0) !== CENTRAL_HEADER_SIGNATURE)) return undefined;
  if (!directory && !zipAtEnd(known, size)) return undefined;
  if (size <= bufferCap) return inMemory(await content.readAll());
  return {
    unopened: `a zip is appended (its end record is in the last bytes), but the file (${size} bytes) has no path for random access and is over maxMemberBufferBytes (${bufferCap}): not opened`,
    limit: true,
  };
}

function inMemory(buffer: Buffer): AppendedZip | undefined {
  const record = findEndRecord(buffer.subarray(Math.max(0, buffer.length - TAIL_BYTES)), buffer.length);
  if (!record || record.entries === 0) return undefined;
  if (record.zip64Unresolved) return ZIP64_UNRESOLVED;
  const signature = buffer.subarray(record.directoryStart, record.directoryStart + 4);
  return signature.length === 4 && signature.readUInt32LE(0) === CENTRAL_HEADER_SIGNATURE ? { shift: record.shift, buffer } : undefined;
}

/** A zip64 locator whose end record is not where it says: the zip's offset in the file is unknown. */
const ZIP64_UNRESOLVED: AppendedZip = {
  unopened: 'zip64 behind a prefix: its zip64 end record was not found before its locator, so the zip is not opened',
  limit: false,
};

/**
 * True when `tail` (the last bytes of `size`) ends with a zip's end record whose central directory,
 * where it lies inside the tail, starts with its signature.
 */
export function zipAtEnd(tail: Buffer, size: number): boolean {
  const record = findEndRecord(tail, size);
  if (!record || record.entries === 0) return false;
  const at = record.directoryStart - (size - tail.length);
  return at < 0 || at + 4 > tail.length || tail.readUInt32LE(at) === CENTRAL_HEADER_SIGNATURE;
}

async function fromFile(file: string, size: number, knownTail: Buffer | undefined): Promise<AppendedZip | undefined> {
  const fd = await openZipFd(file);
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
    if (record.zip64Unresolved) return ZIP64_UNRESOLVED;
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
  /**
   * Once a read went to the end: whether the bytes hold a stretch long enough for embedded base64
   * (src/sources/containers/base64.ts), so that a text without one is not read again to look.
   */
  mayEmbed: boolean | undefined;
  constructor(
    readonly inner: ContentSource,
    private readonly size: number,
  ) {}

  head(n: number): Promise<Buffer> {
    return this.inner.head(n);
  }

  async readAll(): Promise<Buffer> {
    const all = await this.inner.readAll();
    // A copy: a slice would keep the whole file's buffer alive.
    if (all.length === this.size) {
      this.tail = Buffer.from(all.subarray(Math.max(0, all.length - TAIL_BYTES)));
      const spotter = new StretchSpotter();
      spotter.push(all);
      this.mayEmbed = spotter.seen;
    }
    return all;
  }

  async *lentChunks(): AsyncGenerator<Buffer> {
    const ring = new TailRing();
    const spotter = new StretchSpotter();
    for await (const chunk of chunksOf(this.inner)) {
      // The ring keeps what it is given and the chunk is the reader's only until the next: a copy of
      // what of it can be in the last 64 KiB of a file of the walked size (nothing, mostly).
      const from = Math.max(0, chunk.length - TAIL_BYTES, this.size - TAIL_BYTES - ring.total);
      ring.push(Buffer.from(chunk.subarray(Math.min(from, chunk.length))), chunk.length);
      spotter.push(chunk);
      yield chunk;
    }
    if (ring.total === this.size) {
      this.tail = ring.tail();
      this.mayEmbed = spotter.seen;
    }
  }

  stream(): Readable {
    const ring = new TailRing();
    const spotter = new StretchSpotter();
    const keeper = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        ring.push(chunk);
        spotter.push(chunk);
        callback(null, chunk);
      },
      flush: (callback) => {
        if (ring.total === this.size) {
          this.tail = ring.tail();
          this.mayEmbed = spotter.seen;
        }
        callback();
      },
    });
    // pipeline, not pipe: a consumer that stops early destroys the keeper, and with it the file stream.
    pipeline(this.inner.stream(), keeper, () => undefined);
    return keeper;
  }
}
