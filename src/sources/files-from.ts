import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describeError, errorCode, UsageError } from '../util/errors.js';
import { isInside } from '../util/paths.js';
import { displayName, fileEvent } from './filesystem.js';
import type { Notice, SourceEvent } from './item.js';
import { pathFilter } from './path-filter.js';
import { FILE_KNOWLEDGE } from './roots.js';
import type { Source } from './source.js';

/**
 * A list of files to audit (`--files-from <file>`, `-` for standard input), as tar and rsync take
 * one: a path per line, or NUL-separated (`find -print0`) when the list holds a NUL byte.
 */
export interface FilesFromInput {
  source: 'files-from';
  /** The list as the user named it (`-` for standard input). */
  name: string;
  /** The list's bytes: paths are bytes on disk, and a name need not be valid UTF-8. */
  list: Uint8Array;
  /** The directory relative paths are taken from (default the process's working directory). */
  cwd?: string;
  /** Only audit listed paths matching (.gitignore rules, over the path as located). */
  include?: readonly string[];
  /** Leave out listed paths matching. */
  exclude?: readonly string[];
  /**
   * Real paths of roots another input of the audit walks: a listed file inside one is audited there,
   * under the root's name, and skipped here (with a notice), so that it is not audited twice.
   */
  walked?: readonly string[];
}

/**
 * Each listed path is audited as a file named as a root would be: read-only, opened O_NOFOLLOW and
 * checked against the inode stat'ed, located by its real path from the working directory: a
 * directory link or `..` on the listed path cannot give a file another folder's name (`ok/link/x`
 * where `link` leads to `other/` is located `other/x`). A file listed twice, under any name, is
 * audited once. `--include`/`--exclude` apply to the located path. Unlike a root,
 * a listed symlink is not followed (the list is data, not the user's own choice of each path, and
 * `find` lists links as links): it is coverage, as in the walk. A listed directory is not walked, as
 * in rsync without -r (`find dir` lists dir and its files; walking it too would audit them twice):
 * a warning notice names the directories left out. A path that is missing or unreadable is coverage
 * that makes the audit incomplete, and the scan goes on.
 */
export const filesFromSource: Source<FilesFromInput> = {
  id: 'files-from',
  knowledge: FILE_KNOWLEDGE,
  locations: 'the listed path from the working directory (absolute when outside it)',
  events: listedFiles,
  estimate: async (input) => listedPaths(input.list).length,
  names: (input) => [`--files-from ${input.name}`],
  // One cache file per list name and directory; files not listed this time leave it on rewrite.
  cacheScope: (input) => [`--files-from ${input.name} in ${path.resolve(input.cwd ?? process.cwd())}`],
};

const NUL = 0;
const NEWLINE = 0x0a;

/** The list's paths, in order; empty lines (and a trailing separator) are not paths. */
export function listedPaths(list: Uint8Array): Buffer[] {
  const bytes = Buffer.from(list.buffer, list.byteOffset, list.byteLength);
  const separator = bytes.includes(NUL) ? NUL : NEWLINE;
  const paths: Buffer[] = [];
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(separator, start);
    if (end < 0) end = bytes.length;
    if (end > start) paths.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return paths;
}

async function* listedFiles(input: FilesFromInput): AsyncGenerator<SourceEvent> {
  const cwd = path.resolve(input.cwd ?? process.cwd());
  const shownCwd = displayName(realpathOr(Buffer.from(cwd)));
  const folders = new Map<string, Buffer>();
  const filter = pathFilter(input.include, input.exclude);
  const seen = new Set<string>();
  const directories: string[] = [];
  let repeated = 0;
  let underRoots = 0;
  for (const listed of listedPaths(input.list)) {
    // Bytes all the way to the kernel: a name that is not valid UTF-8 could not be reopened from text.
    const typed = listed[0] === SLASH ? listed : Buffer.concat([Buffer.from(cwd), SEPARATOR, listed]);
    // The real folder, so that the name said is the folder the bytes are in; the last part is not
    // resolved: a listed link stays a link (not followed).
    const folder = realFolder(dirOf(typed), folders);
    const disk = Buffer.concat([folder, folder.at(-1) === SLASH ? Buffer.alloc(0) : SEPARATOR, baseOf(typed)]);
    const location = locate(disk, shownCwd);
    if (!filter.admits(location)) continue;
    // One name, one file: `./a`, `x/../a` and `link/a` are the same name here; a hard link in another
    // folder is another name, judged by its own folder, as the walk judges it.
    if (!firstTime(seen, disk.toString('latin1'))) {
      repeated++;
      continue;
    }
    const shown = displayName(disk);
    if (input.walked?.some((root) => isInside(shown, root))) {
      underRoots++;
      continue;
    }
    let entry: ReturnType<typeof lstatSync>;
    try {
      entry = lstatSync(disk);
    } catch (error) {
      yield { kind: 'coverage', entry: { location, reason: 'unreadable', detail: errorCode(error) ?? describeError(error), incomplete: true } };
      continue;
    }
    if (entry.isDirectory()) directories.push(location);
    else yield fileEvent(disk, disk, entry, location);
  }
  for (const notice of filter.unmatched()) yield { kind: 'notice', notice };
  for (const notice of listNotices(input.name, directories, repeated, underRoots)) yield { kind: 'notice', notice };
}

