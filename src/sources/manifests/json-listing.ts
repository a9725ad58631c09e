import type { SourceEvent } from '../item.js';
import { coverage, rowCoverage } from './events.js';
import { readJsonFile } from './json-file.js';
import type { ManifestOptions } from './types.js';

/** What a JSON listing entry maps to: events, or a reason the entry is malformed. */
export type EntryResult = SourceEvent | SourceEvent[] | string | undefined;

/**
 * Reads a JSON listing (whole, capped) and maps each entry of the array `pick` selects. A malformed
 * entry becomes row coverage located `<manifest>:<n>` with n the 1-based entry number (JSON has no
 * useful line numbers once parsed); `undefined` from `map` skips an entry (directories, prefixes).
 */
export async function* jsonListing(
  path: string,
  opts: ManifestOptions,
  pick: (doc: unknown) => unknown[] | undefined,
  map: (entry: unknown, index: number) => EntryResult,
): AsyncGenerator<SourceEvent> {
  const json = await readJsonFile(path, opts.maxJsonBytes);
  if ('error' in json) {
    yield coverage({ location: path, reason: 'manifest-unreadable', detail: json.error, incomplete: true });
    return;
  }
  const entries = pick(json.value);
  if (entries === undefined) {
    yield coverage({ location: path, reason: 'manifest-unreadable', detail: 'no list of entries where the format has one', incomplete: true });
    return;
  }
  for (let i = 0; i < entries.length; i++) {
    const result = map(entries[i], i);
    if (result === undefined) continue;
    if (typeof result === 'string') yield rowCoverage(path, i + 1, result);
    else if (Array.isArray(result)) yield* result;
    else yield result;
  }
}
