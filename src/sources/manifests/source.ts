import { UsageError } from '../../util/errors.js';
import type { Knowledge } from '../item.js';
import { groupedEvents, type Source } from '../source.js';
import { detectManifestFormat, manifestFormat, readManifestGroups } from './registry.js';
import { ManifestError, type ManifestOptions } from './types.js';

/** One export manifest to audit without the objects' bytes. */
export interface ManifestInput extends Pick<ManifestOptions, 'bucket' | 'azureAccount'> {
  source: 'manifest';
  path: string;
  /** A format id (`--manifest-format`); detected from content when absent. */
  format?: string;
}

/**
 * What manifests can state: dates, digests, encryption and grants (each format states what it has:
 * a sha256sum list has no dates). Modes never: an object store has no POSIX permission bits.
 */
export const MANIFEST_KNOWLEDGE: Knowledge = { knows: ['dates', 'digests', 'encryption', 'public-access'], mtimeIs: 'last-modified time in the manifest' };

/** Export manifests as a source: one item (origin 'manifest', no content) per object listed. */
export const manifestSource: Source<ManifestInput> = {
  id: 'manifest',
  knowledge: MANIFEST_KNOWLEDGE,
  locations: 'the object as the storage names it (s3://bucket/key, gs://..., azure://account/container/blob), or the path in the list',
  // The format is settled before any scanning: an unreadable or unrecognised manifest is exit 2.
  async check(input) {
    try {
      if (input.format) manifestFormat(input.format, input.path);
      else await detectManifestFormat(input.path);
    } catch (error) {
      if (error instanceof ManifestError) throw new UsageError(error.message);
      throw error;
    }
  },
  events: ({ source: _source, path, ...options }) => groupedEvents(() => readManifestGroups(path, options)),
  names: (input) => [input.path],
};
