import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_SIZE } from '../../../src/sources/manifests/types.js';
import { collect, SAMPLE_ROOTS } from './helpers.js';

for (const root of SAMPLE_ROOTS) {
  describe.skipIf(!root.present)(`cloud listings: ${root.name}`, () => {
    const read = (p: string, opts = {}) => collect(join(root.dir, p), opts);

    it('list-objects-v2: quoted single-part ETag is MD5, a -52 multipart ETag is opaque', async () => {
      const owner = await read('aws-cli/list-objects-v2.with-owner.json', { bucket: 'ml-bucket' });
      expect(owner.items).toEqual([
        {
          location: 's3://ml-bucket/1/models/m-314f3f443a5441b5b6523bc01e748b4a/artifacts/MLmodel',
          origin: 'manifest',
          size: 1259,
          mtime: new Date('2025-08-05T10:44:12.000Z'),
          digests: { md5: '7f22c7b78675df831b34276dde1b7f67' },
        },
      ]);
      const multi = await read('aws-cli/list-objects-v2.multipart-etag.json');
      expect(multi.items[0]).toMatchObject({ size: 435649349, opaqueDigest: 'multipart ETag' });
      expect(multi.items[0]?.digests).toBeUndefined();
      expect(multi.items[0]?.location).toMatch(/^s3:\/\/\(unknown-bucket\)\/e2f56c/);
      expect(multi.notices[0]?.level).toBe('warning');
    });

    it('rclone lsjson: Hashes kept as hex content digests', async () => {
      const drive = await read('rclone/lsjson-hash.drive.json');
      expect(drive.items).toEqual([
        {
          location: '7:22:26/Main Cam/Disk 1/P1000001.MOV',
          origin: 'manifest',
          size: 1096144887,
          mtime: new Date('2026-07-22T23:29:16.000Z'),
          digests: { md5: '36c7b2e37b9123447525c2bdadb66fca', sha1: 'b12a82d0ce76d6a78b2fbdbd67f575f5dc07c5bc' },
        },
      ]);
      expect((await read('rclone/lsjson-hash.gcs.json')).items[0]?.digests).toEqual({ md5: 'e93ac5364e7799bbd866628d66c7b773' });
    });

    it('az storage blob list: base64 contentMd5 decoded, account from options', async () => {
      const { items } = await read('azure/az-storage-blob-list.json', { azureAccount: 'pmstore' });
      expect(items).toEqual([
        {
          location: 'azure://pmstore/pm-tank-01/blob.md',
          origin: 'manifest',
          size: 1955,
          mtime: new Date('2023-01-19T11:33:04+00:00'),
          ctime: new Date('2023-01-19T11:33:04+00:00'),
          encryption: 'AZURE-SSE',
          digests: { md5: 'f62214518a916de5625231e0f6cac21d' },
        },
      ]);
    });

    it('gcloud storage ls --json: objects kept, prefixes skipped, no hash is opaque', async () => {
      const { items } = await read('gcs/gcloud-storage-ls-full.json');
      expect(items).toEqual([{ location: 'gs://bucket1/object1', origin: 'manifest', size: UNKNOWN_SIZE, opaqueDigest: 'no md5Hash in listing' }]);
    });

    it('Azure inventory manifest: a data file not downloaded is coverage', async () => {
      const { items, coverage } = await read('azure/Rule_1-manifest.json');
      expect(items).toEqual([]);
      expect(coverage).toMatchObject([{ location: '2021/05/26/13-25-36/Rule_1/Rule_1.csv', reason: 'manifest-data-missing', incomplete: true }]);
    });
  });
}

