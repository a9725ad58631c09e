import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { describeError, errorCode } from '../util/errors.js';
import type { CacheKeys } from './cache-key.js';

/**
 * One cache file: a magic line, a JSON header line, the body (records, see records.ts) sealed with
 * AES-256-GCM, the GCM tag, and an HMAC-SHA256 under the user's cache key (cache-key.ts) over
 * everything before it. A file that is short, foreign, of another format or version, too large,
 * writable by others, or whose MAC or tag does not verify, is never used, not even in part: the
 * caller rebuilds it.
 */
export const CACHE_FORMAT = 2;
/**
 * The largest cache file read or written: 256 MiB, about 1.3 million files at the ~190 bytes an
 * entry takes on the benchmark tree. The body is held in memory while an audit runs, so a larger
 * (or sparse, or planted) file is discarded unread rather than loaded whole.
 */
export const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const MAGIC = Buffer.from('custody inspection cache\n');
const MAX_HEADER_BYTES = 4096;
const TAG_BYTES = 16;
const MAC_BYTES = 32;
const TRAILER_BYTES = TAG_BYTES + MAC_BYTES;
const BATCH_BYTES = 1 << 20;

/** The header line of a cache file. */
export interface CacheHeader {
  format: number;
  custody: string;
  /** Digest of the settings and inputs the entries are valid for. */
  key: string;
  entries: number;
  /** The GCM nonce, hex. */
  iv: string;
}

export type ReadOutcome = { kind: 'missing' } | { kind: 'bad'; problem: string } | { kind: 'ok'; header: CacheHeader; body: Buffer };

/**
 * Reads and verifies a cache file. Never throws for what is in the file; a read error other than
 * "absent" is `bad`. Memory: one buffer of the file's size (at most {@link MAX_CACHE_BYTES}),
 * decrypted in place, so a file is never held twice.
 */
export async function readCacheFile(file: string, expected: { key: string; custody: string }, keys: CacheKeys): Promise<ReadOutcome> {
  const read = await readBounded(file);
  if (read.kind !== 'ok') return read;
  const data = read.data;
  if (data.length < MAGIC.length || !data.subarray(0, MAGIC.length).equals(MAGIC)) return { kind: 'bad', problem: 'is not a custody cache file' };
  const newline = data.subarray(0, MAX_HEADER_BYTES).indexOf(0x0a, MAGIC.length);
  if (newline < 0 || data.length < newline + 1 + TRAILER_BYTES) return { kind: 'bad', problem: 'is truncated' };
  let header: Record<string, unknown>;
  try {
    header = object(JSON.parse(data.toString('utf8', MAGIC.length, newline)));
  } catch {
    return { kind: 'bad', problem: 'has an unreadable header' };
  }
  // Read before the MAC only to word the notice: an older custody's file is "another format", not a
  // forgery. Only a number is echoed: an unauthenticated string could carry terminal escapes.
  const format = header['format'];
  if (format !== CACHE_FORMAT)
    return { kind: 'bad', problem: `is in cache format ${Number.isSafeInteger(format) ? String(format) : '(unknown)'} (this custody uses ${CACHE_FORMAT})` };
  const end = data.length - MAC_BYTES;
  const mac = createHmac('sha256', keys.mac).update(data.subarray(0, end)).digest();
  if (!timingSafeEqual(mac, data.subarray(end))) return { kind: 'bad', problem: 'fails authentication (not written by this user’s custody, or damaged)' };
  if (header['custody'] !== expected.custody) return { kind: 'bad', problem: `was written by custody ${String(header['custody'])}` };
  if (header['key'] !== expected.key) return { kind: 'bad', problem: 'was written for other settings' };
  const entries = header['entries'];
  const iv = header['iv'];
  if (!Number.isSafeInteger(entries) || (entries as number) < 0 || typeof iv !== 'string' || !/^[0-9a-f]{24}$/.test(iv))
    return { kind: 'bad', problem: 'has an unreadable header' };
  const body = data.subarray(newline + 1, end - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.seal, Buffer.from(iv, 'hex'));
    decipher.setAuthTag(data.subarray(end - TAG_BYTES, end));
    for (let at = 0; at < body.length; at += BATCH_BYTES) {
      const chunk = body.subarray(at, Math.min(at + BATCH_BYTES, body.length));
      decipher.update(chunk).copy(chunk);
    }
    decipher.final();
  } catch {
    return { kind: 'bad', problem: 'cannot be unsealed with this key' };
  }
  return { kind: 'ok', header: { format: CACHE_FORMAT, custody: expected.custody, key: expected.key, entries: entries as number, iv }, body };
}

