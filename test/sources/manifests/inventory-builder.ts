import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner';

export interface RowSpec {
  key: string;
  size?: string;
  etag?: string;
  multipart?: boolean;
  encryption?: string;
  acl?: object;
  latest?: boolean;
  version?: string;
  deleteMarker?: boolean;
}

/** One 20-column inventory CSV line, every value quoted as AWS writes them. */
export function row(spec: RowSpec, bucket = 'agency-bucket'): string {
  const acl = spec.acl === undefined ? '' : Buffer.from(JSON.stringify(spec.acl)).toString('base64');
  const cells = [
    bucket,
    spec.key,
    spec.version ?? '',
    String(spec.latest ?? true),
    String(spec.deleteMarker ?? false),
    spec.size ?? '5',
    '2024-04-22T01:14:53.000Z',
    spec.etag ?? 'd8e8fca2dc0f896fd7cb4cb0031ba249',
    'STANDARD',
    String(spec.multipart ?? false),
    '',
    spec.encryption ?? 'SSE-S3',
    '',
    '',
    '',
    '',
    'DISABLED',
    '',
    acl,
    '',
  ];
  return cells.map((c) => `"${c}"`).join(',');
}

export interface InventoryOptions {
  /** Where the data file goes, relative to `dir`; its key in the manifest is `key`. */
  dataPath?: string;
  key?: string;
  /** Replace the data file's MD5 in the manifest with this. */
  md5?: string;
  /** Cut the gzip to this many bytes. */
  truncateTo?: number;
  checksum?: 'good' | 'bad' | 'none';
  fileFormat?: string;
  manifestPath?: string;
}

/** Writes manifest.json (+ manifest.checksum) and one gzip CSV data file; returns the manifest path. */
export async function writeInventory(dir: string, lines: string[], opts: InventoryOptions = {}): Promise<string> {
  const dataPath = join(dir, opts.dataPath ?? 'data/part-0.csv.gz');
  let gz = gzipSync(Buffer.from(`${lines.join('\n')}\n\n`));
  const md5 = opts.md5 ?? createHash('md5').update(gz).digest('hex');
  const size = gz.length;
  if (opts.truncateTo !== undefined) gz = gz.subarray(0, opts.truncateTo);
  await mkdir(dirname(dataPath), { recursive: true });
  await writeFile(dataPath, gz);
  const manifest = JSON.stringify({
    sourceBucket: 'agency-bucket',
    destinationBucket: 'arn:aws:s3:::inventory-dest',
    version: '2016-11-30',
    creationTimestamp: '1713748800000',
    fileFormat: opts.fileFormat ?? 'CSV',
    fileSchema: SCHEMA,
    files: [{ key: opts.key ?? 'inventory-dest/agency-bucket/cfg/data/part-0.csv.gz', size, MD5checksum: md5 }],
  });
  const manifestPath = join(dir, opts.manifestPath ?? 'manifest.json');
  await mkdir(dirname(manifestPath), { recursive: true });
  await writeFile(manifestPath, manifest);
  const checksum = opts.checksum ?? 'good';
  if (checksum !== 'none') {
    const sum = checksum === 'good' ? createHash('md5').update(manifest).digest('hex') : '0'.repeat(32);
    await writeFile(join(dirname(manifestPath), 'manifest.checksum'), sum);
  }
  return manifestPath;
}
