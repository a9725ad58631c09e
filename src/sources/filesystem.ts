import fs from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { globbyStream } from 'globby';
import { fileContent } from './file-content.js';
import type { CoverageEntry, SourceEvent } from './item.js';

/** Options for walking a directory tree. */
export interface WalkOptions {
  /** Globs (relative to the root) of files to include; default everything. */
  include?: readonly string[];
  /** Globs (relative to the root) to leave out; matched directories are not entered. */
  exclude?: readonly string[];
  /** Prefix for locations (used when several roots are audited at once), '/'-separated. */
  locationPrefix?: string;
}

interface GlobEntry {
  path: string;
  dirent: fs.Dirent;
}

/**
 * Walks `root` and yields one item per regular file. Symbolic links are never followed (loops, and
 * links out of the audited tree); they and special files (FIFOs, sockets, devices) are recorded in
 * coverage. Unreadable directories are recorded too: globby/fast-glob would silently drop them with
 * `suppressErrors`, so the walk goes through a file-system adapter that notes every readdir failure
 * before fast-glob suppresses it and carries on.
 */
export async function* walkFilesystem(root: string, options: WalkOptions = {}): AsyncGenerator<SourceEvent> {
  const failures: CoverageEntry[] = [];
  const locate = (relative: string) => joinLocation(options.locationPrefix, relative.split(path.sep).join('/'));
  const readdir = ((dir: string, opts: unknown, callback: (error: NodeJS.ErrnoException | null, entries: unknown) => void) => {
    fs.readdir(dir, opts as { withFileTypes: true }, (error, entries) => {
      if (error) {
        const relative = path.relative(root, dir) || '.';
        failures.push({ location: locate(relative), reason: 'unreadable-directory', detail: error.code ?? error.message, incomplete: true });
      }
      callback(error, entries);
    });
  }) as unknown as typeof fs.readdir;

  const stream = globbyStream(options.include?.length ? [...options.include] : ['**'], {
    cwd: root,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    objectMode: true,
    suppressErrors: true,
    ignore: options.exclude ? [...options.exclude] : [],
    fs: { ...fs, readdir },
  });

  for await (const raw of stream as AsyncIterable<unknown>) {
    yield* failures.splice(0).map((entry) => ({ kind: 'coverage', entry }) as const);
    const entry = raw as GlobEntry;
    if (entry.dirent.isDirectory()) continue;
    const location = locate(entry.path);
    if (entry.dirent.isSymbolicLink()) {
      yield coverage(location, 'symlink', 'symbolic links are not followed', false);
      continue;
    }
    if (!entry.dirent.isFile()) {
      yield coverage(location, 'special-file', specialKind(entry.dirent), false);
      continue;
    }
    const absolute = path.join(root, entry.path);
    try {
      const stats = await lstat(absolute);
      if (!stats.isFile()) {
        yield coverage(location, 'changed-during-scan', 'no longer a regular file', true);
        continue;
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
          content: fileContent(absolute, stats.size),
        },
      };
    } catch (error) {
      yield coverage(location, 'unreadable', (error as NodeJS.ErrnoException).code ?? String(error), true);
    }
  }
  yield* failures.splice(0).map((entry) => ({ kind: 'coverage', entry }) as const);
}

export function joinLocation(prefix: string | undefined, relative: string): string {
  return prefix ? `${prefix}/${relative}` : relative;
}

function coverage(location: string, reason: string, detail: string, incomplete: boolean): SourceEvent {
  return { kind: 'coverage', entry: { location, reason, detail, incomplete } };
}

function specialKind(dirent: fs.Dirent): string {
  if (dirent.isFIFO()) return 'FIFO';
  if (dirent.isSocket()) return 'socket';
  if (dirent.isBlockDevice()) return 'block device';
  if (dirent.isCharacterDevice()) return 'character device';
  return 'not a regular file';
}