/**
 * The whole file in one buffer, or why not. Opened without following a symbolic link and without
 * blocking on a FIFO; checked on the open descriptor (regular, this user's, not writable by
 * others, at most the cap) before a byte is read.
 */
async function readBounded(file: string): Promise<{ kind: 'ok'; data: Buffer } | Exclude<ReadOutcome, { kind: 'ok' }>> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'bad', problem: code === 'ELOOP' ? 'is a symbolic link' : `cannot be read (${code ?? String(error)})` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { kind: 'bad', problem: 'is not a regular file' };
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) return { kind: 'bad', problem: `is owned by uid ${stats.uid}, not by this user` };
    if (uid !== undefined && (stats.mode & 0o022) !== 0)
      return { kind: 'bad', problem: `is writable by group or others (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})` };
    if (stats.size > MAX_CACHE_BYTES) return { kind: 'bad', problem: `is too large (${mib(stats.size)}, over the ${mib(MAX_CACHE_BYTES)} cap; not read)` };
    const data = Buffer.allocUnsafe(stats.size);
    let filled = 0;
    while (filled < data.length) {
      const { bytesRead } = await handle.read(data, filled, Math.min(BATCH_BYTES, data.length - filled), filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === data.length ? { kind: 'ok', data } : { kind: 'bad', problem: 'is truncated' };
  } catch (error) {
    return { kind: 'bad', problem: `cannot be read (${errorCode(error) ?? describeError(error)})` };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a cache file atomically: a private temporary file in the same directory, then a rename, so
 * a reader (another audit sharing the directory) sees the old file or the new one, never a mix.
 * Two writers: the last rename wins, and either file is whole. `bodyBytes` is the segments' total
 * length, known before writing so that a file over the cap is never started.
 */
export async function writeCacheFile(
  file: string,
  header: Omit<CacheHeader, 'iv'>,
  segments: Iterable<Buffer>,
  bodyBytes: number,
  keys: CacheKeys,
): Promise<void> {
  const iv = randomBytes(12);
  const headerLine = Buffer.from(`${JSON.stringify({ ...header, iv: iv.toString('hex') })}\n`);
  const total = MAGIC.length + headerLine.length + bodyBytes + TRAILER_BYTES;
  if (total > MAX_CACHE_BYTES) throw new CacheTooLarge(`${mib(total)}, over the ${mib(MAX_CACHE_BYTES)} cap`);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, iv);
  const mac = createHmac('sha256', keys.mac);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    let batch: Buffer[] = [];
    let batched = 0;
    const emit = async (bytes: Buffer, force = false): Promise<void> => {
      if (bytes.length > 0) {
        mac.update(bytes);
        batch.push(bytes);
        batched += bytes.length;
      }
      if (batched >= BATCH_BYTES || (force && batched > 0)) {
        await handle.writev(batch);
        batch = [];
        batched = 0;
      }
    };
    await emit(MAGIC);
    await emit(headerLine);
    for (const segment of segments) await emit(cipher.update(segment));
    await emit(cipher.final());
    await emit(cipher.getAuthTag(), true);
    await handle.write(mac.digest());
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** A cache file that would exceed {@link MAX_CACHE_BYTES}: not written. */
export class CacheTooLarge extends Error {}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('header: object expected');
  return value as Record<string, unknown>;
}
