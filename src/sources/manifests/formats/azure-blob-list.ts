import type { Item, SourceEvent } from '../../item.js';
import { azureEncryption, azureLocation, UNKNOWN_ACCOUNT } from '../azure-location.js';
import { base64ToHex } from '../digests.js';
import { itemEvent, notice, parseDate, parseSize } from '../events.js';
import { guarded } from '../guard.js';
import { field, headText, str } from '../json-file.js';
import { jsonListing } from '../json-listing.js';
import type { ManifestFormat, ManifestOptions } from '../types.js';

/**
 * `az storage blob list` JSON. Content-MD5 is base64 (or, from custom Python exports, a list of byte
 * values) and client-supplied on block-list uploads, but it is still a hash of the content.
 */
export const azureBlobList: ManifestFormat = {
  id: 'azure-blob-list',
  title: 'az storage blob list JSON',
  detect(head) {
    const text = headText(head).trimStart();
    return text.startsWith('[') && text.includes('"properties"') && /"(contentLength|blobType)"/.test(text);
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readBlobList(path, opts), opts.signal);
  },
};

async function* readBlobList(path: string, opts: ManifestOptions): AsyncGenerator<SourceEvent> {
  if (opts.azureAccount === undefined) {
    yield notice(path, 'warning', `az storage blob list output does not name its account: blobs are located as azure://${UNKNOWN_ACCOUNT}/container/blob`);
  }
  yield* jsonListing(
    path,
    opts,
    (doc) => (Array.isArray(doc) ? doc : undefined),
    (entry) => mapBlob(entry, opts),
  );
}

function mapBlob(entry: unknown, opts: ManifestOptions): SourceEvent | string | undefined {
  if (field(entry, 'deleted') === true) return undefined;
  const name = str(entry, 'name');
  const container = str(entry, 'container');
  if (!name || !container) return 'entry without name and container';
  const props = field(entry, 'properties');
  const size = parseSize(field(props, 'contentLength') as number | undefined);
  if (size === undefined) return 'entry without properties.contentLength';
  const snapshot = str(entry, 'snapshot');
  const item: Omit<Item, 'origin' | 'content'> = {
    location: azureLocation(opts.azureAccount, container, name) + (snapshot ? `?snapshot=${snapshot}` : ''),
    size,
  };
  const mtime = parseDate(str(props, 'lastModified'));
  if (mtime) item.mtime = mtime;
  const created = parseDate(str(props, 'creationTime'));
  if (created) item.ctime = created;
  const encryption = azureEncryption(field(props, 'serverEncrypted') as boolean | undefined, str(entry, 'encryptionScope'), str(entry, 'encryptionKeySha256'));
  if (encryption) item.encryption = encryption;
  const md5 = contentMd5(field(field(props, 'contentSettings'), 'contentMd5'));
  if (md5 === null) return 'contentMd5 is not a 16-byte MD5';
  if (md5 !== undefined) item.digests = { md5 };
  else item.opaqueDigest = 'no Content-MD5 in listing';
  if (opts.asOf) item.asOf = opts.asOf;
  return itemEvent(item);
}

/** Hex of a base64 string or byte-list MD5; undefined when absent, null when malformed. */
function contentMd5(value: unknown): string | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return base64ToHex(value, 16) ?? null;
  if (Array.isArray(value) && value.length === 16 && value.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) {
    return Buffer.from(value as number[]).toString('hex');
  }
  return null;
}
