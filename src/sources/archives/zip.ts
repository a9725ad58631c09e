import fs from 'node:fs';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type * as yauzl from 'yauzl';
import { lazy } from '../../util/lazy.js';
import { openReadOnly } from '../../util/open-read-only.js';
import type { SourceEvent } from '../item.js';
import { readAtLeast } from './content.js';
import { coverageEvent, failureCoverage, limitCoverage } from './errors.js';
import { parseExtraFields, zipEntryName } from './names.js';
import { type Level, memberLocation, type Walk } from './walk.js';
import { type EntrySpan, type Gap, LOCAL_HEADER_BYTES, LOCAL_HEADER_SIGNATURE, overlappingEntries, parseLocalHeader, suspiciousGaps } from './zip-layout.js';
import { readMember, type ZipMember } from './zip-member.js';

/**
 * Where a zip's bytes are: a file on disk (random access) or a buffer. `shift` is how many bytes of
 * something else (a JPEG, a self-extractor) come before the zip its own offsets describe.
 */
export type ZipInput = ({ path: string } | { buffer: Buffer }) & { shift?: number };

// decodeStrings off: yauzl would reject the whole archive on a `../` or absolute name, and such names
// must be reported as written. validateEntrySizes off: its stored-size check also kills the whole
// archive; declaredSizeGuard checks sizes per member instead.
const OPEN_OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false };

type Yauzl = typeof yauzl;
const loadYauzl = lazy<Yauzl>(() => import('yauzl'));

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const MADE_BY_UNIX = 3;

/**
 * Opens a zip by the path of a descriptor the walk holds (`/proc/self/fd/N`, a link: followed) or a
 * file given by the caller. A plain fd rather than a FileHandle: yauzl closes the fd itself.
 */
export const openZipFd = (file: string): Promise<number> => openReadOnly((flags) => promisify(fs.open)(file, flags), true);

/** Yields the members of a zip (and, through `walk.member`, of archives nested in it). */
export async function* expandZip(input: ZipInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  let fd: number | undefined;
  let zip: yauzl.ZipFile;
  const api = await loadYauzl();
  const shift = input.shift ?? 0;
  try {
    if ('path' in input) {
      fd = await openZipFd(input.path);
      zip = shift > 0 ? await openShifted(api, fd, shift) : await api.fromFdPromise(fd, OPEN_OPTIONS);
    } else {
      zip = await api.fromBufferPromise(shift > 0 ? input.buffer.subarray(shift) : input.buffer, OPEN_OPTIONS);
    }
  } catch (error) {
    // yauzl owns the fd only once the zip is open.
    if (fd !== undefined) fs.close(fd, () => undefined);
    yield failureCoverage(level.location, error);
    return;
  }
  try {
    yield* readEntries(zip, level, walk);
  } finally {
    zip.close();
  }
}

/** A zip seen from `shift` bytes into a file: what unzip does with a zip appended to something else. */
async function openShifted(api: Yauzl, fd: number, shift: number): Promise<yauzl.ZipFile> {
  const size = (await promisify(fs.fstat)(fd)).size - shift;
  class ShiftedReader extends api.RandomAccessReader {
    override _readStreamForRange(start: number, end: number): Readable {
      // Not fs.createReadStream: destroying one closes its fd, which yauzl shares between reads.
      let position = start + shift;
      const stop = end + shift;
      return new Readable({
        read(want) {
          const length = Math.min(Math.max(want, 64 * 1024), stop - position);
          if (length <= 0) return void this.push(null);
          const chunk = Buffer.allocUnsafe(length);
          fs.read(fd, chunk, 0, length, position, (error, bytes) => {
            if (error) return this.destroy(error);
            if (bytes === 0) return void this.push(null);
            position += bytes;
            this.push(chunk.subarray(0, bytes));
          });
        },
      });
    }
    override close(callback: (error: Error | null) => void): void {
      fs.close(fd, callback);
    }
  }
  return api.fromRandomAccessReaderPromise(new ShiftedReader(), size, OPEN_OPTIONS);
}

async function* readEntries(zip: yauzl.ZipFile, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { maxEntries } = walk.options;
  // yauzl starts its cursor at the central directory (in the zip's own coordinates).
  const directoryStart = (zip as unknown as { readEntryCursor: number }).readEntryCursor;
  if (zip.entryCount > maxEntries) {
    yield limitCoverage(level.location, 'maxEntries', maxEntries, `the archive lists ${zip.entryCount} entries; only the first ${maxEntries} are inspected`);
  }
  // The whole directory is read first (yauzl holds no more than this): the layout checks need it.
  const listed: yauzl.Entry[] = [];
  const entries = zip.eachEntry();
  try {
    while (listed.length < maxEntries) {
      const next = await entries.next();
      if (next.done) break;
      listed.push(next.value);
    }
  } catch (error) {
    yield failureCoverage(level.location, error);
  }
  // The local extra field may be shorter than the central one (zip64 sizes): spans leave it out.
  const spans: EntrySpan[] = listed.map((entry, index) => ({
    index,
    start: entry.relativeOffsetOfLocalHeader,
    end: entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + entry.fileNameLength + entry.compressedSize,
  }));
  const overlapping = overlappingEntries(spans);
  if (overlapping.size > 0) {
    yield coverageEvent({
      location: level.location,
      reason: 'corrupt-archive',
      detail: `${overlapping.size} of ${listed.length} entries share their bytes with another entry (overlapping-entry zip bomb); those entries are not read`,
      incomplete: true,
    });
  }
  for (const [index, entry] of listed.entries()) {
    if (walk.stopped) return;
    if (!overlapping.has(index)) yield* readEntry(zip, entry, level, walk);
  }
  // Past maxEntries, unlisted entries are not hidden ones: the gaps are only looked at in a whole listing.
  if (overlapping.size === 0 && !walk.stopped && listed.length === zip.entryCount) {
    yield* readHiddenEntries(zip, listed, suspiciousGaps(spans, directoryStart), level, walk);
  }
}

