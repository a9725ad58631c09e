import { createHmac, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { describeError, errorCode } from '../util/errors.js';

/**
 * The per-user key that authenticates cache files. A cache file is the auditor's record of what an
 * audited tree held; whoever can forge one can make an agency copy replay as clean. A checksum
 * anyone can recompute does not stop that, so every cache file carries an HMAC under 32 random
 * bytes kept in `cache-key` in the cache directory: created 0600 by the user who audits, read only
 * when it is still exactly that (a regular file, not a symbolic link, owned by this user, with no
 * group or other permission bits) in a directory only this user can write. Anything else turns the
 * cache off with a notice: an audit without a cache is slower, never wrong.
 */
export const KEY_FILE = 'cache-key';
const KEY_BYTES = 32;

export type CacheKeyOutcome = { kind: 'ok'; key: Buffer } | { kind: 'refused'; problem: string };

/** The keys a cache file is written and checked with. */
export interface CacheKeys {
  /** HMAC-SHA256 key over the whole file. */
  mac: Buffer;
  /** AES-256-GCM key for the body. */
  seal: Buffer;
}

/**
 * The user's cache key for `dir`, creating the directory (0700) and the key when missing. Never
 * throws: a directory or key that cannot be trusted or made is `refused`, with a one-line reason.
 */
export async function loadCacheKey(dir: string): Promise<CacheKeyOutcome> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    return { kind: 'refused', problem: `cannot create ${dir} (${codeOf(error)})` };
  }
  const dirProblem = untrusted(await lstat(dir).catch(() => undefined), 0o022, 'a directory');
  if (dirProblem) return { kind: 'refused', problem: `${dir} ${dirProblem}` };
  const file = path.join(dir, KEY_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    const read = await readKey(file);
    if (read !== 'missing') return read;
    const made = await createKey(file);
    if (made) return { kind: 'refused', problem: made };
  }
  return { kind: 'refused', problem: `${file} keeps disappearing` };
}

/**
 * Keys for one audit's cache file. With a plate key the body's seal needs both keys (`plateSeal` is
 * derived from the plate key): a copy of the cache directory, key file included (a backup), still
 * does not spell file names or evidence to anyone without the plate key. Authenticity needs only
 * the user key, so an audit without a plate key is protected too.
 */
export function cacheKeys(userKey: Buffer, plateSeal: Buffer | undefined): CacheKeys {
  const derive = (label: string, extra?: Buffer) => {
    const hmac = createHmac('sha256', userKey).update(label);
    if (extra) hmac.update(extra);
    return hmac.digest();
  };
  return { mac: derive('custody cache mac v2'), seal: derive(plateSeal ? 'custody cache seal v2 with plate key\0' : 'custody cache seal v2', plateSeal) };
}

async function readKey(file: string): Promise<CacheKeyOutcome | 'missing'> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') return 'missing';
    return { kind: 'refused', problem: code === 'ELOOP' ? `${file} is a symbolic link` : `cannot read ${file} (${code})` };
  }
  try {
    const stats = await handle.stat();
    // Readable by others would do as much harm as writable: the key is the only secret.
    const problem = untrusted(stats, 0o077, 'a regular file');
    if (problem) return { kind: 'refused', problem: `${file} ${problem}` };
    if (stats.size !== KEY_BYTES) return { kind: 'refused', problem: `${file} is not a cache key (${stats.size} bytes, expected ${KEY_BYTES})` };
    const key = Buffer.alloc(KEY_BYTES);
    const { bytesRead } = await handle.read(key, 0, KEY_BYTES, 0);
    return bytesRead === KEY_BYTES ? { kind: 'ok', key } : { kind: 'refused', problem: `${file} is truncated` };
  } catch (error) {
    return { kind: 'refused', problem: `cannot read ${file} (${codeOf(error)})` };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a fresh key whole to a private temporary file, then links it into place: the link fails if
 * a key already exists, so two audits starting together end up with one key, and no reader ever
 * sees a key file half written. Returns a problem, or undefined when a key is now in place.
 */
async function createKey(file: string): Promise<string | undefined> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // O_EXCL: never opens an existing file or follows a planted symbolic link.
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      await handle.write(randomBytes(KEY_BYTES));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, file).catch((error: unknown) => {
      if (codeOf(error) !== 'EEXIST') throw error;
    });
    return undefined;
  } catch (error) {
    return `cannot create ${file} (${codeOf(error)})`;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Why a directory or key file cannot be trusted: the wrong kind (a symbolic link included: lstat and
 * O_NOFOLLOW see the link itself), another owner, or any of the `forbidden` mode bits.
 */
function untrusted(
  stats: { uid: number; mode: number; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean } | undefined,
  forbidden: number,
  kind: 'a directory' | 'a regular file',
): string | undefined {
  if (!stats) return 'cannot be examined';
  if (stats.isSymbolicLink()) return 'is a symbolic link';
  if (kind === 'a directory' ? !stats.isDirectory() : !stats.isFile()) return `is not ${kind}`;
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return `is owned by uid ${stats.uid}, not by this user (uid ${uid})`;
  const mode = stats.mode & 0o777;
  if (uid !== undefined && (mode & forbidden) !== 0) {
    return `is ${forbidden === 0o022 ? 'writable' : 'accessible'} by group or others (mode ${mode.toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

const codeOf = (error: unknown): string => errorCode(error) ?? describeError(error);
