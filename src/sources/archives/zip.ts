import fs, { constants } from 'node:fs';
import { promisify } from 'node:util';
import { Readable, pipeline } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import type * as yauzl from 'yauzl';
import { lazy } from '../../util/lazy.js';
import type { SourceEvent } from '../item.js';
import { ReopenableContent, readAtLeast } from './content.js';
import { CorruptMemberError, coverageEvent, failureCoverage, limitCoverage } from './errors.js';
import { declaredSizeGuard } from './guards.js';
import { admit, memberLocation, type Level, type Walk } from './walk.js';

/** Where a zip's bytes are: a file on disk (random access) or a buffer. */
export type ZipInput = { path: string } | { buffer: Buffer };

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
/** Deflated members up to this size are inflated in one synchronous call. */
const SYNC_INFLATE_BYTES = 1024 * 1024;

// O_NOATIME: reading evidence must not change its access times (falls back when not the owner).
// A plain fd rather than a FileHandle: yauzl closes the fd itself when the zip is closed.
async function openReadOnly(file: string): Promise<number> {
  const noatime = constants.O_NOATIME ?? 0;
  if (noatime !== 0) {
    try {
      return await promisify(fs.open)(file, constants.O_RDONLY | noatime);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  }
  return promisify(fs.open)(file, constants.O_RDONLY);
}

/** Yields the members of a zip (and, through `walk.member`, of archives nested in it). */
export async function* expandZip(input: ZipInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  let fd: number | undefined;
  let zip: yauzl.ZipFile;
  const api = await loadYauzl();
  try {
    if ('path' in input) {
      fd = await openReadOnly(input.path);
      zip = await api.fromFdPromise(fd, OPEN_OPTIONS);
    } else {
      zip = await api.fromBufferPromise(input.buffer, OPEN_OPTIONS);
    }
  } catch (error) {
    // yauzl owns the fd only once the zip is open.
    if (fd !== undefined) fs.close(fd, () => undefined);
    yield failureCoverage(level.location, error);
    return;
  }
  try {
    yield* readEntries(api, zip, level, walk);
  } finally {
    zip.close();
  }
}

async function* readEntries(api: Yauzl, zip: yauzl.ZipFile, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { maxEntries } = walk.options;
  if (zip.entryCount > maxEntries) {
    yield limitCoverage(level.location, 'maxEntries', maxEntries, `the archive lists ${zip.entryCount} entries; only the first ${maxEntries} are inspected`);
  }
  const entries = zip.eachEntry();
  for (let seen = 0; seen < maxEntries && !walk.stopped; seen++) {
    let entry: yauzl.Entry;
    try {
      const next = await entries.next();
      if (next.done) return;
      entry = next.value;
    } catch (error) {
      yield failureCoverage(level.location, error);
      return;
    }
    yield* readEntry(api, zip, entry, level, walk);
  }
}

async function* readEntry(api: Yauzl, zip: yauzl.ZipFile, entry: yauzl.Entry, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const name = entryName(api, entry);
  const location = memberLocation(level, name);
  const unixMode = entry.versionMadeBy >> 8 === MADE_BY_UNIX ? entry.externalFileAttributes >>> 16 : 0;
  if (name.endsWith('/') || (unixMode & S_IFMT) === S_IFDIR) return;
  if ((unixMode & S_IFMT) === S_IFLNK) {
    yield coverageEvent({ location, reason: 'link-member', detail: 'symbolic link member, not followed', incomplete: false });
    return;
  }
  if (entry.isEncrypted()) {
    yield coverageEvent({ location, reason: 'encrypted', detail: 'encrypted zip entry, not inspected', incomplete: true });
    return;
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    yield coverageEvent({ location, reason: 'unsupported-compression', detail: `zip compression method ${entry.compressionMethod}`, incomplete: true });
    return;
  }
  const { maxCompressionRatio, ratioCheckMinBytes, maxMemberBufferBytes } = walk.options;
  const size = entry.uncompressedSize;
  if (size > ratioCheckMinBytes && size > Math.max(entry.compressedSize, 1) * maxCompressionRatio) {
    yield limitCoverage(location, 'maxCompressionRatio', maxCompressionRatio, `declares ${size} bytes from ${entry.compressedSize} compressed bytes; not read`);
    return;
  }
  const refused = admit(walk, location, size);
  if (refused) {
    yield refused;
    return;
  }
  const open =
    entry.compressionMethod === 8 && size <= SYNC_INFLATE_BYTES
      ? async (): Promise<Readable> => Readable.from([await inflateSmall(zip, entry, location, content.noteViolation)], { objectMode: false })
      : async (): Promise<Readable> => {
          const raw = await zip.openReadStreamPromise(entry);
          return pipeline(raw, declaredSizeGuard(location, size, content.noteViolation), () => undefined);
        };
  const content: ReopenableContent = new ReopenableContent(open, size, maxMemberBufferBytes);
  const mode = unixMode & 0o7777;
  yield* walk.member(level, { name, size, mtime: entry.getLastModDate({ timezone: 'UTC' }), ...(mode ? { mode } : {}), content });
}

/**
 * Inflates a small member in one synchronous call: a streaming inflate costs a thread-pool round
 * trip per chunk, which dominates for the many small members of office files and photo exports.
 * maxOutputLength bounds the work to the declared size, so a lying header still costs nothing.
 */
async function inflateSmall(zip: yauzl.ZipFile, entry: yauzl.Entry, location: string, onViolation: (error: Error) => void): Promise<Buffer> {
  const compressed = await readAtLeast(await zip.openReadStreamPromise(entry, { decodeFileData: false }), Number.POSITIVE_INFINITY);
  const size = entry.uncompressedSize;
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(compressed, { maxOutputLength: Math.max(size, 1) });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    const failure = tooLarge
      ? new CorruptMemberError(location, `member inflates past its declared size of ${size} bytes (lying header, possible zip bomb); not inspected further`)
      : (error as Error);
    onViolation(failure);
    throw failure;
  }
  if (inflated.length !== size) {
    const failure = new CorruptMemberError(location, `member truncated: ${inflated.length} of ${size} declared bytes`);
    onViolation(failure);
    throw failure;
  }
  return inflated;
}

/** The entry's name as written: UTF-8 flag and Info-ZIP unicode path honoured, '\' read as '/'. */
function entryName(api: Yauzl, entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  return api.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false);
}
