import path from 'node:path';
import type { MediaType } from '../identify/sniff.js';
import { walkFilesystem } from '../sources/filesystem.js';
import { expandArchive, isArchive, resolveArchiveOptions, type ArchiveOptions } from '../sources/archives/index.js';
import type { Item, SourceEvent } from '../sources/item.js';

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
    expand: (item, media) => expandArchive(item, media, item.path ? { ...options, filePath: item.path } : options),
    settings: resolveArchiveOptions(options),
  };
}

/** Reads manifests into items (src/sources/manifests provides it). */
export type ManifestReader = (input: ManifestInput) => AsyncIterable<SourceEvent>;

/** All input events of an audit: every root walked, then every manifest read. */
export async function* sourcesFor(request: {
  roots: readonly string[];
  manifests?: readonly ManifestInput[];
  include?: readonly string[];
  exclude?: readonly string[];
  readManifest?: ManifestReader;
}): AsyncGenerator<SourceEvent> {
  const several = request.roots.length > 1;
  for (const root of request.roots) {
    const locationPrefix = several ? path.normalize(root).split(path.sep).join('/').replace(/\/+$/, '') : undefined;
    yield* walkFilesystem(root, {
      ...(request.include ? { include: request.include } : {}),
      ...(request.exclude ? { exclude: request.exclude } : {}),
      ...(locationPrefix ? { locationPrefix } : {}),
    });
  }
  for (const manifest of request.manifests ?? []) {
    if (!request.readManifest) throw new Error('manifests given but no manifest reader');
    yield* request.readManifest(manifest);
  }
}
