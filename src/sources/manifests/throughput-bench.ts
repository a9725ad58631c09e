import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { readManifest } from './registry.js';

const SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner';
const ACL = Buffer.from('{"version":"2022-11-10","status":"AVAILABLE","grants":[{"type":"CanonicalUser","canonicalId":"abc","permission":"FULL_CONTROL"}]}').toString('base64');
const ENCRYPTION = ['SSE-S3', 'SSE-S3', 'SSE-S3', 'NOT-SSE', 'SSE-KMS'];

/** Paths of a generated inventory. */
export interface SyntheticInventory {
  manifest: string;
  dataFile: string;
  rows: number;
}

/**
 * Writes a realistic S3 Inventory (20-column CSV, gzip, manifest.json + manifest.checksum) of `rows`
 * objects into `dir`: keys with `+` and %-escapes, a mix of encryption statuses and multipart
 * ETags. Deterministic (no randomness), streamed, so 10 million rows need no memory.
 */
export async function writeSyntheticInventory(dir: string, rows: number, gzipLevel = 6): Promise<SyntheticInventory> {
  await mkdir(join(dir, 'data'), { recursive: true });
  const dataFile = join(dir, 'data', 'synthetic.csv.gz');
  async function* lines(): AsyncGenerator<string> {
    let batch = '';
    for (let i = 0; i < rows; i++) {
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
    yield `${batch}\n`;
  }
  await pipeline(lines(), createGzip({ level: gzipLevel }), createWriteStream(dataFile));
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(dataFile) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    size += chunk.length;
  }
  const manifest = JSON.stringify({
    sourceBucket: 'example-bucket',
    destinationBucket: 'arn:aws:s3:::inventory-dest',
    version: '2016-11-30',
    creationTimestamp: '1713748800000',
    fileFormat: 'CSV',
    fileSchema: SCHEMA,
    files: [{ key: 'inventory-dest/example-bucket/cfg/data/synthetic.csv.gz', size, MD5checksum: md5.digest('hex') }],
  });
  const manifestPath = join(dir, 'manifest.json');
  await writeFile(manifestPath, manifest);
  await writeFile(join(dir, 'manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
  return { manifest: manifestPath, dataFile, rows };
}

/** One throughput measurement: custody's reader against `zcat FILE | wc -l` on the same file. */
export interface ThroughputResult {
  rows: number;
  items: number;
  seconds: number;
  rowsPerSecond: number;
  zcatLines: number;
  zcatSeconds: number;
  zcatLinesPerSecond: number;
  /** How many times slower custody is than `zcat | wc -l` (zcatLinesPerSecond / rowsPerSecond). */
  ratio: number;
  /** Largest heap seen while reading, in MiB (sampled every 100k events). */
  peakHeapMiB: number;
}

/** Reads the inventory once with readManifest and once with `zcat | wc -l`; timings from one run each. */
export async function measureThroughput(inv: SyntheticInventory): Promise<ThroughputResult> {
  let items = 0;
  let events = 0;
  let peak = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  for await (const event of readManifest(inv.manifest)) {
    if (event.kind === 'item') items += 1;
    if (++events % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const z0 = process.hrtime.bigint();
  const { stdout } = await promisify(execFile)('sh', ['-c', 'zcat "$1" | wc -l', 'sh', inv.dataFile]);
  const zcatSeconds = Number(process.hrtime.bigint() - z0) / 1e9;
  const zcatLines = Number(stdout.trim());
  const rowsPerSecond = inv.rows / seconds;
  const zcatLinesPerSecond = zcatLines / zcatSeconds;
  return {
    rows: inv.rows,
    items,
    seconds,
    rowsPerSecond,
    zcatLines,
    zcatSeconds,
    zcatLinesPerSecond,
    ratio: zcatLinesPerSecond / rowsPerSecond,
    peakHeapMiB: peak / (1 << 20),
  };
}
