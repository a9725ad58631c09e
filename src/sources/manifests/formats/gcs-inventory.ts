import type { Item, SourceEvent } from '../../item.js';
import { dataFileCoverage, resolveDataFile } from '../data-file.js';
import { base64ToHex } from '../digests.js';
import { coverage, itemEvent, parseDate, parseSize, rowCoverage } from '../events.js';
import { gcsEncryption } from '../gcs-fields.js';
import { guarded } from '../guard.js';
import { columnIndex, type HeaderRowMapper, headerCsv } from '../header-csv.js';
import { field, headText, inventoryManifest, str } from '../json-file.js';
import type { ManifestFormat, ManifestOptions } from '../types.js';

/** The default field order of a GCS inventory report, assumed when a CSV has no header row. */
export const GCS_DEFAULT_FIELDS = [
  'project',
  'bucket',
  'name',
  'location',
  'size',
  'timeCreated',
  'timeDeleted',
  'updated',
  'storageClass',
  'etag',
  'retentionExpirationTime',
  'crc32c',
  'md5Hash',
  'generation',
  'metageneration',
  'contentType',
  'contentEncoding',
  'timeStorageClassUpdated',
] as const;

/**
 * Google Cloud Storage inventory report: a CSV shard (header row, or the default field order when
 * the report was configured without one: name the format explicitly then), or its manifest JSON
 * (`report_shards_file_names`, `snapshot_time` as as-of; field names as third-party parsers read
 * them, unconfirmed by Google's docs). md5Hash is base64; crc32c is not a content hash custody uses.
 */
export const gcsInventory: ManifestFormat = {
  id: 'gcs-inventory',
  title: 'Google Cloud Storage inventory report (CSV or manifest JSON)',
  detect(head) {
    const text = headText(head);
    if (text.includes('"report_shards_file_names"')) return true;
    return isGcsHeader((text.split('\n', 1)[0] ?? '').split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readGcs(path, opts), opts.signal);
  },
};

function isGcsHeader(cells: string[]): boolean {
  return cells.includes('bucket') && cells.includes('name') && (cells.includes('md5Hash') || cells.includes('size'));
}

async function* readGcs(path: string, opts: ManifestOptions): AsyncGenerator<SourceEvent> {
  if (!path.toLowerCase().endsWith('.json')) {
    yield* readShard(path, opts.asOf);
    return;
  }
  const manifest = yield* inventoryManifest(path, opts.maxJsonBytes);
  if (manifest === undefined) return;
  const asOf = parseDate(str(manifest, 'snapshot_time')) ?? opts.asOf;
  const shards = field(manifest, 'report_shards_file_names');
  if (!Array.isArray(shards)) {
    yield coverage({ location: path, reason: 'manifest-unreadable', detail: 'no report_shards_file_names list', incomplete: true });
    return;
  }
  for (const shard of shards) {
    const found = typeof shard === 'string' ? await resolveDataFile(path, shard) : undefined;
    if (found?.kind !== 'found') {
      yield dataFileCoverage(typeof shard === 'string' ? shard : path, found, 'report shard not found locally');
      continue;
    }
    yield* readShard(found.file, asOf);
  }
}

function readShard(file: string, asOf: Date | undefined): AsyncGenerator<SourceEvent> {
  return headerCsv(file, { isHeader: isGcsHeader, defaultColumns: GCS_DEFAULT_FIELDS }, (columns) => gcsRowMapper(columns, file, asOf));
}

function gcsRowMapper(columns: string[], file: string, asOf: Date | undefined): HeaderRowMapper {
  const at = columnIndex(columns);
  const [iBucket, iName, iSize, iUpdated, iCreated, iDeleted, iMd5, iGeneration, iKms, iCsek, iComponents] = [
    'bucket',
    'name',
    'size',
    'updated',
    'timeCreated',
    'timeDeleted',
    'md5Hash',
    'generation',
    'kmsKeyName',
    'customerEncryption',
    'componentCount',
  ].map(at);
  const cell = (fields: string[], i: number | undefined): string => (i === undefined ? '' : (fields[i] ?? ''));
  const knowsEncryption = iKms !== undefined && iCsek !== undefined;
  return (fields, line, out) => {
    if (fields.length !== columns.length) {
      out.push(rowCoverage(file, line, `expected ${columns.length} columns, found ${fields.length}`));
      return;
    }
    const bucket = cell(fields, iBucket);
    const name = cell(fields, iName);
    const size = parseSize(cell(fields, iSize));
    if (bucket === '' || name === '' || size === undefined) {
      out.push(rowCoverage(file, line, size === undefined ? 'size is not a byte count' : 'empty bucket or name'));
      return;
    }
    // Noncurrent generations (timeDeleted set) still hold data: kept, located by generation.
    const generation = cell(fields, iGeneration);
    const suffix = cell(fields, iDeleted) !== '' && generation !== '' ? `#${generation}` : '';
    const item: Omit<Item, 'origin' | 'content'> = { location: `gs://${bucket}/${name}${suffix}`, size };
    const mtime = parseDate(cell(fields, iUpdated));
    if (mtime) item.mtime = mtime;
    const created = parseDate(cell(fields, iCreated));
    if (created) item.ctime = created;
    const rawMd5 = cell(fields, iMd5);
    const md5 = rawMd5 === '' ? undefined : base64ToHex(rawMd5, 16);
    if (rawMd5 !== '' && md5 === undefined) {
      out.push(rowCoverage(file, line, 'md5Hash is not a base64 MD5'));
      return;
    }
    if (md5 !== undefined) item.digests = { md5 };
    else item.opaqueDigest = cell(fields, iComponents) !== '' ? 'composite object (no MD5)' : 'no md5Hash in inventory';
    const encryption = gcsEncryption(cell(fields, iKms), cell(fields, iCsek) !== '', knowsEncryption);
    if (encryption) item.encryption = encryption;
    if (asOf) item.asOf = asOf;
    out.push(itemEvent(item));
  };
}
