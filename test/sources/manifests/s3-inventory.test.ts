import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, itemAt, SAMPLE_ROOTS } from './helpers.js';
import { row, writeInventory } from './inventory-builder.js';

const ASOF = new Date(1713748800000);
const MD5 = 'd8e8fca2dc0f896fd7cb4cb0031ba249';
const PUBLIC_ACL = {
  version: '2022-11-10',
  status: 'AVAILABLE',
  grants: [{ type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' }],
};

for (const root of SAMPLE_ROOTS) {
  describe.skipIf(!root.present)(`S3 inventory: ${root.name}`, () => {
    it('reads the constructed manifest, its checksum and its gzip CSV data file', async () => {
      const { items, coverage, notices } = await collect(join(root.dir, 'aws-s3-inventory/constructed-manifest.json'));
      expect(coverage).toEqual([]);
      expect(items.map((i) => i.location)).toEqual(['s3://bucket/inventory_test/key1', 's3://bucket/inventory_test/key2']);
      expect(itemAt(items, 's3://bucket/inventory_test/key2')).toEqual({
        location: 's3://bucket/inventory_test/key2',
        origin: 'manifest',
        size: 5,
        mtime: new Date('2024-04-22T01:14:53.000Z'),
        encryption: 'SSE-S3',
        digests: { md5: MD5 },
        asOf: new Date(1713748800000),
        publicGrants: [],
      });
      expect(notices.at(-1)?.message).toMatch(/2 object\(s\); skipped 0 delete marker\(s\) and 1 folder marker/);
    });
  });
}

describe('S3 inventory edge cases', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-s3inv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes keys, applies the ETag rule per row, reads ACLs and keeps going past bad rows', async () => {
    const manifest = await writeInventory(join(dir, 'mixed'), [
      row({ key: 'lane+3/img%2B1%20%C3%A9.jpg', encryption: 'NOT-SSE' }),
      row({ key: 'multi.jpg', etag: `${MD5}-5`, multipart: true }),
      row({ key: 'kms.jpg', encryption: 'SSE-KMS' }),
      row({ key: 'public.jpg', acl: PUBLIC_ACL }),
      '"agency-bucket","short-row.jpg","5"',
      row({ key: 'bad%E0%A4%A.jpg' }),
      row({ key: 'gone.jpg', deleteMarker: true, size: '' }),
      row({ key: 'old.jpg', latest: false, version: 'v1' }),
      row({ key: 'after-bad-rows.jpg', size: '42' }),
    ]);
    const { items, coverage } = await collect(manifest);
    const data = join(dir, 'mixed/data/part-0.csv.gz');
    expect(itemAt(items, 's3://agency-bucket/lane 3/img+1 \u00e9.jpg')).toMatchObject({ digests: { md5: MD5 }, encryption: 'NOT-SSE', asOf: ASOF });
    const multi = itemAt(items, 's3://agency-bucket/multi.jpg');
    expect(multi.digests).toBeUndefined();
    expect(multi.opaqueDigest).toBe('multipart ETag');
    const kms = itemAt(items, 's3://agency-bucket/kms.jpg');
    expect(kms.digests).toBeUndefined();
    expect(kms.opaqueDigest).toBe('ETag under SSE-KMS');
    expect(itemAt(items, 's3://agency-bucket/public.jpg').publicGrants).toEqual(['AllUsers READ']);
    expect(itemAt(items, 's3://agency-bucket/old.jpg?versionId=v1').size).toBe(5);
    expect(itemAt(items, 's3://agency-bucket/after-bad-rows.jpg').size).toBe(42);
    expect(items.some((i) => i.location.includes('gone.jpg'))).toBe(false);
    expect(coverage).toEqual([
      { location: `${data}:5`, reason: 'manifest-row', detail: 'expected 20 columns, found 3', incomplete: true },
      { location: `${data}:6`, reason: 'manifest-row', detail: 'Key is not valid URL encoding', incomplete: true },
    ]);
  });

  it('reports a data file whose MD5 differs from the manifest, after its rows', async () => {
    const manifest = await writeInventory(join(dir, 'badmd5'), [row({ key: 'a.jpg' })], { md5: '0'.repeat(32) });
    const { items, coverage } = await collect(manifest);
    expect(items).toHaveLength(1);
    expect(coverage).toMatchObject([{ reason: 'manifest-data-checksum', incomplete: true }]);
  });

  it('reports a missing data file and a manifest whose checksum does not match', async () => {
    const manifest = await writeInventory(join(dir, 'missing'), [row({ key: 'a.jpg' })], { key: 'x/y/other.csv.gz', checksum: 'bad' });
    const { items, coverage } = await collect(manifest);
    expect(items).toEqual([]);
    expect(coverage.map((c) => c.reason)).toEqual(['manifest-checksum', 'manifest-data-missing']);
    expect(coverage.every((c) => c.incomplete)).toBe(true);
  });

  it('warns when manifest.checksum is absent', async () => {
    const manifest = await writeInventory(join(dir, 'nochecksum'), [row({ key: 'a.jpg' })], { checksum: 'none' });
    const { notices } = await collect(manifest);
    expect(notices[0]).toMatchObject({ level: 'warning', message: expect.stringMatching(/no manifest\.checksum/) });
  });

  it('turns a truncated gzip into coverage, keeping the rows before the cut', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row({ key: `k/${i}.jpg`, etag: (i * 7919).toString(16).padStart(32, '0') }));
    const full = await writeInventory(join(dir, 'full'), rows);
    const whole = (await collect(full)).items.length;
    const cut = await writeInventory(join(dir, 'cut'), rows, { truncateTo: 20_000 });
    const { items, coverage } = await collect(cut);
    expect(whole).toBe(5000);
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThan(5000);
    expect(coverage.map((c) => c.reason)).toContain('manifest-truncated');
  });

  it('finds a data file by its key under an ancestor of the manifest folder', async () => {
    const manifest = await writeInventory(join(dir, 'layout'), [row({ key: 'a.jpg' })], {
      dataPath: 'inventory-dest/agency-bucket/cfg/data/part-0.csv.gz',
      manifestPath: 'inventory-dest/agency-bucket/cfg/2024-04-22T00-00Z/manifest.json',
    });
    const { items, coverage } = await collect(manifest);
    expect(coverage).toEqual([]);
    expect(items.map((i) => i.location)).toEqual(['s3://agency-bucket/a.jpg']);
  });

  it('says ORC data files are not supported instead of misreading them (Parquet ones are read: s3-inventory-parquet.test.ts)', async () => {
    const manifest = await writeInventory(join(dir, 'orc'), [row({ key: 'a.jpg' })], { fileFormat: 'ORC' });
    const { items, coverage } = await collect(manifest);
    expect(items).toEqual([]);
    expect(coverage).toMatchObject([{ reason: 'manifest-unsupported', incomplete: true, detail: expect.stringMatching(/ORC/) }]);
  });
});