describe('cloud inventories built from the documented fields', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-cloud-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('Azure: manifest -> CSV with header; account from endpoint; asOf from inventoryStartTime', async () => {
    const run = join(dir, 'azure/2021/05/26/13-25-36/Rule_1');
    await mkdir(run, { recursive: true });
    const csv = [
      'Name,Creation-Time,Last-Modified,Content-Length,Content-MD5,BlobType,EncryptionScope,CustomerProvidedKeySha256',
      'photos/lane 1/a.jpg,2021-05-01T00:00:00Z,2021-05-02T00:00:00Z,1955,9iIUUYqRbeViUjHg9srCHQ==,BlockBlob,,',
      '"photos/b,c.jpg",2021-05-01T00:00:00Z,2021-05-02T00:00:00Z,10,,BlockBlob,agency-scope,',
      'photos/d.jpg,2021-05-01T00:00:00Z,2021-05-02T00:00:00Z,10,bm90LW1kNQ==,BlockBlob,,',
      'photos/e.jpg,x,x,ten,,BlockBlob,,',
    ].join('\n');
    await writeFile(join(run, 'Rule_1.csv'), gzipSync(csv));
    const manifest = JSON.stringify({
      destinationContainer: 'inv',
      endpoint: 'https://agencyacct.blob.core.windows.net',
      files: [{ blob: '2021/05/26/13-25-36/Rule_1/Rule_1.csv', size: gzipSync(csv).length }],
      inventoryStartTime: '2021-05-26T13:25:36Z',
      ruleDefinition: { format: 'csv' },
      ruleName: 'Rule_1',
      status: 'Succeeded',
    });
    await writeFile(join(run, 'Rule_1-manifest.json'), manifest);
    await writeFile(join(run, 'Rule_1-manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
    const { items, coverage, notices } = await collect(join(run, 'Rule_1-manifest.json'));
    expect(notices).toEqual([]);
    expect(items.map((i) => [i.location, i.size, i.digests?.md5 ?? i.opaqueDigest, i.encryption, i.asOf?.toISOString()])).toEqual([
      ['azure://agencyacct/photos/lane 1/a.jpg', 1955, 'f62214518a916de5625231e0f6cac21d', undefined, '2021-05-26T13:25:36.000Z'],
      ['azure://agencyacct/photos/b,c.jpg', 10, 'no Content-MD5 in inventory', 'AZURE-SCOPE:agency-scope', '2021-05-26T13:25:36.000Z'],
    ]);
    const csvPath = join(run, 'Rule_1.csv');
    expect(coverage).toEqual([
      { location: `${csvPath}:4`, reason: 'manifest-row', detail: 'Content-MD5 is not a base64 MD5', incomplete: true },
      { location: `${csvPath}:5`, reason: 'manifest-row', detail: 'Content-Length is not a byte count', incomplete: true },
    ]);
  });

  it('GCS: inventory CSV with header; md5Hash base64 decoded; composite objects opaque', async () => {
    const file = join(dir, 'gcs-inventory.csv');
    await writeFile(
      file,
      [
        'project,bucket,name,location,size,timeCreated,timeDeleted,updated,storageClass,etag,retentionExpirationTime,crc32c,md5Hash,generation,metageneration,contentType,contentEncoding,timeStorageClassUpdated,componentCount',
        'p,agency-gcs,plates/a.jpg,US,3354423528,2025-02-20T18:27:17Z,,2025-02-20T18:27:17Z,STANDARD,CKuVxbDw0osDEAE=,,YeC9gg==,skySRE+gMILYnhNWuLR0Eg==,1740076036999851,1,image/jpeg,,,',
        'p,agency-gcs,plates/composed.jpg,US,5,2025-02-20T18:27:17Z,,2025-02-20T18:27:17Z,STANDARD,x,,YeC9gg==,,1,1,image/jpeg,,,2',
      ].join('\n'),
    );
    const { items, coverage } = await collect(file, { asOf: new Date('2025-03-01T00:00:00Z') });
    expect(coverage).toEqual([]);
    expect(items.map((i) => [i.location, i.size, i.digests?.md5 ?? i.opaqueDigest, i.asOf?.toISOString()])).toEqual([
      ['gs://agency-gcs/plates/a.jpg', 3354423528, 'b24c92444fa03082d89e1356b8b47412', '2025-03-01T00:00:00.000Z'],
      ['gs://agency-gcs/plates/composed.jpg', 5, 'composite object (no MD5)', '2025-03-01T00:00:00.000Z'],
    ]);
  });

  it('GCS: a headerless shard is read in the default field order when the format is named', async () => {
    const file = join(dir, 'gcs-noheader.csv');
    await writeFile(file, 'p,agency-gcs,x.jpg,US,7,2025-02-20T18:27:17Z,,2025-02-20T18:27:17Z,STANDARD,e,,c,skySRE+gMILYnhNWuLR0Eg==,1,1,image/jpeg,,\n');
    const { items } = await collect(file, { format: 'gcs-inventory' });
    expect(items.map((i) => [i.location, i.size, i.digests])).toEqual([['gs://agency-gcs/x.jpg', 7, { md5: 'b24c92444fa03082d89e1356b8b47412' }]]);
  });
});
