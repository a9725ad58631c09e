import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { canonicalJson } from '../util/canonical-json.js';
import { describeError, errorCode, InputError } from '../util/errors.js';
import { specialKind } from '../util/file-kind.js';
import { checkColumns } from './store-check.js';
import {
  elementsOf,
  padding,
  SECTIONS,
  STORE_MAGIC,
  STORE_VERSION,
  type StoreColumns,
  type StoreFooter,
  StoreFooterSchema,
  TRAILER_BYTES,
} from './store-format.js';

/** A verified store: its footer and its columns over one shared buffer. */
export interface LoadedStore {
  footer: StoreFooter;
  columns: StoreColumns;
}

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);
const READ_CHUNK = 8 * 1024 * 1024;
const MIB = 2 ** 20;

/** Whether a file is a fingerprint store (by its first or last 8 bytes); false for anything unreadable. */
export async function isStore(file: string): Promise<boolean> {
  const handle = await open(file, FLAGS).catch(() => undefined);
  if (!handle) return false;
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size < STORE_MAGIC.length) return false;
    const head = Buffer.alloc(STORE_MAGIC.length);
    const tail = Buffer.alloc(STORE_MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    await handle.read(tail, 0, tail.length, stats.size - tail.length);
    return head.equals(STORE_MAGIC) || tail.equals(STORE_MAGIC);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a store into one SharedArrayBuffer, hashing it as it is read (no second copy), and checks
 * it whole before anything trusts it: trailer, footer checksum, content digest, section bounds and
 * every index in range. Any problem is an InputError of one line naming the file.
 */
export async function readStore(file: string): Promise<LoadedStore> {
  const refuse = (detail: string): never => {
    throw new InputError(file, detail);
  };
  const handle = await open(file, FLAGS).catch((error: unknown) => refuse(`cannot read fingerprint store (${errorCode(error) ?? describeError(error)})`));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) refuse(`fingerprint store is a ${specialKind(stats) ?? 'special file'}, not a regular file`);
    const size = stats.size;
    if (size < STORE_MAGIC.length + TRAILER_BYTES) refuse(`truncated fingerprint store: ${size} bytes, shorter than its head and trailer`);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    await readFully(handle, trailer, size - TRAILER_BYTES, refuse);
    const footerOffset = checkTrailer(trailer, size, refuse);
    let buffer: SharedArrayBuffer;
    let bytes: Buffer;
    try {
      buffer = new SharedArrayBuffer(size);
      bytes = Buffer.from(buffer);
    } catch {
      // Out of memory, or past the largest buffer this Node.js makes (4 GiB on Node 20).
      return refuse(`fingerprint store of ${Math.ceil(size / MIB)} MiB does not fit in one buffer of this process`);
    }
    const content = createHash('sha256');
    const footerHash = createHash('sha256');
    const footerEnd = size - TRAILER_BYTES;
    for (let at = 0; at < footerEnd; ) {
      const end = Math.min(footerEnd, at + READ_CHUNK, at < footerOffset ? footerOffset : footerEnd);
      await readFully(handle, bytes.subarray(at, end), at, refuse);
      (at < footerOffset ? content : footerHash).update(bytes.subarray(at, end));
      at = end;
    }
    if (!bytes.subarray(0, STORE_MAGIC.length).equals(STORE_MAGIC)) refuse('not a fingerprint store: wrong magic at the start (damaged)');
    if (!footerHash.digest().equals(trailer.subarray(16, 48))) refuse('fingerprint store footer does not match its checksum (edited or corrupted)');
    const footer = parseFooter(bytes.subarray(footerOffset, footerEnd), trailer.readUInt32LE(8), refuse);
    const { createdAt: _createdAt, digest: _digest, ...body } = footer;
    if (`sha256:${content.update(canonicalJson(body)).digest('hex')}` !== footer.digest)
      refuse('fingerprint store digest does not match its content (edited or corrupted)');
    const columns = columnsOf(buffer, footer, footerOffset, refuse);
    checkColumns(columns, footer, refuse);
    return { footer, columns };
  } finally {
    await handle.close();
  }
}

