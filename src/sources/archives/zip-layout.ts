/**
 * Where a zip's parts lie, checked before any member is read. Readers disagree on zips whose layout
 * is not the plain one (local header, data, ..., central directory, end record): `unzip` finds a zip
 * behind a prefix (a JPEG, a self-extractor) by the end record, streaming readers (Java's
 * ZipInputStream, bsdtar) follow local headers the central directory does not list, and an
 * overlapping-entry bomb (Fifield, "A better zip bomb") makes thousands of entries share one
 * kernel of compressed bytes. These helpers find each case from the directory alone.
 */

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_BYTES = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_BYTES = 56;
/** End record plus the largest comment, and a zip64 end record and locator before them: where the end records can be. */
export const TAIL_BYTES = EOCD_BYTES + 0xffff + ZIP64_LOCATOR_BYTES + ZIP64_EOCD_BYTES;
export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const LOCAL_HEADER_BYTES = 30;

/** The end of central directory record found in a file's tail. */
export interface EndRecord {
  /** Offset of the central directory in the file, where the end record's position says it is. */
  directoryStart: number;
  /** How far the zip is shifted in the file: bytes in front that its own offsets do not count. */
  shift: number;
  entries: number;
  /** A zip64 locator is there but its zip64 end record could not be found in the tail: shift unknown. */
  zip64Unresolved?: boolean;
}

/**
 * Finds the end record in `tail` (the last bytes of a file of `size` bytes), as unzip does: the last
 * signature whose comment length fits, with a directory that ends where the record starts. The
 * shift is what unzip reports as "extra bytes at beginning or within zipfile". A zip64 end record
 * (behind a locator) gives the directory's 64-bit size and offset, and so the shift, the same way.
 */
export function findEndRecord(tail: Buffer, size: number): EndRecord | undefined {
  const tailStart = size - tail.length;
  for (let at = tail.length - EOCD_BYTES; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    const commentLength = tail.readUInt16LE(at + 20);
    if (at + EOCD_BYTES + commentLength > tail.length) continue;
    const entries = tail.readUInt16LE(at + 10);
    const directorySize = tail.readUInt32LE(at + 12);
    const directoryOffset = tail.readUInt32LE(at + 16);
    const recordStart = tailStart + at;
    if (at >= ZIP64_LOCATOR_BYTES && tail.readUInt32LE(at - ZIP64_LOCATOR_BYTES) === ZIP64_LOCATOR_SIGNATURE) {
      return zip64EndRecord(tail, at - ZIP64_LOCATOR_BYTES, tailStart) ?? { directoryStart: directoryOffset, shift: 0, entries, zip64Unresolved: true };
    }
    const directoryStart = recordStart - directorySize;
    const shift = directoryStart - directoryOffset;
    if (directoryStart < 0 || shift < 0) continue;
    return { directoryStart, shift, entries };
  }
  return undefined;
}

/**
 * The zip64 end record that ends where the locator at `locator` starts (extensible data allowed),
 * read as {@link findEndRecord} reads the classic one; undefined when it is not in the tail.
 */
function zip64EndRecord(tail: Buffer, locator: number, tailStart: number): EndRecord | undefined {
  for (let at = locator - ZIP64_EOCD_BYTES; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== ZIP64_EOCD_SIGNATURE || at + 12 + Number(tail.readBigUInt64LE(at + 4)) !== locator) continue;
    const entries = Number(tail.readBigUInt64LE(at + 32));
    const directorySize = Number(tail.readBigUInt64LE(at + 40));
    const directoryOffset = Number(tail.readBigUInt64LE(at + 48));
    const directoryStart = tailStart + at - directorySize;
    const shift = directoryStart - directoryOffset;
    return directoryStart < 0 || shift < 0 ? undefined : { directoryStart, shift, entries };
  }
  return undefined;
}

/** One central directory entry's claim on the file: its local header and compressed data. */
export interface EntrySpan {
  index: number;
  /** Local header offset (zip coordinates). */
  start: number;
  /** Smallest possible end: header and name as listed, then the compressed data (extra fields vary). */
  end: number;
}

/**
 * Indexes of entries whose bytes overlap another entry's. No zip writer produces this; it is how
 * an overlapping-entry bomb gets 20,000 "files" out of 1 MB. Sorting by start, an entry overlaps
 * when it starts before the furthest end seen so far.
 */
export function overlappingEntries(spans: readonly EntrySpan[]): Set<number> {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.index - b.index);
  const overlapping = new Set<number>();
  let furthest: EntrySpan | undefined;
  for (const span of sorted) {
    if (furthest && span.start < furthest.end) {
      overlapping.add(span.index);
      overlapping.add(furthest.index);
    }
    if (!furthest || span.end > furthest.end) furthest = span;
  }
  return overlapping;
}

/** A stretch of the zip no listed entry accounts for. */
export interface Gap {
  /** The entry just before the gap (undefined: the gap starts the zip). */
  after: number | undefined;
  /** Start of the gap by the smallest end of the entry before it. */
  from: number;
  to: number;
}

/**
 * Stretches before, between and after the listed entries (up to the central directory) long enough
 * to hold a local header: where entries the directory does not list can hide.
 */
export function suspiciousGaps(spans: readonly EntrySpan[], directoryStart: number): Gap[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const gaps: Gap[] = [];
  let from = 0;
  let after: number | undefined;
  for (const span of [...sorted, { index: -1, start: directoryStart, end: directoryStart }]) {
    // Spans leave out local extra fields and data descriptors, so ordinary zips have gaps too; only
    // a gap that could hold a header and a one-byte name is looked at (one small read).
    if (span.start - from > LOCAL_HEADER_BYTES) {
      gaps.push({ after, from, to: span.start });
    }
    if (span.end > from) {
      from = span.end;
      after = span.index;
    }
  }
  return gaps;
}

/** A local file header: what a streaming reader sees. */
export interface LocalHeader {
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  name: Buffer;
  /** The extra field area (may be cut short when `bytes` was). */
  extra: Buffer;
  /** Offset of the data, relative to the header. */
  dataOffset: number;
}

export function parseLocalHeader(bytes: Buffer): LocalHeader | undefined {
  if (bytes.length < LOCAL_HEADER_BYTES || bytes.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) return undefined;
  const nameLength = bytes.readUInt16LE(26);
  const extraLength = bytes.readUInt16LE(28);
  if (bytes.length < LOCAL_HEADER_BYTES + nameLength) return undefined;
  return {
    flags: bytes.readUInt16LE(6),
    method: bytes.readUInt16LE(8),
    crc: bytes.readUInt32LE(14),
    compressedSize: bytes.readUInt32LE(18),
    uncompressedSize: bytes.readUInt32LE(22),
    name: bytes.subarray(LOCAL_HEADER_BYTES, LOCAL_HEADER_BYTES + nameLength),
    extra: bytes.subarray(LOCAL_HEADER_BYTES + nameLength, LOCAL_HEADER_BYTES + nameLength + extraLength),
    dataOffset: LOCAL_HEADER_BYTES + nameLength + extraLength,
  };
}