async function* readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const name = entryName(entry);
  const location = memberLocation(level, name);
  const unixMode = entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : 0;
  // A directory flag (trailing '/', or a Unix directory mode) on an entry that has data: unzip
  // extracts a mode-flagged one as a file, so its bytes are inspected like any member's.
  const empty = entry.uncompressedSize === 0;
  if (empty && (name.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR)) return;
  if ((unixMode & S_IFMT) === S_IFLNK) {
    yield coverageEvent({ location, reason: 'link-member', detail: 'symbolic link member, not followed', incomplete: false });
    return;
  }
  if (entry.isEncrypted()) {
    yield coverageEvent({ location, reason: 'encrypted', detail: 'encrypted zip entry, not inspected', incomplete: true });
    return;
  }
  const mode = unixMode & 0o7777;
  const member: ZipMember = {
    name,
    method: entry.compressionMethod,
    compressedSize: entry.compressedSize,
    size: entry.uncompressedSize,
    mtime: entry.getLastModDate({ timezone: 'UTC' }),
    ...(mode ? { mode } : {}),
  };
  yield* readMember(member, () => zip.openReadStreamPromise(entry, { decodeFileData: false }), level, walk);
}

/** Where a data descriptor can end (12 or 16 bytes, 20 or 24 for zip64): the next header may follow any. */
const DESCRIPTOR_ENDS = [0, 12, 16, 20, 24];

/**
 * Entries present only as local headers, in the gaps the directory leaves: unzip skips them, but a
 * streaming reader extracts them, so custody reads them (as `name`, like any member). Local-only
 * entries whose sizes are in a data descriptor cannot be delimited without inflating: recorded.
 */
async function* readHiddenEntries(
  zip: yauzl.ZipFile,
  listed: readonly yauzl.Entry[],
  gaps: readonly Gap[],
  level: Level,
  walk: Walk,
): AsyncGenerator<SourceEvent> {
  // yauzl's reader is public at runtime; its typings leave it out.
  const reader = (zip as unknown as { reader: yauzl.RandomAccessReader }).reader;
  const range = (start: number, end: number): Readable => reader.createReadStream({ start, end: Math.min(end, zip.fileSize) });
  const read = async (start: number, end: number): Promise<Buffer> =>
    end <= start ? Buffer.alloc(0) : readAtLeast(range(start, end), Number.POSITIVE_INFINITY);
  for (const gap of gaps) {
    let at = gap.from;
    try {
      if (gap.after !== undefined) {
        const previous = listed[gap.after]!;
        at = (await zip.readLocalFileHeaderPromise(previous, { minimal: true })).fileDataStart + previous.compressedSize;
      }
      for (let found = 0; at + LOCAL_HEADER_BYTES <= gap.to && found < walk.options.maxEntries && !walk.stopped; found++) {
        const window = await read(at, Math.min(gap.to, at + 24 + LOCAL_HEADER_BYTES + 0xffff * 2));
        const skip = DESCRIPTOR_ENDS.find((d) => d + 4 <= window.length && window.readUInt32LE(d) === LOCAL_HEADER_SIGNATURE);
        if (skip === undefined) break;
        const header = parseLocalHeader(window.subarray(skip));
        if (!header) break;
        const name = zipEntryName(header.flags, header.name, parseExtraFields(header.extra));
        const location = memberLocation(level, name);
        const dataStart = at + skip + header.dataOffset;
        if ((header.flags & 0x8) !== 0 && header.compressedSize === 0) {
          yield coverageEvent({
            location,
            reason: 'corrupt-archive',
            detail: 'entry present only as a local header, sizes in a data descriptor: not read',
            incomplete: true,
          });
          break;
        }
        if ((header.flags & 0x1) !== 0) {
          yield coverageEvent({ location, reason: 'encrypted', detail: 'encrypted zip entry (local header only), not inspected', incomplete: true });
        } else {
          const end = dataStart + header.compressedSize;
          const member: ZipMember = { name, method: header.method, compressedSize: header.compressedSize, size: header.uncompressedSize };
          yield* readMember(member, async () => range(dataStart, end), level, walk);
        }
        at = dataStart + header.compressedSize;
      }
    } catch (error) {
      yield failureCoverage(level.location, error);
    }
  }
}

/**
 * The entry's name as written: names.ts `zipEntryName`, shared with entries present only as local
 * headers so both read a name alike (UTF-8 flag and Info-ZIP unicode path honoured, else UTF-8 when
 * valid, else CP437: a plate must not turn into mojibake that escapes redaction).
 */
function entryName(entry: yauzl.Entry): string {
  return zipEntryName(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields);
}
