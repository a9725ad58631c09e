import { type Dirent, lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describeError, errorCode } from '../util/errors.js';
import { specialKind } from '../util/file-kind.js';
import { fromWorkingDirectory } from '../util/paths.js';
import { utf8Or } from '../util/utf8.js';
import { checkUnchanged, close, DirectoryChangedError, entryPath, list, type OpenDirectory, openChild, openRoot } from './directories.js';
import { fileContent } from './file-content.js';
import { isGitDirectory } from './git-repository.js';
import { GitDirectories } from './git-walk.js';
import type { SourceEvent } from './item.js';
import { type PathFilter, pathFilter } from './path-filter.js';

/** Options for walking a directory tree. */
export interface WalkOptions {
  /** Patterns (.gitignore rules, relative to the root) of files to include; default everything. */
  include?: readonly string[];
  /** Patterns (.gitignore rules, relative to the root) to leave out; matched directories are not entered. */
  exclude?: readonly string[];
  /**
   * include/exclude compiled once and shared by several walks, so that a pattern matching nothing
   * in any of them can be reported (`PathFilter.unmatched`). Takes the place of include/exclude.
   */
  filter?: PathFilter;
  /** Prefix for locations (used when several roots are audited at once), '/'-separated. */
  locationPrefix?: string;
}

/**
 * Walks `root` depth-first in name order and yields one item per regular file. Symbolic links are
 * never followed (loops, and links out of the audited tree); they and special files (FIFOs, sockets,
 * devices) are recorded in coverage, as are directories and files that cannot be read.
 *
 * Each directory is opened (O_NOFOLLOW) through its parent's descriptor and its files are stat'ed
 * through its own (src/sources/directories.ts), so swapping a directory for a symlink during the
 * walk cannot lead it out of the tree: the swapped directory is recorded as `changed-during-scan`.
 * Files are read later by path, and a read checks that it opened the inode the walk stat'ed.
 *
 * The root itself may be a regular file (audited alone, located by its name, or by the prefix) or a
 * symlink, which is the user's own choice of what to audit: its target is audited, with a notice.
 */
export async function* walkFilesystem(root: string, options: WalkOptions = {}): AsyncGenerator<SourceEvent> {
  for await (const group of walkFilesystemGroups(root, options)) yield* group;
}

/**
 * The events of {@link walkFilesystem}, in the same order, in groups: up to {@link GROUP_SIZE} entries
 * of one directory at a time. An audit meets every file of a tree once; a turn of an async
 * generator per file (a promise and a trip through the microtask queue for each layer it crosses)
 * cost more than the file's own stat, so the audit takes a directory's entries together.
 */
export function walkFilesystemGroups(root: string, options: WalkOptions = {}): AsyncGenerator<SourceEvent[]> {
  return direntsOf(root, options, true, eventOf);
}

const eventOf = (found: FoundDirent): SourceEvent => fileEvent(found.at, found.disk, found.entry, found.location);

/**
 * How many entries (files, links, special files; not directories) a walk with the same options
 * would meet: one listing per directory and no stat, for a progress display's estimate.
 */
export async function countEntries(root: string, options: WalkOptions = {}): Promise<number> {
  // A filter of its own: counting must not mark patterns as matched for the audit's warnings.
  const counting = { ...options, filter: pathFilter(options.include, options.exclude) };
  let count = 0;
  for await (const group of direntsOf(root, counting, false, (dirent) => dirent)) {
    for (const found of group) if (found.kind === 'dirent') count++;
  }
  return count;
}

/** What a file's item is made from: the entry's type, the path to stat it by now and the path to read it by later. */
interface FoundDirent {
  kind: 'dirent';
  /** Valid only until the walk moves on: it goes through the descriptor of the entry's directory. */
  at: Buffer;
  disk: Buffer;
  entry: EntryType;
  location: string;
}

/** What both a directory entry and a stat say about a file's type. */
export type EntryType = Pick<Dirent | Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isSocket' | 'isBlockDevice' | 'isCharacterDevice'>;

interface PendingDirectory {
  relative: string;
  disk: Buffer;
  name: Buffer;
  parent: OpenDirectory;
}

/** Entries of one directory taken together at most (a directory of a million files is not held as a million items at once). */
const GROUP_SIZE = 256;

/**
 * The walk itself: every non-directory entry in name order (as `map` makes it, while its `at` path
 * is still valid), and unreadable directories as coverage, in groups of one directory's entries. A
 * git directory met on the way has its history audited through git (src/sources/git-walk.ts),
 * unless `history` is false (counting for an estimate).
 */