/** The footer's offset, once the trailer is found sound for a file of `size` bytes. */
function checkTrailer(trailer: Buffer, size: number, refuse: (detail: string) => never): number {
  if (!trailer.subarray(48).equals(STORE_MAGIC)) refuse('truncated or damaged fingerprint store: no trailer at its end');
  const version = trailer.readUInt32LE(12);
  if (version > STORE_VERSION) refuse(`fingerprint store format version ${version} is newer than this custody reads (${STORE_VERSION}); use a newer custody`);
  if (version !== STORE_VERSION) refuse(`fingerprint store format version ${version} is not one custody reads (${STORE_VERSION})`);
  const offset = trailer.readBigUInt64LE(0);
  const length = trailer.readUInt32LE(8);
  const footerEnd = BigInt(size - TRAILER_BYTES);
  if (offset < BigInt(STORE_MAGIC.length) || offset % 8n !== 0n || offset + BigInt(length + padding(length)) !== footerEnd)
    refuse(`fingerprint store trailer points outside the file (footer at ${offset}, ${length} bytes; file of ${size} bytes)`);
  return Number(offset);
}

function parseFooter(region: Buffer, length: number, refuse: (detail: string) => never): StoreFooter {
  if (region.subarray(length).some((b) => b !== 0)) refuse('fingerprint store footer padding is not zero (damaged)');
  let data: unknown;
  try {
    data = JSON.parse(region.subarray(0, length).toString('utf8'));
  } catch (error) {
    return refuse(`fingerprint store footer is not valid JSON: ${describeError(error)}`);
  }
  const parsed = StoreFooterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    return refuse(`fingerprint store footer is not valid: ${where}${issue.message}`);
  }
  return parsed.data;
}

function columnsOf(buffer: SharedArrayBuffer, footer: StoreFooter, footerOffset: number, refuse: (detail: string) => never): StoreColumns {
  const view = <T>(name: keyof typeof SECTIONS, make: (offset: number, elements: number) => T): T => {
    const { offset, length } = footer.sections[name];
    const elements = elementsOf(name, footer.counts);
    if (offset < STORE_MAGIC.length || offset % 8 !== 0 || offset + length > footerOffset || length !== elements * SECTIONS[name].bytes)
      refuse(`fingerprint store section ${name} is out of bounds (${length} bytes at ${offset}; ${elements} elements expected)`);
    return make(offset, length / SECTIONS[name].bytes);
  };
  const bytes = (offset: number, n: number) => new Uint8Array(buffer, offset, n);
  const u16 = (offset: number, n: number) => new Uint16Array(buffer, offset, n);
  const u32 = (offset: number, n: number) => new Uint32Array(buffer, offset, n);
  const f64 = (offset: number, n: number) => new Float64Array(buffer, offset, n);
  const blocks = (size: number) => (offset: number, n: number) => new Uint8Array(buffer, offset, n * size);
  return {
    idOffsets: view('idOffsets', u32),
    idBytes: view('idBytes', bytes),
    classes: view('classes', u16),
    sizes: view('sizes', f64),
    sha256: view('sha256', blocks(32)),
    md5: view('md5', blocks(16)),
    media: view('media', u16),
    capturedAt: view('capturedAt', f64),
    viewStart: view('viewStart', u32),
    viewHash: view('viewHash', blocks(32)),
    viewReference: view('viewReference', u32),
    viewQuality: view('viewQuality', bytes),
    viewVariant: view('viewVariant', u16),
    plateDigests: view('plateDigests', blocks(32)),
  };
}

async function readFully(handle: FileHandle, into: Uint8Array, position: number, refuse: (detail: string) => never): Promise<void> {
  for (let done = 0; done < into.length; ) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) refuse('fingerprint store was truncated while it was read');
    done += bytesRead;
  }
}
