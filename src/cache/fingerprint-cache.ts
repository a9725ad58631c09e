import { createHash } from 'node:crypto';
import { lstat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedFingerprints } from '../references/index-set.js';
import { loadedSet, loadFingerprintFile, parseFingerprintJson, readFingerprintBytes, readFingerprintBytesSync } from '../references/load.js';
import type { FingerprintSet } from '../references/schema.js';
import type { ReadStoreOptions } from '../references/store-read.js';
import { describeError, errorCode, InputError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { type CacheKeys, cacheKeys, loadCacheKey } from './cache-key.js';
import { CACHE_FORMAT, readCacheFile, writeCacheFile } from './file.js';
import { decodeColumns, encodeColumns } from './fingerprint-columns.js';
import type { CacheOptions } from './inspection-cache.js';
import { codeDigest } from './key.js';

/**
 * A v1 JSON fingerprint file is checked in full on every load: parsed, validated field by field and
 * its canonical-JSON digest recomputed. On the benchmark's 548 KB set that is ~110 ms of a warm
 * re-audit's ~850 ms of CPU, and it grows with the set. What the check concludes depends only on
 * the file's bytes, so the re-audit cache keeps its outcome (the set's columns) under the SHA-256
 * of those bytes, in a cache file authenticated like the inspection cache's (file.ts, under the
 * user's cache key), `fingerprints-<16 hex digits of that digest>.verified`: the next audit reads
 * the bytes, hashes them (~1 ms) and takes the columns.
 *
 * Keyed by content, not by the file's stat: an edited fingerprint file has other bytes, so it gets
 * the full check again (and its digest refusal), however its times were set. Someone who can write
 * the cache directory without the user's cache key can only make the entry fail its MAC (it is
 * then rebuilt); someone holding the key can already forge the inspection cache's conclusions.
 */

/**
 * A loader for `loadFingerprints` (its `loadFile`) that reuses what the cache in `options.dir` kept
 * of v1 JSON files whose bytes were verified before, and keeps what it verifies afresh. Stores are
 * loaded as always (their check is a hash over the file). Without a usable cache key it loads as
 * always; the inspection cache's notice says why.
 */
export function cachedFingerprintLoader(options: CacheOptions): (file: string, read: ReadStoreOptions) => Promise<LoadedFingerprints> {
  let keys: Promise<CacheKeys | undefined> | undefined;
  const userKeys = () => {
    keys ??= loadCacheKey(options.dir).then((outcome) => (outcome.kind === 'ok' ? cacheKeys(outcome.key, undefined) : undefined));
    return keys;
  };
  return (file, read) => loadFingerprintFile(file, read, (json) => loadJsonCached(json, options, userKeys));
}

async function loadJsonCached(file: string, options: CacheOptions, userKeys: () => Promise<CacheKeys | undefined>): Promise<LoadedFingerprints> {
  const bytes = await readFingerprintBytes(file);
  const content = createHash('sha256').update(bytes).digest('hex');
  const cacheFile = path.join(options.dir, `fingerprints-${content.slice(0, 16)}.verified`);
  const expected = {
    key: createHash('sha256')
      .update(`custody verified fingerprints\0${await codeDigest()}\0${content}`)
      .digest('hex'),
    custody: VERSION,
  };
  // The user's key (and the cache directory, made when missing) only once there is an entry to
  // read, or a set verified to keep: a fingerprint file that fails its check creates nothing.
  const keys = (await lstat(cacheFile).then(
    () => true,
    () => false,
  ))
    ? await userKeys()
    : undefined;
  if (keys) {
    const outcome = await readCacheFile(cacheFile, expected, keys);
    const decoded = outcome.kind === 'ok' ? decodeColumns(outcome.body) : undefined;
    if (decoded) {
      // Touched so that pruning (inspection-cache.ts) keeps a cache file still in use.
      const now = new Date();
      await utimes(cacheFile, now, now).catch(() => undefined);
      return withFileOnDemand(file, decoded);
    }
    if (outcome.kind !== 'missing') options.notice?.(`cache ${cacheFile} ${outcome.kind === 'bad' ? outcome.problem : 'does not decode'}; rebuilding it`);
  }
  const loaded = loadedSet(file, parseFingerprintJson(file, bytes));
  const writeKeys = keys ?? (await userKeys());
  if (!writeKeys) return loaded;
  const body = encodeColumns(loaded);
  try {
    await writeCacheFile(cacheFile, { format: CACHE_FORMAT, custody: VERSION, key: expected.key, entries: 1 }, body, byteLength(body), writeKeys);
  } catch (error) {
    options.notice?.(`cache ${cacheFile} not written (${errorCode(error) ?? describeError(error)}); the next audit checks ${file} in full again`);
  }
  return loaded;
}

const byteLength = (segments: readonly Buffer[]): number => segments.reduce((sum, s) => sum + s.length, 0);

/**
 * A set taken from the cache: its columns, and its objects read from the file again on demand
 * (an audit never asks; a command that does gets the file checked in full, and refused if it no
 * longer holds what was verified).
 */
function withFileOnDemand(file: string, decoded: Omit<LoadedFingerprints, 'path' | 'file'>): LoadedFingerprints {
  let set: FingerprintSet | undefined;
  return {
    path: file,
    ...decoded,
    get file() {
      if (set) return set;
      const parsed = parseFingerprintJson(file, readFingerprintBytesSync(file));
      if (parsed.digest !== decoded.digest) throw new InputError(file, 'fingerprint file changed after it was loaded and verified');
      set = parsed;
      return set;
    },
  };
}
