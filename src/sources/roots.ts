import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorCode, UsageError } from '../util/errors.js';
import { fromWorkingDirectory, isInside } from '../util/paths.js';
import { countEntries, walkFilesystemGroups } from './filesystem.js';
import type { Knowledge, Notice, SourceEvent } from './item.js';
import { pathFilter } from './path-filter.js';
import { groupedEvents, type Source } from './source.js';

/** Directories (or files) on disk to walk, with the patterns that choose what under them is audited. */
export interface FilesystemInput {
  source: 'filesystem';
  /** As the user named them; relative ones are taken from `cwd`. */
  roots: readonly string[];
  /** The directory relative roots are taken from (default the process's working directory). */
  cwd?: string;
  /** .gitignore patterns of files to include (src/sources/path-filter.ts). */
  include?: readonly string[];
  /** .gitignore patterns to leave out. */
  exclude?: readonly string[];
}

/** Files on disk: their bytes, permission bits and modification times; no encryption or grants. */
export const FILE_KNOWLEDGE: Knowledge = { knows: ['content', 'modes', 'dates'], mtimeIs: 'modification time' };

const absoluteRoots = (input: FilesystemInput): string[] => input.roots.map((root) => path.resolve(input.cwd ?? process.cwd(), root));
const patterns = (input: FilesystemInput) => ({ ...(input.include ? { include: input.include } : {}), ...(input.exclude ? { exclude: input.exclude } : {}) });

/** The filesystem walk as a source: every root walked (src/sources/filesystem.ts), overlapping ones once. */
export const filesystemSource: Source<FilesystemInput> = {
  id: 'filesystem',
  knowledge: FILE_KNOWLEDGE,
  locations: 'the path under the root; with several roots, prefixed by the root as named from the working directory',
  check: (input) => checkRoots(input.roots, input.cwd ?? process.cwd()),
  events: (input) => groupedEvents(() => walkRoots(input)),
  async estimate(input) {
    let total = 0;
    for (const root of absoluteRoots(input)) total += await countEntries(root, patterns(input));
    return total;
  },
  names: (input) => [...input.roots],
  cacheScope: absoluteRoots,
};

/**
 * Every root walked. Roots that are the same directory as another, or inside another, are walked
 * once (a notice says so), and a pattern that matched nothing in any root is a warning notice.
 */
async function* walkRoots(input: FilesystemInput): AsyncGenerator<SourceEvent[]> {
  const { roots, notices } = await distinctRoots(absoluteRoots(input));
  if (notices.length > 0) yield notices.map((notice) => ({ kind: 'notice', notice }));
  const filter = pathFilter(input.include, input.exclude);
  const several = roots.length > 1;
  for (const root of roots) {
    yield* walkFilesystemGroups(root, { filter, ...(several ? { locationPrefix: rootName(root) } : {}) });
  }
  const unmatched = roots.length > 0 ? filter.unmatched() : [];
  if (unmatched.length > 0) yield unmatched.map((notice) => ({ kind: 'notice', notice }));
}

/**
 * The roots to walk: each directory once. A root whose real path is that of an earlier root, or lies
 * inside another root, is dropped (`audit T T T/sub` audits T's files once each), with a notice.
 */
export async function distinctRoots(roots: readonly string[]): Promise<{ roots: string[]; notices: Notice[] }> {
  const real = await Promise.all(roots.map((root) => realpath(root).catch(() => path.resolve(root))));
  const kept: string[] = [];
  const notices: Notice[] = [];
  for (const [i, root] of roots.entries()) {
    const mine = real[i]!;
    // The outermost root holding this one (the first of equal ones), which is itself kept.
    let holder = -1;
    roots.forEach((_, j) => {
      const holds = j !== i && (real[j] === mine ? j < i : isInside(mine, real[j]!));
      if (holds && (holder < 0 || real[j]!.length < real[holder]!.length)) holder = j;
    });
    if (holder < 0) {
      kept.push(root);
      continue;
    }
    const [name, other] = [rootName(root), rootName(roots[holder]!)];
    const how = real[holder] === mine ? 'is the same directory as' : 'is inside';
    notices.push({ location: name, level: 'info', message: `root ${name} ${how} root ${other}: its files are audited once, under ${other}` });
  }
  return { roots: kept, notices };
}

/**
 * A path on disk as locations and notices name it: relative to the working directory when inside
 * it, as the user most likely typed it, so reports do not depend on where the checkout lives; else
 * its absolute path. '/'-separated.
 */
export function rootName(root: string): string {
  return fromWorkingDirectory(root).split(path.sep).join('/');
}

/**
 * Checks the roots named on the command line before anything is scanned: one that does not exist
 * (or is a symlink to nothing) is a usage error naming it. A root that exists but cannot be read is
 * not: the walk records it, and the audit is incomplete.
 */
export async function checkRoots(roots: readonly string[], cwd: string): Promise<void> {
  for (const root of roots) {
    const target = path.resolve(cwd, root);
    const link = await lstat(target).catch((error: unknown) => ({ failed: errorCode(error) }));
    if ('failed' in link) {
      if (link.failed === 'ENOENT' || link.failed === 'ENOTDIR') throw new UsageError(`cannot audit ${root}: no such file or directory`);
      continue;
    }
    if (
      link.isSymbolicLink() &&
      (await stat(target).then(
        () => false,
        () => true,
      ))
    ) {
      throw new UsageError(`cannot audit ${root}: a symbolic link to nothing that can be read`);
    }
  }
}
