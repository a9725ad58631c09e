import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { type ArchiveOptions, expandArchive, isArchive, resolveArchiveOptions } from '../sources/archives/index.js';
import { viaDescriptors } from '../sources/directories.js';
import { ContentChangedError, holdFile } from '../sources/file-content.js';
import { walkFilesystem } from '../sources/filesystem.js';
import type { Item, Notice, SourceEvent } from '../sources/item.js';
import { pathFilter } from '../sources/path-filter.js';
import type { MediaType } from '../sources/sniff.js';
import { UsageError } from '../util/errors.js';
import { fromWorkingDirectory, isInside } from '../util/paths.js';

/** A manifest to audit, with its format when the user named one. */
export interface ManifestInput {
  path: string;
  format?: string;
}

/** How the audit looks inside archives (src/sources/archives provides it). */
export interface ArchiveHook {
  handles(media: MediaType): boolean;
  expand(item: Item, media: MediaType): AsyncIterable<SourceEvent>;
  /** The limits in force, for the re-audit cache's key; a hook without them never has its expansions cached. */
  settings?: Readonly<Record<string, unknown>>;
}

/** Archive expansion with the given limits; zips on disk are read with random access. */
export function archiveHook(options: Omit<ArchiveOptions, 'filePath'> = {}): ArchiveHook {
  return {
    handles: isArchive,
    expand: (item, media) => expandOnDisk(item, media, options),
    settings: resolveArchiveOptions(options),
  };
}

/**
 * A zip on disk is read with random access by path. Not by the walk's path, which a swap of the
 * file (or of a directory above it) could lead out of the tree after the walk: by the path of a
 * descriptor opened and checked like every read (O_NOFOLLOW, the walked inode). Without /proc there
 * is no such path, and the zip is read through its checked content instead (buffered up to the limit).
 */
async function* expandOnDisk(item: Item, media: MediaType, options: Omit<ArchiveOptions, 'filePath'>): AsyncGenerator<SourceEvent> {
  if (!item.path || !item.stat || !viaDescriptors()) return yield* expandArchive(item, media, options);
  let held: Awaited<ReturnType<typeof holdFile>>;
  try {
    held = await holdFile(item.path, { dev: Number(item.stat.dev), ino: Number(item.stat.ino) });
  } catch (error) {
    const changed = error instanceof ContentChangedError;
    const detail = changed ? error.message : ((error as NodeJS.ErrnoException).code ?? String(error));
    return yield { kind: 'coverage', entry: { location: item.location, reason: changed ? 'changed-during-scan' : 'unreadable', detail, incomplete: true } };
  }
  try {
    yield* expandArchive(item, media, { ...options, filePath: held.path });
  } finally {
    await held.close();
  }
}

/** Reads manifests into items (src/sources/manifests provides it). */
export type ManifestReader = (input: ManifestInput) => AsyncIterable<SourceEvent>;

/**
 * All input events of an audit: every root walked, then every manifest read. Roots that are the same
 * directory as another, or inside another, are walked once (a notice says so), and a pattern that
 * matched nothing in any root is a warning notice.
 */
export async function* sourcesFor(request: {
  roots: readonly string[];
  manifests?: readonly ManifestInput[];
  include?: readonly string[];
  exclude?: readonly string[];
  readManifest?: ManifestReader;
}): AsyncGenerator<SourceEvent> {
  const { roots, notices } = await distinctRoots(request.roots);
  for (const notice of notices) yield { kind: 'notice', notice };
  const filter = pathFilter(request.include, request.exclude);
  const several = roots.length > 1;
  for (const root of roots) {
    yield* walkFilesystem(root, { filter, ...(several ? { locationPrefix: named(root) } : {}) });
  }
  if (roots.length > 0) for (const notice of filter.unmatched()) yield { kind: 'notice', notice };
  for (const manifest of request.manifests ?? []) {
    if (!request.readManifest) throw new Error('manifests given but no manifest reader');
    yield* request.readManifest(manifest);
  }
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
    const [name, other] = [named(root), named(roots[holder]!)];
    const how = real[holder] === mine ? 'is the same directory as' : 'is inside';
    notices.push({ location: name, level: 'info', message: `root ${name} ${how} root ${other}: its files are audited once, under ${other}` });
  }
  return { roots: kept, notices };
}

/**
 * A root as locations (when several roots are audited) and notices name it: relative to the working
 * directory when inside it, as the user most likely typed it, so reports do not depend on where the
 * checkout lives; else its absolute path. '/'-separated.
 */
function named(root: string): string {
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
    const link = await lstat(target).catch((error: NodeJS.ErrnoException) => error);
    if (link instanceof Error) {
      if (link.code === 'ENOENT' || link.code === 'ENOTDIR') throw new UsageError(`cannot audit ${root}: no such file or directory`);
      continue;
    }
    if (link.isSymbolicLink() && (await stat(target).catch((error: NodeJS.ErrnoException) => error)) instanceof Error) {
      throw new UsageError(`cannot audit ${root}: a symbolic link to nothing that can be read`);
    }
  }
}

const PATTERN_WARNING = /^--(include|exclude) '.*' matched no path$/s;

/** The lines the CLI writes to stderr for patterns that matched nothing (they are in the report's notices too). */
export function patternWarnings(notices: readonly Notice[]): string[] {
  return notices.filter((n) => n.level === 'warning' && PATTERN_WARNING.test(n.message)).map((n) => `custody: warning: ${n.message}\n`);
}
