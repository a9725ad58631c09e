import { describeError, errorCode } from '../util/errors.js';
import { type ArchiveOptions, expandArchive, isArchive, resolveArchiveOptions } from './archives/index.js';
import { viaDescriptors } from './directories.js';
import { ContentChangedError, holdFile } from './file-content.js';
import type { Item, SourceEvent } from './item.js';
import type { MediaType } from './sniff.js';

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
    const detail = changed ? error.message : (errorCode(error) ?? describeError(error));
    return yield { kind: 'coverage', entry: { location: item.location, reason: changed ? 'changed-during-scan' : 'unreadable', detail, incomplete: true } };
  }
  try {
    yield* expandArchive(item, media, { ...options, filePath: held.path });
  } finally {
    await held.close();
  }
}
