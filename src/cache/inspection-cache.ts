import { readdir, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Item } from '../sources/item.js';
import { describeError, errorCode } from '../util/errors.js';
import { VERSION } from '../version.js';
import { type CacheKeys, cacheKeys, loadCacheKey } from './cache-key.js';
import { type CachedEntry, decodeEntry, encodeEntry } from './entry.js';
import { CACHE_FORMAT, CacheTooLarge, readCacheFile, writeCacheFile } from './file.js';
import type { CacheIdentity } from './key.js';
import { type FileStamp, MalformedRecords, RecordIndex, RecordWriter, readRecord, recordBytes, sameStamp } from './records.js';

/** How an audit uses the re-audit cache. */
export interface CacheOptions {
  /**
   * Directory of cache files; created (mode 0700) when missing. Never inside an audited tree. It must
   * be this user's, not a symbolic link and not writable by others, or the audit keeps no cache
   * (see cache-key.ts, which keeps the key that authenticates every cache file here).
   */
  dir: string;
  /**
   * An entry is stored only when the file's mtime and ctime are at least this much older than the
   * audit's start (default 2000 ms): a file changed within the same timestamp tick as its
   * inspection could change again without a visible stamp change (git's "racily clean" problem;
   * 2 s also covers FAT's mtime resolution and small clock differences).
   */
  racyWindowMs?: number;
  /** One line for the user (a cache rebuilt, a cache not written). Never part of the report. */
  notice?: (message: string) => void;
  /** Called once the cache is saved (or left alone), with what it did. */
  onDone?: (stats: Readonly<CacheStats>) => void;
}

/** What the cache did in one audit (for the progress line and a stderr summary, never the report). */
export interface CacheStats {
  file: string;
  /** Files replayed from the cache. */
  hits: number;
  /** Files inspected (not in the cache, or changed). */
  misses: number;
  /** Inspected files left out of the cache: racy stamps, or conclusions that may be transient. */
  notStored: number;
  /** Entries of the previous file no longer seen (deleted, changed or outside this run). */
  dropped: number;
  /** Bytes the replayed files took to inspect when they were inspected. */
  bytesRecalled: number;
  written: boolean;
}

const DEFAULT_RACY_WINDOW_MS = 2000;
/** Distinct plain entries decoded once each (media types times capture-date-less facts: a few dozen at most). */
const PLAIN_KINDS = 256;
/** Cache files not used for this long are deleted when another audit writes the directory. */
const UNUSED_DAYS = 30;
/** An audit's cache file, or a verified fingerprint set's (fingerprint-cache.ts). */
const CACHE_FILE = /^(audit-[0-9a-f]{16}-[0-9a-f]{16}\.cache|fingerprints-[0-9a-f]{16}\.verified)$/;
const TEMP_FILE = /^(audit-[0-9a-f]{16}-[0-9a-f]{16}\.cache|fingerprints-[0-9a-f]{16}\.verified|cache-key)\.\d+\.[0-9a-f]{12}\.tmp$/;

/**
 * One audit's view of its cache file: recalls entries whose stamp (device, inode, size, mtime and
 * ctime in nanoseconds) is unchanged, remembers new ones, and writes the next file with exactly the
 * entries this audit saw.
 */
export class InspectionCache {
  readonly stats: CacheStats;
  private readonly kept: number[] = [];
  private readonly fresh = new RecordWriter();
  private readonly racyBefore: bigint;
  private readonly plain = new Map<string, CachedEntry>();

  private constructor(
    private readonly options: CacheOptions,
    private readonly identity: CacheIdentity,
    private readonly keys: CacheKeys,
    private readonly index: RecordIndex | undefined,
    private readonly rebuilding: boolean,
    startedAtMs: number,
  ) {
    this.stats = { file: path.join(options.dir, identity.fileName), hits: 0, misses: 0, notStored: 0, dropped: 0, bytesRecalled: 0, written: false };
    this.racyBefore = BigInt(Math.floor(startedAtMs - (options.racyWindowMs ?? DEFAULT_RACY_WINDOW_MS))) * 1_000_000n;
  }

  /**
   * Loads the audit's cache file; a missing one is empty, a bad one is reported once and rebuilt.
   * Undefined (the audit runs without a cache, after one notice) when the directory or the user's
   * cache key cannot be trusted or made (see cache-key.ts). `plateSeal` comes from the plate key.
   */
  static async open(options: CacheOptions, identity: CacheIdentity, plateSeal: Buffer | undefined, startedAtMs: number): Promise<InspectionCache | undefined> {
    const userKey = await loadCacheKey(options.dir);
    if (userKey.kind === 'refused') {
      options.notice?.(`cache off: ${userKey.problem}; this audit inspects every file and keeps no cache`);
      return undefined;
    }
    const keys = cacheKeys(userKey.key, plateSeal);
    const file = path.join(options.dir, identity.fileName);
    const outcome = await readCacheFile(file, { key: identity.key, custody: VERSION }, keys);
    let index: RecordIndex | undefined;
    let problem = outcome.kind === 'bad' ? outcome.problem : undefined;
    if (outcome.kind === 'ok') {
      try {
        index = new RecordIndex(outcome.body);
        if (index.count !== outcome.header.entries) problem = `is corrupt (${index.count} entries, header says ${outcome.header.entries})`;
      } catch (error) {
        if (!(error instanceof MalformedRecords)) throw error;
        problem = `is corrupt (${error.message})`;
      }
      if (problem) index = undefined;
    }
    if (problem) options.notice?.(`cache ${file} ${problem}; rebuilding it`);
    return new InspectionCache(options, identity, keys, index, problem !== undefined, startedAtMs);
  }

