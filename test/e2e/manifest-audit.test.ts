import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { fingerprintDigest } from '../../src/references/load.js';
import type { FingerprintFile, Reference } from '../../src/references/schema.js';
import type { Report } from '../../src/report/model.js';
import type { Item } from '../../src/sources/item.js';
import { readManifest } from '../../src/sources/manifests/index.js';
import { row, writeInventory } from '../sources/manifests/inventory-builder.js';
import { captureIo, REPO_ROOT, tempDir } from '../support/tmp.js';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A fingerprint file with the given references, digest computed as `custody fingerprint` does. */
async function writeFingerprints(file: string, references: Reference[]): Promise<void> {
  const body: Omit<FingerprintFile, 'digest'> = {
    format: 'custody-fingerprints',
    version: 1,
    tool: { name: 'custody', version: '0.1.0' },
    createdAt: '2026-11-01T00:00:00.000Z',
    roots: ['agency-data'],
    references,
  };
  await writeFile(file, JSON.stringify({ ...body, digest: fingerprintDigest(body) }));
}

const reference = (id: string, digests: { md5?: string; sha256?: string }, size: number): Reference => ({
  id,
  class: 'vehicle-image',
  size,
  sha256: digests.sha256 ?? sha256(`no sha256 known for ${id}`),
  md5: digests.md5 ?? md5(`no md5 known for ${id}`),
  media: 'image/jpeg',
});

/** Every manifest sample in fixtures/manifests that names at least one object with a content hash. */
async function samples(): Promise<string[]> {
  const root = path.join(REPO_ROOT, 'fixtures/manifests');
  const out: string[] = [];
  for (const family of await readdir(root)) {
    const dir = path.join(root, family);
    if (!(await stat(dir)).isDirectory()) continue;
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith('.checksum') || name.endsWith('.base64.txt') || name.endsWith('.csv.gz')) continue;
      out.push(family === 'bagit' ? `${dir}/${name}` : file);
    }
  }
  return out.sort();
}

async function firstHashed(file: string): Promise<Item | undefined> {
  try {
    for await (const event of readManifest(file)) if (event.kind === 'item' && event.item.digests) return event.item;
  } catch {
    return undefined; // not a manifest on its own (e.g. an Azure rule manifest without its CSV)
  }
  return undefined;
}

