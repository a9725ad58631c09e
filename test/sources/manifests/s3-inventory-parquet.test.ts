import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildParquet, type ParquetColumn } from '../../hostile/support/data-files.js';
import { collect, itemAt } from './helpers.js';

/**
 * S3 Inventory reports delivered as Parquet (issue #18 item 5), with the columns AWS writes
 * (fileSchema as observed: bucket, key, version_id, ..., size int64, last_modified_date timestamp).
 * Before: every data file was `manifest-unsupported` and no object was listed.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'custody-s3-parquet-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Obj {
  key: string;
  size: number;
  etag: string;
  latest?: boolean;
  version?: string;
  deleteMarker?: boolean;
}

function inventoryParquet(objects: Obj[]): Buffer {
  const col = (name: string, data: unknown[], type: ParquetColumn['type'] = 'STRING'): ParquetColumn => ({ name, data, type });
  return buildParquet([
    col(
      'bucket',
      objects.map(() => 'agency-bucket'),
    ),
    col(
      'key',
      objects.map((o) => o.key),
    ),
    col(
      'version_id',
      objects.map((o) => o.version ?? null),
    ),
    col(
      'is_latest',
      objects.map((o) => o.latest ?? true),
      'BOOLEAN',
    ),
    col(
      'is_delete_marker',
      objects.map((o) => o.deleteMarker ?? false),
      'BOOLEAN',
    ),
    col(
      'size',
      objects.map((o) => BigInt(o.size)),
      'INT64',
    ),
    col(
      'last_modified_date',
      objects.map(() => new Date('2024-04-22T01:14:53.000Z')),
      'TIMESTAMP',
    ),
    col(
      'e_tag',
      objects.map((o) => o.etag),
    ),
    col(
      'storage_class',
      objects.map(() => 'STANDARD'),
    ),
    col(
      'is_multipart_uploaded',
      objects.map(() => false),
      'BOOLEAN',
    ),
    col(
      'encryption_status',
      objects.map(() => 'SSE-S3'),
    ),
  ]);
}

async function writeParquetInventory(name: string, objects: Obj[], md5?: string): Promise<string> {
  const root = join(dir, name);
  const data = inventoryParquet(objects);
  const key = 'inventory-dest/agency-bucket/cfg/data/part-0.parquet';
  await mkdir(join(root, 'data'), { recursive: true });
  await writeFile(join(root, 'data', 'part-0.parquet'), data);
  const manifest = JSON.stringify({
    sourceBucket: 'agency-bucket',
    destinationBucket: 'arn:aws:s3:::inventory-dest',
    version: '2016-11-30',
    creationTimestamp: '1713748800000',
    fileFormat: 'Parquet',
    fileSchema: 'message s3.inventory { required binary bucket (STRING); required binary key (STRING); }',
    files: [{ key, size: data.length, MD5checksum: md5 ?? createHash('md5').update(data).digest('hex') }],
  });
  await writeFile(join(root, 'manifest.json'), manifest);
  await writeFile(join(root, 'manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
  return join(root, 'manifest.json');
}

const ETAG = 'd8e8fca2dc0f896fd7cb4cb0031ba249';

describe('S3 Inventory as Parquet', () => {
  it('lists every object with its size, date and MD5, keys as written (spaces, plus signs, unicode)', async () => {
    const manifest = await writeParquetInventory('ok', [
      { key: 'lanes/2024/cam 1+2/é.jpg', size: 5120, etag: ETAG },
      { key: 'old.jpg', size: 7, etag: ETAG, latest: false, version: 'v1' },
      { key: 'gone.jpg', size: 0, etag: ETAG, deleteMarker: true },
      { key: 'folder/', size: 0, etag: ETAG },
    ]);
    const { items, coverage } = await collect(manifest);
    expect(coverage).toEqual([]);
    expect(items.map((i) => i.location)).toEqual(['s3://agency-bucket/lanes/2024/cam 1+2/é.jpg', 's3://agency-bucket/old.jpg?versionId=v1']);
    const first = itemAt(items, 's3://agency-bucket/lanes/2024/cam 1+2/é.jpg');
    expect(first.size).toBe(5120);
    expect(first.mtime?.toISOString()).toBe('2024-04-22T01:14:53.000Z');
    expect(first.digests).toEqual({ md5: ETAG });
  });

  it('a data file whose MD5 disagrees with the manifest: its rows stand, and it is reported', async () => {
    const manifest = await writeParquetInventory('bad-md5', [{ key: 'a.jpg', size: 5, etag: ETAG }], '0'.repeat(32));
    const { items, coverage } = await collect(manifest);
    expect(items.map((i) => i.location)).toEqual(['s3://agency-bucket/a.jpg']);
    expect(coverage).toMatchObject([{ reason: 'manifest-data-checksum', incomplete: true }]);
  });

  it('a data file that is not Parquet: manifest-unreadable, no crash', async () => {
    const manifest = await writeParquetInventory('not-parquet', [{ key: 'a.jpg', size: 5, etag: ETAG }]);
    await writeFile(join(dir, 'not-parquet', 'data', 'part-0.parquet'), 'Bucket,Key\n"agency-bucket","a.jpg"\n');
    const { items, coverage } = await collect(manifest);
    expect(items).toEqual([]);
    expect(coverage).toMatchObject([{ reason: 'manifest-unreadable', incomplete: true }]);
  });
});
