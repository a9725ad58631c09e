import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectManifestFormat, MANIFEST_FORMATS, readManifest } from '../../../src/sources/manifests/registry.js';
import { ManifestError } from '../../../src/sources/manifests/types.js';
import { collect, SAMPLE_ROOTS } from './helpers.js';

const EXPECTED: Record<string, string> = {
  'aws-s3-inventory/constructed-manifest.json': 's3-inventory',
  'aws-cli/list-objects-v2.multipart-etag.json': 's3-list-objects',
  'aws-cli/list-objects-v2.with-owner.json': 's3-list-objects',
  'azure/Rule_1-manifest.json': 'azure-inventory',
  'azure/az-storage-blob-list.json': 'azure-blob-list',
  'gcs/gcloud-storage-ls-full.json': 'gcloud-storage-ls',
  'rclone/lsjson-hash.drive.json': 'rclone-lsjson',
  'rclone/lsjson-hash.gcs.json': 'rclone-lsjson',
  'rclone/md5sum.s3.txt': 'checksum-list',
  'rclone/hashsum-md5.missing-hash-line.txt': 'checksum-list',
  'coreutils/SHA256SUMS.escaped-names.txt': 'checksum-list',
  'coreutils/SHA256SUMS.bsd-tag.txt': 'checksum-list',
  'coreutils/SHA256SUMS.nul-terminated.bin': 'checksum-list',
  'coreutils/MD5SUMS.binary-marker.txt': 'checksum-list',
  'coreutils/shasum-perl-6.02.txt': 'checksum-list',
  'hashdeep/hashdeep-4.4.local.txt': 'hashdeep',
  'hashdeep/md5deep-4.4.local.txt': 'checksum-list',
  'hashdeep/sha256deep-z-4.4.local.txt': 'checksum-list',
  'bagit/constructed-bag': 'bagit',
  'bagit/constructed-bag/bagit.txt': 'bagit',
  'dfxml/difference_test_0.xml': 'dfxml',
  'dfxml/hashdeep-4.4-d.local.xml': 'dfxml',
};

for (const root of SAMPLE_ROOTS) {
  describe.skipIf(!root.present)(`format detection: ${root.name}`, () => {
    it.each(Object.entries(EXPECTED))('%s is %s', async (path, id) => {
      expect((await detectManifestFormat(join(root.dir, path))).id).toBe(id);
    });
  });
}

describe('readManifest errors and hostile input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-registry-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has unique format ids', () => {
    expect(new Set(MANIFEST_FORMATS.map((f) => f.id)).size).toBe(MANIFEST_FORMATS.length);
  });

  it('throws a one-line ManifestError naming the file for an unknown format, id or path', async () => {
    const file = join(dir, 'notes.txt');
    await writeFile(file, 'just some notes\n');
    for (const [path, opts, pattern] of [
      [file, {}, /not a manifest format custody recognises/],
      [file, { format: 'nope' }, /unknown manifest format "nope" \(known: s3-inventory,/],
      [join(dir, 'absent.json'), {}, /cannot read manifest \(ENOENT\)/],
    ] as const) {
      const error = await collect(path, opts).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as ManifestError).message).toMatch(pattern);
      expect((error as ManifestError).message).toContain(path);
      expect((error as ManifestError).message).not.toContain('\n');
    }
  });

  it('never throws on random or truncated bytes, whichever format is forced', async () => {
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const samples: Buffer[] = [
      Buffer.from('{"sourceBucket":"b","fileSchema":"Bucket, Key","files":[{"key":"../../x"}]'),
      Buffer.from('[{"Path":'),
      Buffer.from('%%%% HASHDEEP-1.0\n%%%% size,filename\n'),
    ];
    for (let i = 0; i < 20; i++) samples.push(Buffer.from(Array.from({ length: 200 + Math.floor(next() * 2000) }, () => Math.floor(next() * 256))));
    for (const [n, bytes] of samples.entries()) {
      const file = join(dir, `fuzz-${n}`);
      await writeFile(file, bytes);
      for (const format of MANIFEST_FORMATS) {
        const events = [];
        for await (const event of readManifest(file, { format: format.id })) events.push(event);
        for (const e of events) expect(['item', 'coverage', 'notice']).toContain(e.kind);
      }
    }
  });
});