/**
 * The folders that hold the listed files, each once, as paths from the working directory: the
 * audited tree of a list, into which nothing may be written (src/util/safe-write.ts).
 */
export function listedFolderNames(list: Uint8Array): string[] {
  return [...new Set(listedPaths(list).map((listed) => displayName(dirOf(listed[0] === SLASH ? listed : Buffer.concat([Buffer.from('./'), listed])))))];
}

/** True the first time `key` is met. */
function firstTime(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** The folder part of a path, as bytes (`/` for a file at the root). */
function dirOf(file: Buffer): Buffer {
  const slash = file.lastIndexOf(SLASH);
  return slash <= 0 ? Buffer.from('/') : file.subarray(0, slash);
}

const baseOf = (file: Buffer): Buffer => file.subarray(file.lastIndexOf(SLASH) + 1);

/** A folder's real path (bytes), or the folder as given when it cannot be resolved (the lstat says why). */
function realpathOr(folder: Buffer): Buffer {
  try {
    return realpathSync.native(folder, { encoding: 'buffer' });
  } catch {
    return folder;
  }
}

/** realpathOr, once per folder of a list (a `find` list names each folder again for every file in it). */
function realFolder(folder: Buffer, known: Map<string, Buffer>): Buffer {
  const key = folder.toString('latin1');
  let real = known.get(key);
  if (!real) known.set(key, (real = realpathOr(folder)));
  return real;
}

/** The location of a real path: relative to the (real) working directory when inside it, else absolute; '/'-separated. */
function locate(disk: Buffer, cwd: string): string {
  const shown = displayName(disk);
  return (isInside(shown, cwd) ? path.relative(cwd, shown) : shown).split(path.sep).join('/');
}

const SLASH = 0x2f;
const SEPARATOR = Buffer.from(path.sep);

function listNotices(name: string, directories: readonly string[], repeated: number, underRoots: number): Notice[] {
  const location = `--files-from ${name}`;
  const notices: Notice[] = [];
  if (directories.length > 0) {
    const shown = directories.slice(0, 3).join(', ') + (directories.length > 3 ? `, ... (${directories.length - 3} more)` : '');
    const message = `${directories.length} listed director${directories.length === 1 ? 'y was' : 'ies were'} not walked (list their files, e.g. find -type f): ${shown}`;
    notices.push({ location, level: 'warning', message });
  }
  if (repeated > 0)
    notices.push({ location, level: 'info', message: `${repeated} path${repeated === 1 ? ' was' : 's were'} listed more than once: audited once` });
  if (underRoots > 0) {
    const message = `${underRoots} listed file${underRoots === 1 ? ' lies' : 's lie'} under a walked root: audited once, under the root`;
    notices.push({ location, level: 'info', message });
  }
  return notices;
}

/**
 * Reads a list whole, from a file's stream or standard input (whether it is NUL-separated can only
 * be told from all of it). A list that cannot be read is a usage error naming it, before any scan.
 */
export async function readList(chunks: AsyncIterable<Uint8Array | string> | undefined, name: string): Promise<Buffer> {
  if (!chunks) throw new UsageError(`cannot read --files-from ${name}: there is no standard input`);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of chunks) parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  } catch (error) {
    throw new UsageError(`cannot read --files-from ${name}: ${errorCode(error) ?? describeError(error)}`);
  }
  return Buffer.concat(parts);
}