async function* direntsOf<T>(root: string, options: WalkOptions, history: boolean, map: (found: FoundDirent) => T): AsyncGenerator<(T | SourceEvent)[]> {
  const filter = options.filter ?? pathFilter(options.include, options.exclude);
  const locate = (relative: string) => (options.locationPrefix ? (relative ? `${options.locationPrefix}/${relative}` : options.locationPrefix) : relative);
  const start = resolveRoot(root);
  const rootLocation = locate('') || '.';
  if ('code' in start) return yield [coverage(rootLocation, 'unreadable-directory', start.code, true)];
  if (start.notice) yield [{ kind: 'notice', notice: { location: rootLocation, level: 'info', message: start.notice } }];
  if (!start.stats.isDirectory()) {
    // A file named as the root is audited whatever the patterns say: the user asked for it by name.
    return yield [map({ kind: 'dirent', at: start.disk, disk: start.disk, entry: start.stats, location: options.locationPrefix ?? path.basename(root) })];
  }
  const rootDisk = start.disk;
  const repositories = new GitDirectories(rootDisk);
  const open = new Set<OpenDirectory>();
  const release = (dir: OpenDirectory) => {
    if (--dir.pending > 0) return;
    open.delete(dir);
    close(dir);
  };
  // An explicit stack, not recursion: a 2,000-level deep tree must not exhaust the call stack.
  // A directory stays open while subdirectories listed in it wait to be opened through it.
  // Paths on disk are kept as bytes: a name that is not valid UTF-8 could not be reopened from text.
  const pending: (PendingDirectory | { relative: ''; disk: Buffer })[] = [{ relative: '', disk: rootDisk }];
  try {
    while (pending.length > 0) {
      const next = pending.pop()!;
      let dir: OpenDirectory;
      let entries: Dirent<Buffer>[];
      try {
        dir = 'parent' in next ? openChild(next.parent, next.name, next.disk) : openRoot(next.disk);
      } catch (error) {
        yield [directoryCoverage(locate(next.relative) || '.', error)];
        continue;
      } finally {
        if ('parent' in next) release(next.parent);
      }
      dir.pending = 1; // Held by this loop until its own entries are done.
      open.add(dir);
      // The listing and the stats are synchronous (see list and fileEvent): a turn of the event loop
      // per directory lets reads, timers (a progress display) and a count running alongside go on.
      await nextTurn();
      try {
        entries = list(dir);
        checkUnchanged(dir);
      } catch (error) {
        release(dir);
        yield [directoryCoverage(locate(next.relative) || '.', error)];
        continue;
      }
      if (history && isGitDirectory(entries))
        for await (const event of repositories.enter(next.relative, next.disk, locate(next.relative) || '.')) yield [event];
      const subdirectories: PendingDirectory[] = [];
      let group: (T | SourceEvent)[] = [];
      for (const entry of entries) {
        const name = displayName(entry.name);
        const relative = next.relative ? `${next.relative}/${name}` : name;
        const disk = Buffer.concat([next.disk, SEPARATOR, entry.name]);
        if (entry.isDirectory()) {
          if (filter.enters(relative)) subdirectories.push({ relative, disk, name: entry.name, parent: dir });
          continue;
        }
        if (!filter.admits(relative) || repositories.holdsObject(relative)) continue;
        if (history && entry.isFile() && entry.name.equals(DOT_GIT)) {
          // The pointer's coverage comes before the file's own event, as it always has.
          if (group.length > 0) yield group;
          group = [];
          for await (const event of repositories.pointer(disk, locate(relative))) yield [event];
        }
        group.push(map({ kind: 'dirent', at: entryPath(dir, entry.name), disk, entry, location: locate(relative) }));
        if (group.length >= GROUP_SIZE) {
          yield group;
          group = [];
        }
      }
      if (group.length > 0) yield group;
      dir.pending += subdirectories.length;
      release(dir);
      // Reverse so that popping visits subdirectories in name order.
      pending.push(...subdirectories.reverse());
    }
  } finally {
    // A consumer that stops early (or an error) leaves directories open: close them all.
    for (const dir of open) close(dir);
  }
}

type RootStart = { disk: Buffer; stats: Stats; notice?: string } | { code: string };