describe('auditing export manifests, end to end through the CLI', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir('custody-manifest-e2e-')));
  afterAll(async () => cleanup());

  it('finds an agency object by its content hash in every manifest format, and flags its location', async () => {
    // The GCS sample in fixtures is a listing without md5Hash; a GCS inventory CSV (as in its docs) is made here.
    const gcs = path.join(dir, 'gcs', 'gcs-inventory.csv');
    await mkdir(path.dirname(gcs), { recursive: true });
    await writeFile(
      gcs,
      'project,bucket,name,location,size,timeCreated,timeDeleted,updated,storageClass,etag,retentionExpirationTime,crc32c,md5Hash,generation,metageneration,contentType,contentEncoding,timeStorageClassUpdated,componentCount\n' +
        'p,agency-gcs,plates/a.jpg,US,3354423528,2025-02-20T18:27:17Z,,2025-02-20T18:27:17Z,STANDARD,CKuVxbDw0osDEAE=,,YeC9gg==,skySRE+gMILYnhNWuLR0Eg==,1740076036999851,1,image/jpeg,,,\n',
    );
    const formats = new Set<string>();
    for (const file of [...(await samples()), gcs]) {
      const item = await firstHashed(file);
      if (!item) continue;
      const fp = path.join(dir, `fp-${formats.size}-${path.basename(file)}.json`);
      await writeFingerprints(fp, [reference('lanes/ref.jpg', item.digests!, Math.max(0, item.size))]);
      const io = captureIo(dir);
      const result = await run(['audit', '--manifest', file, '--fingerprints', fp, '--authorized', 'nowhere/**', '--format', 'json'], io);
      expect(result.exitCode, `${file}: ${io.err()}`).toBe(1);
      const report = JSON.parse(io.out()) as Report;
      const asset = report.assets.find((a) => a.location === item.location);
      expect(asset, `${file}: ${item.location}`).toMatchObject({ method: 'exact', reference: 'lanes/ref.jpg', origin: 'manifest' });
      expect(report.findings.filter((f) => f.location === item.location).map((f) => f.requirement)).toContain('location');
      formats.add(path.basename(path.dirname(file)));
    }
    // Every family of samples took part (the S3 inventory one through its manifest.json).
    expect([...formats].sort()).toEqual(['aws-cli', 'aws-s3-inventory', 'azure', 'bagit', 'coreutils', 'dfxml', 'gcs', 'hashdeep', 'rclone']);
  });

  it('S3 inventory: NOT-SSE agency objects outside the enclave get location and encryption findings on exactly those objects', async () => {
    const ref = { text: 'agency lane capture 0001', size: 120_000 };
    const refMd5 = md5(ref.text);
    const manifest = await writeInventory(path.join(dir, 'inventory'), [
      row({ key: 'exports/lane+3/capture%201.jpg', size: String(ref.size), etag: refMd5, encryption: 'NOT-SSE' }),
      row({ key: 'enclave/lanes/capture-1.jpg', size: String(ref.size), etag: refMd5, encryption: 'NOT-SSE' }),
      row({ key: 'exports/copy-sse.jpg', size: String(ref.size), etag: refMd5, encryption: 'SSE-S3' }),
      row({ key: 'exports/unrelated.jpg', size: '999', etag: md5('something else'), encryption: 'NOT-SSE' }),
      row({ key: 'exports/kms-candidate.jpg', size: String(ref.size), etag: md5('kms ciphertext etag'), encryption: 'SSE-KMS' }),
      row({ key: 'exports/multipart.jpg', size: String(ref.size), etag: `${md5('parts')}-3`, multipart: true, encryption: 'NOT-SSE' }),
    ]);
    await writeFingerprints(path.join(dir, 's3.fp.json'), [reference('lanes/capture-0001.jpg', { md5: refMd5 }, ref.size)]);
    await writeFile(
      path.join(dir, 's3-policy.yaml'),
      [
        'version: 1',
        'contract: { id: C-1, title: Test contract, agency: Test agency, clauses: [{ id: L, title: Locations }, { id: E, title: Encryption }] }',
        'assets: { fingerprints: [s3.fp.json] }',
        "locations: { authorized: ['s3://agency-bucket/enclave/**'] }",
        'protocols:',
        '  - { id: LOC, clause: L, title: Outside the enclave, severity: critical, require: { kind: location } }',
        '  - { id: ENC, clause: E, title: Not encrypted, severity: high, require: { kind: encryption, accept: [SSE-S3, SSE-KMS] } }',
      ].join('\n'),
    );
    const io = captureIo(dir);
    const result = await run(['audit', '--manifest', manifest, '--policy', 's3-policy.yaml', '--format', 'json'], io);
    expect(result.exitCode, io.err()).toBe(1);
    const report = JSON.parse(io.out()) as Report;
    const locations = (requirement: string) =>
      report.findings
        .filter((f) => f.requirement === requirement)
        .map((f) => f.location)
        .sort();
    expect(locations('location')).toEqual(['s3://agency-bucket/exports/copy-sse.jpg', 's3://agency-bucket/exports/lane 3/capture 1.jpg']);
    expect(locations('encryption')).toEqual(['s3://agency-bucket/enclave/lanes/capture-1.jpg', 's3://agency-bucket/exports/lane 3/capture 1.jpg']);
    // Opaque hashes of the right size are candidates, listed but never turned into violations.
    const unverifiable = report.assets
      .filter((a) => a.method === 'unverifiable')
      .map((a) => a.location)
      .sort();
    expect(unverifiable).toEqual(['s3://agency-bucket/exports/kms-candidate.jpg', 's3://agency-bucket/exports/multipart.jpg']);
    expect(report.assets.some((a) => a.location.endsWith('unrelated.jpg'))).toBe(false);
    // The encryption clause was evaluated (the input is a manifest), and retention would use the inventory's time.
    expect(report.clauses.find((c) => c.id === 'E')!.verdict).toBe('violated');
  });
});
