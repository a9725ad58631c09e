import type { Dirent } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { fileContent } from './file-content.js';
import type { SourceEvent } from './item.js';

/** Options for walking a directory tree. */
export interface WalkOptions {
  /** Globs (relative to the root) of files to include; default everything. */
  include?: readonly string[];
  /** Globs (relative to the root) to leave out; matched directories are not entered. */
  exclude?: readonly string[];
  /** Prefix for locations (used when several roots are audited at once), '/'-separated. */
  locationPrefix?: string;
}

/**
 * Compiles globs so that `*` and `**` also match names containing newlines. globby (fast-glob)
 * cannot: its regexes stop at `\n`, so a file named `a\nb.jpg` would vanish from the walk without a
 * trace, an easy way to hide a copy from an auditor. That, and fast-glob's silent suppression of
 * unreadable directories, is why the walk is our own and only the glob syntax is picomatch's.
 */
function globMatcher(globs: readonly string[] | undefined): ((relative: string) => boolean) | undefined {
  if (!globs || globs.length === 0) return undefined;
  const regexes = globs.map((glob) => {
    const re = picomatch.makeRe(glob.replace(/^\.\//, ''), { dot: true });
    return new RegExp(re.source, `${re.flags.replace('s', '')}s`);
  });
  return (relative) => regexes.some((re) => re.test(relative));
}

/**
 * Walks `root` depth-first in name order and yields one item per regular file. Symbolic links are
 * never followed (loops, and links out of the audited tree); they and special files (FIFOs, sockets,
 * devices) are recorded in coverage, as are directories and files that cannot be read.
 */
export async function* walkFilesystem(root: string, options: WalkOptions = {}): AsyncGenerator<SourceEvent> {
  const include = globMatcher(options.include);
  const exclude = globMatcher(options.exclude);
  const locate = (relative: string) => (options.locationPrefix ? `${options.locationPrefix}/${relative}` : relative);
  // An explicit stack, not recursion: a 2,000-level deep tree must not exhaust the call stack.
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relativeDir = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = await readDirectory(path.join(root, relativeDir));
    } catch (error) {
      yield coverage(locate(relativeDir || '.'), 'unreadable-directory', errorCode(error), true);
      continue;
    }
    const subdirectories: string[] = [];
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (exclude?.(relative)) continue;
      if (entry.isDirectory()) {
        subdirectories.push(relative);
        continue;
      }
      if (include && !include(relative)) continue;
      yield* fileEvent(root, relative, entry, locate(relative));
    }
    // Reverse so that popping visits subdirectories in name order.
    pending.push(...subdirectories.reverse());
  }
}

async function readDirectory(dir: string): Promise<Dirent[]> {
  const entries: Dirent[] = [];
  const handle = await opendir(dir);
  for await (const entry of handle) entries.push(entry);
  // Code-unit order: deterministic on every machine, whatever the filesystem returns.
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function* fileEvent(root: string, relative: string, entry: Dirent, location: string): AsyncGenerator<SourceEvent> {
  if (entry.isSymbolicLink()) {
    yield coverage(location, 'symlink', 'symbolic links are not followed', false);
    return;
  }
  if (!entry.isFile()) {
    yield coverage(location, 'special-file', specialKind(entry), false);
    return;
  }
  const absolute = path.join(root, relative);
  try {
    const stats = await lstat(absolute);
    if (!stats.isFile()) {
      yield coverage(location, 'changed-during-scan', 'no longer a regular file', true);
      return;
    }
    yield {
      kind: 'item',
      item: {
        location,
        origin: 'filesystem',
        size: stats.size,
        mtime: stats.mtime,
        ctime: stats.ctime,
        mode: stats.mode & 0o7777,
        path: absolute,
        content: fileContent(absolute, stats.size, { dev: stats.dev, ino: stats.ino }),
      },
    };
  } catch (error) {
    yield coverage(location, 'unreadable', errorCode(error), true);
  }
}

export function joinLocation(prefix: string | undefined, relative: string): string {
  return prefix ? `${prefix}/${relative}` : relative;
}

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException)?.code ?? String(error);

function coverage(location: string, reason: string, detail: string, incomplete: boolean): SourceEvent {
  return { kind: 'coverage', entry: { location, reason, detail, incomplete } };
}

function specialKind(dirent: Dirent): string {
  if (dirent.isFIFO()) return 'FIFO';
  if (dirent.isSocket()) return 'socket';
  if (dirent.isBlockDevice()) return 'block device';
  if (dirent.isCharacterDevice()) return 'character device';
  return 'not a regular file';
}
