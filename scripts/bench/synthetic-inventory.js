// A synthetic S3 Inventory for the inventory benchmark rows and the reader's memory test: the bench
// generates it, it is not part of custody.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner';
const ACL = Buffer.from('{"version":"2022-11-10","status":"AVAILABLE","grants":[{"type":"CanonicalUser","canonicalId":"abc","permission":"FULL_CONTROL"}]}').toString('base64');
const ENCRYPTION = ['SSE-S3', 'SSE-S3', 'SSE-S3', 'NOT-SSE', 'SSE-KMS'];

/** @typedef {{ manifest: string, dataFiles: string[], rows: number }} SyntheticInventory Paths of a generated inventory. */

/**
 * Writes a realistic S3 Inventory (20-column CSV, gzip, manifest.json + manifest.checksum) of `rows`
 * objects into `dir`: keys with `+` and %-escapes, a mix of encryption statuses and multipart
 * ETags. Like AWS, the rows are delivered as several gzip parts (`data/<id>.csv.gz`, listed in
 * `files[]` in order); `parts` 1 gives one. Deterministic (no randomness), streamed, so 10 million
 * rows need no memory.
 * @param {string} dir
 * @param {number} rows
 * @param {number} [gzipLevel]
 * @param {number} [parts]
 * @returns {Promise<SyntheticInventory>}
 */
export async function writeSyntheticInventory(dir, rows, gzipLevel = 6, parts = 8) {
  await mkdir(join(dir, 'data'), { recursive: true });
  /** @type {{ key: string, size: number, MD5checksum: string }[]} */
  const files = [];
  const dataFiles = [];
  for (let part = 0; part < parts; part++) {
    // AWS names parts by a UUID; a digest of the part number keeps the bench deterministic.
    const name = `${createHash('sha256').update(`part ${part} of ${parts}`).digest('hex').slice(0, 32)}.csv.gz`;
    const dataFile = join(dir, 'data', name);
    await pipeline(partLines(Math.floor((rows * part) / parts), Math.floor((rows * (part + 1)) / parts)), createGzip({ level: gzipLevel }), createWriteStream(dataFile));
    const md5 = createHash('md5');
    let size = 0;
    for await (const chunk of /** @type {AsyncIterable<Buffer>} */ (createReadStream(dataFile))) {
      md5.update(chunk);
      size += chunk.length;
    }
    files.push({ key: `inventory-dest/example-bucket/cfg/data/${name}`, size, MD5checksum: md5.digest('hex') });
    dataFiles.push(dataFile);
  }
  const manifest = JSON.stringify({
    sourceBucket: 'example-bucket',
    destinationBucket: 'arn:aws:s3:::inventory-dest',
    version: '2016-11-30',
    creationTimestamp: '1713748800000',
    fileFormat: 'CSV',
    fileSchema: SCHEMA,
    files,
  });
  const manifestPath = join(dir, 'manifest.json');
  await writeFile(manifestPath, manifest);
  await writeFile(join(dir, 'manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
  return { manifest: manifestPath, dataFiles, rows };
}

/**
 * Rows `from` to `to` (exclusive), in batches of about 1 MiB.
 * @param {number} from
 * @param {number} to
 * @returns {AsyncGenerator<string>}
 */
async function* partLines(from, to) {
  let batch = '';
  for (let i = from; i < to; i++) {
    // Distinct 32-hex values without hashing, so generation is not the bottleneck.
    const hex = (Math.imul(i, 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(4);
    const etag = i % 7 === 0 ? `${hex}-${(i % 50) + 2}` : hex;
    const key = `captures/lane+${i % 97}/2024%2F${i % 12}/img+${i}.jpg`;
    batch += `"example-bucket","${key}","","true","false","${(i * 7919) % 5_000_000}","2024-04-22T01:14:53.000Z","${etag}","STANDARD","${i % 7 === 0}","","${ENCRYPTION[i % ENCRYPTION.length]}","","","","","DISABLED","","${ACL}",""\n`;
    if (batch.length > 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  yield batch;
}
