import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * One cache file: a magic line, a JSON header line, the body (records, see records.ts; sealed with
 * AES-256-GCM when the audit has a plate key), and a trailer of the GCM tag (zeros when unsealed)
 * and a SHA-256 over everything before it. A file that is short, foreign, of another format or
 * version, or whose digest or tag does not verify, is never used: the caller rebuilds it.
 */
export const CACHE_FORMAT = 1;
const MAGIC = Buffer.from('custody inspection cache\n');
const TAG_BYTES = 16;
const TRAILER_BYTES = TAG_BYTES + 32;
const BATCH_BYTES = 1 << 20;

/** The header line of a cache file. */
export interface CacheHeader {
  format: number;
  custody: string;
  /** Digest of the settings and inputs the entries are valid for. */
  key: string;
  entries: number;
  /** Set when the body is sealed: the GCM nonce, hex. */
  iv?: string;
}

export type ReadOutcome = { kind: 'missing' } | { kind: 'bad'; problem: string } | { kind: 'ok'; header: CacheHeader; body: Buffer };

/** Reads and verifies a cache file. Never throws for what is in the file; a read error other than "absent" is `bad`. */
export async function readCacheFile(file: string, expected: { key: string; custody: string }, sealKey: Buffer | undefined): Promise<ReadOutcome> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'bad', problem: `cannot be read (${code ?? String(error)})` };
  }
  if (data.length < MAGIC.length || !data.subarray(0, MAGIC.length).equals(MAGIC)) return { kind: 'bad', problem: 'is not a custody cache file' };
  const newline = data.indexOf(0x0a, MAGIC.length);
  if (newline < 0 || data.length < newline + 1 + TRAILER_BYTES) return { kind: 'bad', problem: 'is truncated' };
  const end = data.length - TRAILER_BYTES;
  const digest = createHash('sha256').update(data.subarray(0, end)).digest();
  if (!digest.equals(data.subarray(end + TAG_BYTES))) return { kind: 'bad', problem: 'is corrupt (checksum mismatch)' };
  let header: CacheHeader;
  try {
    header = JSON.parse(data.toString('utf8', MAGIC.length, newline)) as CacheHeader;
  } catch {
    return { kind: 'bad', problem: 'has an unreadable header' };
  }
  if (header.format !== CACHE_FORMAT) return { kind: 'bad', problem: `is in cache format ${String(header.format)} (this custody uses ${CACHE_FORMAT})` };
  if (header.custody !== expected.custody) return { kind: 'bad', problem: `was written by custody ${String(header.custody)}` };
  if (header.key !== expected.key) return { kind: 'bad', problem: 'was written for other settings' };
  const stored = data.subarray(newline + 1, end);
  if (!sealKey) return header.iv === undefined ? { kind: 'ok', header, body: stored } : { kind: 'bad', problem: 'is sealed but no plate key is given' };
  if (header.iv === undefined) return { kind: 'bad', problem: 'should be sealed but is not' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(header.iv, 'hex'));
    decipher.setAuthTag(data.subarray(end, end + TAG_BYTES));
    return { kind: 'ok', header, body: Buffer.concat([decipher.update(stored), decipher.final()]) };
  } catch {
    return { kind: 'bad', problem: 'cannot be unsealed with this plate key' };
  }
}

/**
 * Writes a cache file atomically: a private temporary file in the same directory, then a rename, so
 * a reader (another audit sharing the directory) sees the old file or the new one, never a mix.
 * Two writers: the last rename wins, and either file is whole.
 */
export async function writeCacheFile(file: string, header: Omit<CacheHeader, 'iv'>, segments: Iterable<Buffer>, sealKey: Buffer | undefined): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const iv = sealKey ? randomBytes(12) : undefined;
  const cipher = sealKey && iv ? createCipheriv('aes-256-gcm', sealKey, iv) : undefined;
  const hash = createHash('sha256');
  const handle = await open(temp, 'wx', 0o600);
  try {
    let batch: Buffer[] = [];
    let batched = 0;
    const emit = async (bytes: Buffer, force = false): Promise<void> => {
      if (bytes.length > 0) {
        hash.update(bytes);
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
    await emit(Buffer.from(`${JSON.stringify({ ...header, ...(iv ? { iv: iv.toString('hex') } : {}) })}\n`));
    for (const segment of segments) await emit(cipher ? cipher.update(segment) : segment);
    if (cipher) await emit(cipher.final());
    await emit(Buffer.alloc(0), true);
    // The digest covers everything before the trailer; the tag authenticates the sealed body itself.
    await handle.write(Buffer.concat([cipher ? cipher.getAuthTag() : Buffer.alloc(TAG_BYTES), hash.digest()]));
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
