import type { Digests, Item, SourceEvent } from '../../item.js';
import { digestKey, HEX_LENGTH, hexOf } from '../digests.js';
import { itemEvent, parseDate } from '../events.js';
import { guarded } from '../guard.js';
import { field, headText, str } from '../json-file.js';
import { jsonListing } from '../json-listing.js';
import { type ManifestFormat, type ManifestOptions, UNKNOWN_SIZE } from '../types.js';

/**
 * `rclone lsjson -R --hash` output. Items are located by `Path` as written (relative to the remote
 * root). Hash names are normalised (`MD5`, `SHA-1` from older rclone); empty hashes are absent ones.
 */
export const rcloneLsjson: ManifestFormat = {
  id: 'rclone-lsjson',
  title: 'rclone lsjson --hash JSON',
  detect(head) {
    const text = headText(head).trimStart();
    return text.startsWith('[') && text.includes('"Path"') && text.includes('"IsDir"');
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(
      path,
      'manifest-unreadable',
      jsonListing(path, opts, (doc) => (Array.isArray(doc) ? doc : undefined), mapEntry),
      opts.signal,
    );
  },
};

function mapEntry(entry: unknown): SourceEvent | string | undefined {
  if (field(entry, 'IsDir') === true) return undefined;
  const location = str(entry, 'Path');
  if (location === undefined || location === '') return 'entry without a Path';
  const rawSize = field(entry, 'Size');
  if (typeof rawSize !== 'number' || !Number.isSafeInteger(rawSize) || rawSize < -1) return 'entry without a numeric Size';
  const item: Omit<Item, 'origin' | 'content'> = { location, size: rawSize === -1 ? UNKNOWN_SIZE : rawSize };
  const mtime = parseDate(str(entry, 'ModTime'));
  if (mtime) item.mtime = mtime;
  const digests: Digests = {};
  const hashes = field(entry, 'Hashes');
  if (typeof hashes === 'object' && hashes !== null) {
    for (const [name, value] of Object.entries(hashes)) {
      const key = digestKey(name);
      if (key === undefined || typeof value !== 'string' || value === '') continue;
      const hex = hexOf(value, HEX_LENGTH[key]!);
      if (hex === undefined) return `Hashes.${name} is not ${key} hex`;
      digests[key] = hex;
    }
  }
  if (Object.keys(digests).length > 0) item.digests = digests;
  else item.opaqueDigest = 'no hash in listing';
  return itemEvent(item);
}
