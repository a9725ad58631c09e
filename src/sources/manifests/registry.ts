import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceEvent } from '../item.js';
import { azureBlobList } from './formats/azure-blob-list.js';
import { azureInventory } from './formats/azure-inventory.js';
import { bagit } from './formats/bagit.js';
import { checksumList } from './formats/checksum-list.js';
import { dfxml } from './formats/dfxml.js';
import { gcloudStorageLs } from './formats/gcloud-storage-ls.js';
import { gcsInventory } from './formats/gcs-inventory.js';
import { hashdeep } from './formats/hashdeep.js';
import { rcloneLsjson } from './formats/rclone-lsjson.js';
import { s3Inventory } from './formats/s3-inventory.js';
import { s3ListObjects } from './formats/s3-list-objects.js';
import { readHead } from './head.js';
import { boundedRowProblems } from './row-problems.js';
import { ManifestError, type ManifestFormat, type ManifestOptions } from './types.js';

/**
 * Every manifest format, in detection order: the most specific signatures first, the loose
 * line-oriented checksum list last. Adding a format is one file plus one line here.
 */
export const MANIFEST_FORMATS: readonly ManifestFormat[] = [
  s3Inventory,
  azureInventory,
  gcsInventory,
  s3ListObjects,
  azureBlobList,
  gcloudStorageLs,
  rcloneLsjson,
  bagit,
  dfxml,
  hashdeep,
  checksumList,
];

/** Options for readManifest: a format id to skip detection, plus the shared reader options. */
export interface ReadManifestOptions extends ManifestOptions {
  /** A ManifestFormat id (`--manifest-format`); detected from content when absent. */
  format?: string;
}

/** The format with this id, or a ManifestError naming the known ids. */
export function manifestFormat(id: string, path: string): ManifestFormat {
  const found = MANIFEST_FORMATS.find((f) => f.id === id);
  if (found) return found;
  throw new ManifestError(`${path}: unknown manifest format "${id}" (known: ${MANIFEST_FORMATS.map((f) => f.id).join(', ')})`, path);
}

/**
 * The format of the manifest at `path`, detected from its first bytes (for a directory: from its
 * `bagit.txt`). Throws ManifestError when the path cannot be read or no format recognises it.
 */
export async function detectManifestFormat(path: string): Promise<ManifestFormat> {
  const head = await readDetectionHead(path);
  const found = MANIFEST_FORMATS.find((f) => safeDetect(f, head, path));
  if (found) return found;
  throw new ManifestError(`${path}: not a manifest format custody recognises (name one with --manifest-format)`, path);
}

/**
 * Reads one manifest as source events: items (origin 'manifest', no content), coverage for what
 * could not be read, and notices about the input as a whole. Only an unreadable path or an
 * unknown format throws (ManifestError, from the first `next()`, before any event); bad content
 * never does.
 */
export async function* readManifest(path: string, opts: ReadManifestOptions = {}): AsyncGenerator<SourceEvent> {
  for await (const group of readManifestGroups(path, opts)) {
    for (const event of group) {
      if (opts.signal?.aborted) return;
      yield event;
    }
  }
}

/**
 * {@link readManifest}'s events in the same order, in groups as the format reads them (what the
 * audit takes: one turn of the async machinery per group instead of per row).
 */
export async function* readManifestGroups(path: string, opts: ReadManifestOptions = {}): AsyncGenerator<readonly SourceEvent[]> {
  const { format, ...rest } = opts;
  let chosen: ManifestFormat;
  if (format === undefined) {
    chosen = await detectManifestFormat(path);
  } else {
    chosen = manifestFormat(format, path);
    await readDetectionHead(path); // an unreadable path is a ManifestError even when the format is named
  }
  yield* boundedRowProblems(chosen.readGroups?.(path, rest) ?? singles(chosen.read(path, rest)), path);
}

async function* singles(events: AsyncIterable<SourceEvent>): AsyncGenerator<readonly SourceEvent[]> {
  for await (const event of events) yield [event];
}

async function readDetectionHead(path: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return await readHead(path);
    return await readHead(join(path, 'bagit.txt')).catch(() => Buffer.alloc(0));
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new ManifestError(`${path}: cannot read manifest (${code})`, path);
  }
}

function safeDetect(format: ManifestFormat, head: Buffer, path: string): boolean {
  try {
    return format.detect(head, path);
  } catch {
    return false;
  }
}
