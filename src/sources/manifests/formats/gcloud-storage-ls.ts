import type { Item, SourceEvent } from '../../item.js';
import { base64ToHex } from '../digests.js';
import { itemEvent, parseDate, parseSize } from '../events.js';
import { gcsEncryption } from '../gcs-fields.js';
import { guarded } from '../guard.js';
import { field, headText, str } from '../json-file.js';
import { jsonListing } from '../json-listing.js';
import { type ManifestFormat, type ManifestOptions, UNKNOWN_SIZE } from '../types.js';

/**
 * `gcloud storage ls --json -r [-a] [--full]`: `cloud_object` entries with JSON-API metadata, located
 * by their `url` as written (with `-a` it ends in `#<generation>`, which keeps versions distinct).
 * Composite objects carry no md5Hash; `prefix` entries are folders and skipped.
 */
export const gcloudStorageLs: ManifestFormat = {
  id: 'gcloud-storage-ls',
  title: 'gcloud storage ls --json',
  detect(head) {
    const text = headText(head).trimStart();
    return text.startsWith('[') && /"url"\s*:\s*"gs:\/\//.test(text) && text.includes('"type"');
  },
  read(path: string, opts: ManifestOptions) {
    const entries = (doc: unknown): unknown[] | undefined => (Array.isArray(doc) ? doc : undefined);
    return guarded(
      path,
      'manifest-unreadable',
      jsonListing(path, opts, entries, (e) => mapObject(e, opts)),
      opts.signal,
    );
  },
};

function mapObject(entry: unknown, opts: ManifestOptions): SourceEvent | string | undefined {
  if (str(entry, 'type') !== 'cloud_object') return undefined;
  const url = str(entry, 'url');
  if (url === undefined || !url.startsWith('gs://')) return 'cloud_object without a gs:// url';
  const meta = field(entry, 'metadata');
  const rawSize = field(meta, 'size');
  const size = rawSize === undefined ? UNKNOWN_SIZE : parseSize(rawSize as string | number);
  if (size === undefined) return 'metadata.size is not a byte count';
  const item: Omit<Item, 'origin' | 'content'> = { location: url, size };
  const mtime = parseDate(str(meta, 'updated'));
  if (mtime) item.mtime = mtime;
  const created = parseDate(str(meta, 'timeCreated'));
  if (created) item.ctime = created;
  const md5Hash = str(meta, 'md5Hash');
  const md5 = md5Hash === undefined ? undefined : base64ToHex(md5Hash, 16);
  if (md5Hash !== undefined && md5 === undefined) return 'md5Hash is not a base64 MD5';
  if (md5 !== undefined) item.digests = { md5 };
  else item.opaqueDigest = field(meta, 'componentCount') !== undefined ? 'composite object (no MD5)' : 'no md5Hash in listing';
  const encryption = gcsEncryption(str(meta, 'kmsKeyName'), field(meta, 'customerEncryption') !== undefined);
  if (encryption) item.encryption = encryption;
  if (opts.asOf) item.asOf = opts.asOf;
  return itemEvent(item);
}
