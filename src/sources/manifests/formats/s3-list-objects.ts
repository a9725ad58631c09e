import type { Item, SourceEvent } from '../../item.js';
import { classifyEtag } from '../digests.js';
import { coverage, itemEvent, notice, parseDate, parseSize } from '../events.js';
import { guarded } from '../guard.js';
import { field, headText, str } from '../json-file.js';
import { jsonListing } from '../json-listing.js';
import { decodeKey } from '../s3-inventory-row.js';
import type { ManifestFormat, ManifestOptions } from '../types.js';

/** Placeholder bucket when the listing does not name one; parentheses are illegal in bucket names. */
export const UNKNOWN_BUCKET = '(unknown-bucket)';

/**
 * `aws s3api list-objects-v2` / `list-objects` / `list-object-versions` JSON. The listing carries
 * no encryption status, so by the ETag rule (a check applies only when its field is known) a quoted
 * 32-hex single-part ETag counts as MD5 and `encryption` stays unset; a notice says that an SSE-KMS
 * or SSE-C object listed this way would show a non-matching MD5 rather than "unverifiable".
 */
export const s3ListObjects: ManifestFormat = {
  id: 's3-list-objects',
  title: 'aws s3api list-objects-v2 JSON',
  detect(head) {
    const text = headText(head);
    return /"(Contents|Versions)"\s*:\s*\[/.test(text) && text.includes('"Key"') && !text.includes('"sourceBucket"');
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readListing(path, opts), opts.signal);
  },
};

async function* readListing(path: string, opts: ManifestOptions): AsyncGenerator<SourceEvent> {
  const bucket = opts.bucket ?? UNKNOWN_BUCKET;
  if (opts.bucket === undefined) {
    yield notice(path, 'warning', `list-objects output does not name its bucket: objects are located as s3://${UNKNOWN_BUCKET}/key (pass the bucket)`);
  }
  let encoded = false;
  let partial: string | undefined;
  const pick = (doc: unknown): unknown[] | undefined => {
    encoded = str(doc, 'EncodingType') === 'url';
    if (field(doc, 'IsTruncated') === true || field(doc, 'NextToken') !== undefined || field(doc, 'NextContinuationToken') !== undefined) {
      partial = 'the listing is truncated (IsTruncated/NextToken): objects after it are not audited';
    }
    const contents = field(doc, 'Contents');
    const versions = field(doc, 'Versions');
    if (!Array.isArray(contents) && !Array.isArray(versions)) return undefined;
    return [...(Array.isArray(contents) ? contents : []), ...(Array.isArray(versions) ? versions : [])];
  };
  const map = (entry: unknown): SourceEvent | string => {
    const rawKey = str(entry, 'Key');
    const key = rawKey === undefined ? undefined : encoded ? decodeKey(rawKey) : rawKey;
    if (key === undefined || key === '') return 'entry without a valid Key';
    const size = parseSize(field(entry, 'Size') as string | number | undefined);
    if (size === undefined) return 'entry without a byte Size';
    const version = str(entry, 'VersionId');
    const noncurrent = field(entry, 'IsLatest') === false && version !== undefined && version !== 'null';
    const item: Omit<Item, 'origin' | 'content'> = { location: `s3://${bucket}/${key}${noncurrent ? `?versionId=${version}` : ''}`, size };
    const mtime = parseDate(str(entry, 'LastModified'));
    if (mtime) item.mtime = mtime;
    const verdict = classifyEtag(str(entry, 'ETag') ?? '', undefined, undefined);
    if ('md5' in verdict) item.digests = { md5: verdict.md5 };
    else item.opaqueDigest = verdict.opaque;
    if (opts.asOf) item.asOf = opts.asOf;
    return itemEvent(item);
  };
  yield* jsonListing(path, opts, pick, map);
  if (partial !== undefined) yield coverage({ location: path, reason: 'manifest-partial', detail: partial, incomplete: true });
  yield notice(
    path,
    'info',
    'list-objects output has no encryption status: single-part 32-hex ETags are taken as MD5; an SSE-KMS/SSE-C object would not match by hash (use S3 Inventory with EncryptionStatus)',
  );
}