  /** The stored conclusion for a file on disk whose stamp is unchanged, or undefined (a miss). */
  recall(item: Item): CachedEntry | undefined {
    const stamp = this.index ? stampOf(item) : undefined;
    const offset = stamp && this.index ? this.index.find(Buffer.from(item.location)) : -1;
    if (offset < 0 || !stamp) return this.miss();
    const record = readRecord(this.index!.body, offset);
    if (!sameStamp(record.stamp, stamp)) return this.miss();
    // The file's MAC verified, so only a record this build cannot read (or a leaked key) lands here.
    const entry = this.decode(record.json, record.bytesRead);
    if (!entry) return this.miss();
    this.kept.push(offset);
    this.stats.hits++;
    this.stats.bytesRecalled += record.bytesRead;
    return entry;
  }

  /** Stores what inspecting `item` concluded, unless its stamp is racy or the conclusion may be transient. */
  remember(item: Item, entry: CachedEntry): void {
    const stamp = stampOf(item);
    const json = stamp && !this.isRacy(stamp) ? encodeEntry(entry) : undefined;
    if (!stamp || json === undefined) {
      this.stats.notStored++;
      return;
    }
    this.fresh.add(item.location, stamp, entry.bytesRead, json);
  }

  /**
   * Writes the next cache file: the entries recalled (copied as stored) and those remembered. Left
   * alone (only its time touched, for pruning) when nothing changed. Failures are notices.
   */
  async save(): Promise<void> {
    const file = this.stats.file;
    this.stats.dropped = (this.index?.count ?? 0) - this.kept.length;
    const unchanged = this.index !== undefined && !this.rebuilding && this.fresh.count === 0 && this.stats.dropped === 0;
    try {
      if (unchanged) {
        const now = new Date();
        await utimes(file, now, now);
      } else {
        const body = this.index?.body;
        const segments = function* (kept: readonly number[], fresh: Buffer): Generator<Buffer> {
          for (const offset of kept) yield recordBytes(body!, offset);
          yield fresh;
        };
        let bodyBytes = this.fresh.length;
        for (const offset of this.kept) bodyBytes += recordBytes(body!, offset).length;
        const header = { format: CACHE_FORMAT, custody: VERSION, key: this.identity.key, entries: this.kept.length + this.fresh.count };
        await writeCacheFile(file, header, segments(this.kept, this.fresh.bytes()), bodyBytes, this.keys);
        this.stats.written = true;
      }
    } catch (error) {
      const why = error instanceof CacheTooLarge ? error.message : (errorCode(error) ?? describeError(error));
      this.options.notice?.(`cache ${file} not written (${why}); the next audit inspects everything again`);
    }
    await pruneUnused(this.options.dir, path.basename(file));
    this.options.onDone?.(this.stats);
  }

  /**
   * decodeEntry, once per distinct text of a plain entry (nothing identified, covered or expanded):
   * most files of a tree share a handful of those (`{"m":"jpeg","f":{"media":"jpeg"}}`), and
   * decoding validates every field. The shared parts are frozen: nothing may change a recalled conclusion.
   */
  private decode(json: string, bytesRead: number): CachedEntry | undefined {
    const known = this.plain.get(json);
    if (known) return { ...known, bytesRead };
    const entry = decodeEntry(json, bytesRead);
    if (entry && entry.identifications.length === 0 && entry.coverage.length === 0 && !entry.expansion && this.plain.size < PLAIN_KINDS) {
      for (const part of [entry.identifications, entry.facts, entry.coverage]) Object.freeze(part);
      this.plain.set(json, entry);
    }
    return entry;
  }

  private miss(): undefined {
    this.stats.misses++;
    return undefined;
  }

  private isRacy(stamp: FileStamp): boolean {
    return stamp.mtimeNs >= this.racyBefore || stamp.ctimeNs >= this.racyBefore;
  }
}

function stampOf(item: Item): FileStamp | undefined {
  const stat = item.stat;
  // Spelled out rather than spread: this runs for every file on disk.
  return item.origin === 'filesystem' && stat ? { dev: stat.dev, ino: stat.ino, size: item.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs } : undefined;
}

/** Deletes cache files unused for {@link UNUSED_DAYS} days and temporary files a crashed writer left (a day old). */
async function pruneUnused(dir: string, keep: string): Promise<void> {
  const now = Date.now();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // Nothing to prune where nothing could be written; save() already said so.
  }
  for (const name of names) {
    const maxAgeMs = CACHE_FILE.test(name) ? UNUSED_DAYS * 86_400_000 : TEMP_FILE.test(name) ? 86_400_000 : undefined;
    if (maxAgeMs === undefined || name === keep) continue;
    const file = path.join(dir, name);
    // Best effort: another audit may be pruning or writing the same directory at the same moment.
    await stat(file)
      .then((s) => (now - s.mtimeMs > maxAgeMs ? rm(file, { force: true }) : undefined))
      .catch(() => undefined);
  }
}
