/**
 * The binary records of a cache file's body, and a compact index over them. A million entries must
 * not cost a million JavaScript objects: the body stays one Buffer, the index is two typed arrays
 * (open addressing on a 32-bit hash of the location's bytes), and a record is decoded only when
 * its file is met again with the same stamp.
 *
 * Record: u32 length of what follows | u32 location length | location (UTF-8) | u64 dev | u64 ino |
 * f64 size | i64 mtime ns | i64 ctime ns | f64 bytes read | JSON of the entry (the rest).
 */

/** The stat fields that must all be unchanged for a stored entry to stand for the file. */
export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

const FIXED = 8 + 8 + 8 + 8 + 8 + 8;

/** Thrown while indexing a body whose records do not add up (the caller rebuilds the cache). */
export class MalformedRecords extends Error {}

/** FNV-1a over bytes: cheap, and a collision only costs one extra comparison. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Where each record of a body is, by location. */
export class RecordIndex {
  readonly count: number;
  private readonly hashes: Uint32Array;
  /** Record offset + 1; 0 marks an empty slot. */
  private readonly slots: Float64Array;
  private readonly mask: number;

  constructor(readonly body: Buffer) {
    const offsets: number[] = [];
    for (let at = 0; at < body.length; ) {
      if (at + 8 > body.length) throw new MalformedRecords('record header past the end');
      const length = body.readUInt32LE(at);
      const locationLength = body.readUInt32LE(at + 4);
      if (length < 4 + locationLength + FIXED || at + 4 + length > body.length) throw new MalformedRecords('record length out of bounds');
      offsets.push(at);
      at += 4 + length;
    }
    this.count = offsets.length;
    let size = 16;
    while (size < offsets.length * 2) size *= 2;
    this.mask = size - 1;
    this.hashes = new Uint32Array(size);
    this.slots = new Float64Array(size);
    for (const offset of offsets) {
      const { start, end } = locationSpan(body, offset);
      const hash = hashBytes(body, start, end);
      let slot = hash & this.mask;
      while (this.slots[slot] !== 0) {
        if (this.hashes[slot] === hash && sameLocation(body, this.slots[slot]! - 1, body.subarray(start, end)))
          throw new MalformedRecords('location stored twice');
        slot = (slot + 1) & this.mask;
      }
      this.hashes[slot] = hash;
      this.slots[slot] = offset + 1;
    }
  }

  /** Offset of the record for `location` (UTF-8 bytes), or -1. */
  find(location: Buffer): number {
    const hash = hashBytes(location, 0, location.length);
    for (let slot = hash & this.mask; this.slots[slot] !== 0; slot = (slot + 1) & this.mask) {
      const offset = this.slots[slot]! - 1;
      if (this.hashes[slot] === hash && sameLocation(this.body, offset, location)) return offset;
    }
    return -1;
  }
}

function locationSpan(body: Buffer, offset: number): { start: number; end: number } {
  const start = offset + 8;
  return { start, end: start + body.readUInt32LE(offset + 4) };
}

function sameLocation(body: Buffer, offset: number, location: Buffer): boolean {
  const { start, end } = locationSpan(body, offset);
  return end - start === location.length && body.compare(location, 0, location.length, start, end) === 0;
}

/** The whole record at `offset`, as stored (for carrying it unchanged into the next file). */
export function recordBytes(body: Buffer, offset: number): Buffer {
  return body.subarray(offset, offset + 4 + body.readUInt32LE(offset));
}

/** The stamp and payload of the record at `offset`. */
export function readRecord(body: Buffer, offset: number): { stamp: FileStamp; bytesRead: number; json: string } {
  const { end } = locationSpan(body, offset);
  const stamp: FileStamp = {
    dev: body.readBigUInt64LE(end),
    ino: body.readBigUInt64LE(end + 8),
    size: body.readDoubleLE(end + 16),
    mtimeNs: body.readBigInt64LE(end + 24),
    ctimeNs: body.readBigInt64LE(end + 32),
  };
  const bytesRead = body.readDoubleLE(end + 40);
  return { stamp, bytesRead, json: body.toString('utf8', end + FIXED, offset + 4 + body.readUInt32LE(offset)) };
}

export const sameStamp = (a: FileStamp, b: FileStamp): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

/** Appends encoded records to one growing buffer (no object per record). */
export class RecordWriter {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  /**
   * The same bytes seen as a DataView: its setBigUint64 is built into V8, where Buffer's
   * writeBigUInt64LE splits the value with BigInt arithmetic in JavaScript (a cold audit writes one
   * record per file on disk, four 64-bit values each).
   */
  private view = viewOf(this.buffer);
  length = 0;
  count = 0;

  /** Appends a record; `location` is written as UTF-8 (the bytes `RecordIndex.find` looks up). */
  add(location: string, stamp: FileStamp, bytesRead: number, json: string): void {
    const locationLength = Buffer.byteLength(location);
    const jsonLength = Buffer.byteLength(json);
    const length = 4 + locationLength + FIXED + jsonLength;
    this.reserve(4 + length);
    const view = this.view;
    let at = this.length;
    view.setUint32(at, length, true);
    view.setUint32(at + 4, locationLength, true);
    at += 8 + this.buffer.write(location, at + 8, locationLength, 'utf8');
    view.setBigUint64(at, stamp.dev, true);
    view.setBigUint64(at + 8, stamp.ino, true);
    view.setFloat64(at + 16, stamp.size, true);
    view.setBigInt64(at + 24, stamp.mtimeNs, true);
    view.setBigInt64(at + 32, stamp.ctimeNs, true);
    view.setFloat64(at + 40, bytesRead, true);
    at += FIXED;
    at += this.buffer.write(json, at, jsonLength, 'utf8');
    this.length = at;
    this.count++;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + more) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    this.view = viewOf(grown);
  }
}

const viewOf = (buffer: Buffer): DataView => new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