/** What the root is. A symlink named as the root is resolved once, here; nothing below it is followed. */
function resolveRoot(root: string): RootStart {
  let disk = diskPath(root);
  try {
    const stats = lstatSync(disk);
    if (!stats.isSymbolicLink()) return { disk: Buffer.from(disk), stats };
    const notice = `the root is a symbolic link to ${readlinkSync(disk)}: its target is audited (links inside it are not followed)`;
    disk = realpathSync(disk);
    return { disk: Buffer.from(disk), stats: lstatSync(disk), notice };
  } catch (error) {
    return { code: codeOrMessage(error) };
  }
}

function directoryCoverage(location: string, error: unknown): SourceEvent {
  if (error instanceof DirectoryChangedError) return coverage(location, 'changed-during-scan', error.message, true);
  return coverage(location, 'unreadable-directory', codeOrMessage(error), true);
}

const SEPARATOR = Buffer.from(path.sep);
const DOT_GIT = Buffer.from('.git');

/**
 * The path by which the walk reaches `root` on disk, and reads reach its files later: relative to
 * the working directory when the root lies inside it, as find and hashdeep do. The kernel resolves
 * every component of a path again on each open, and audited trees often sit several levels deep
 * (the bench tree: 20,400 lstats took 539 ms by absolute path, 346 ms by relative; the walk itself
 * now stats through directory descriptors, see src/sources/directories.ts). The library never changes the working
 * directory; a caller that does so during an audit is not supported.
 */
function diskPath(root: string): string {
  return fromWorkingDirectory(root);
}

/**
 * A file name as text. Valid UTF-8 is kept as is; anything else is shown with its bytes escaped
 * (`\xff`) so two different invalid names never collapse into the same replacement characters.
 */
export function displayName(name: Buffer): string {
  return utf8Or(name, escapedBytes);
}

function escapedBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

/**
 * The item for one directory entry. The lstat is synchronous, as in find, rsync or hashdeep: the
 * inode is almost always in the kernel's cache, where a synchronous call costs about 20 us on the
 * benchmark machine and a round trip through libuv's thread pool about 50 us of this thread's time
 * (20,400 files: 0.45 s against 1.1 s, even with 32 in flight). Reads, the slow part, stay async.
 */
export function fileEvent(at: Buffer, disk: Buffer, entry: EntryType, location: string): SourceEvent {
  if (entry.isSymbolicLink()) {
    return coverage(location, 'symlink', 'symbolic links are not followed', false);
  }
  if (!entry.isFile()) {
    return coverage(location, 'special-file', specialKind(entry) ?? 'not a regular file', false);
  }
  try {
    // Nanosecond times: the re-audit cache must see a change within the same millisecond.
    const stats = lstatSync(at, { bigint: true });
    if (!stats.isFile()) {
      return coverage(location, 'changed-during-scan', 'no longer a regular file', true);
    }
    const size = Number(stats.size);
    return {
      kind: 'item',
      item: {
        location,
        origin: 'filesystem',
        size,
        mtime: roundedDate(stats.mtimeNs),
        ctime: roundedDate(stats.ctimeNs),
        mode: Number(stats.mode) & 0o7777,
        stat: { dev: stats.dev, ino: stats.ino, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs },
        // Only when the path survives as text (random access for zips); otherwise content is read by bytes.
        ...(textPath(disk) ?? {}),
        content: fileContent(disk, size, { dev: Number(stats.dev), ino: Number(stats.ino) }),
      },
    };
  } catch (error) {
    return coverage(location, 'unreadable', codeOrMessage(error), true);
  }
}

/**
 * `{ path }` when the bytes of `disk` are valid UTF-8 (the text spells them back exactly). The
 * decoder replaces each invalid sequence by U+FFFD, so a text without one is exact; only a name
 * holding U+FFFD itself, or an invalid one, is encoded again to compare (once per file, this spares
 * a buffer for every other name).
 */
function textPath(disk: Buffer): { path: string } | undefined {
  const text = disk.toString();
  return !text.includes('\uFFFD') || Buffer.from(text).equals(disk) ? { path: text } : undefined;
}

/** The nearest millisecond, as Node's number stats give it. */
const roundedDate = (ns: bigint): Date => new Date(Number((ns + 500_000n) / 1_000_000n));

const codeOrMessage = (error: unknown): string => errorCode(error) ?? describeError(error);

function coverage(location: string, reason: string, detail: string, incomplete: boolean): SourceEvent {
  return { kind: 'coverage', entry: { location, reason, detail, incomplete } };
}
