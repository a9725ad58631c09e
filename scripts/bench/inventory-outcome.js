#!/usr/bin/env node
// @ts-check
/**
 * An S3 inventory made to exercise every outcome of the reader, for checking that speed work changes
 * no report: rows whose ETag is the MD5 of an agency file (findings), public ACLs, undecodable keys,
 * wrong column counts, text after a quote, delete and folder markers, noncurrent versions, multipart
 * and KMS ETags, bad sizes, quoted newlines, CRLF; parts that are missing, truncated, of the wrong
 * MD5, plain (not gzip), and 2 bad rows per 1,000 at random places (seeded). Audit it with two builds
 * and compare the JSON reports:
 *   node scripts/bench/inventory-outcome.js <dir> <fingerprints.json> [rows per part]
 * Deterministic: the same arguments write the same bytes.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner';
const acl = (/** @type {object} */ doc) => Buffer.from(JSON.stringify(doc)).toString('base64');
const PUBLIC = acl({ status: 'AVAILABLE', grants: [{ type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' }] });
const PRIVATE = acl({ status: 'AVAILABLE', grants: [{ type: 'CanonicalUser', canonicalId: 'abc', permission: 'FULL_CONTROL' }] });
const UNAVAILABLE = acl({ status: 'UNAVAILABLE' });
const ENCRYPTION = ['SSE-S3', 'NOT-SSE', 'SSE-KMS', 'sse-s3', '', 'DSSE-KMS'];

const [dir, fpFile, perPartArg] = process.argv.slice(2);
if (!dir || !fpFile) {
  process.stderr.write('usage: inventory-outcome.js <dir> <fingerprints.json> [rows per part]\n');
  process.exit(2);
}
const perPart = Number(perPartArg ?? 20000);
const md5s = JSON.parse(await readFile(fpFile, 'utf8')).references.map((/** @type {{ md5: string }} */ r) => r.md5);
let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const q = (/** @type {string[]} */ cells) => cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',');

/** One row, the i-th of the inventory; about 1 in 100 is odd in one way or another. */
function line(/** @type {number} */ i) {
  const r = rand();
  const hex = createHash('md5').update(String(i)).digest('hex');
  let etag = i % 53 === 0 ? md5s[i % md5s.length] : hex;
  if (i % 31 === 0) etag = `${hex}-4`;
  if (i % 37 === 0) etag = hex.toUpperCase();
  if (i % 41 === 0) etag = `"${hex}"`;
  if (i % 43 === 0) etag = hex.slice(0, 30);
  let key = `cam/lane+${i % 13}/2024%2F${i % 12}/img+${i}.jpg`;
  if (i % 59 === 0) key = `caf%C3%A9/${i}%E2%82%AC.jpg`;
  if (i % 61 === 0) key = `plain/${i}.jpg`;
  const cells = [
    'agency-bucket',
    key,
    i % 17 === 0 ? `v${i}` : '',
    i % 34 === 0 ? 'false' : 'true',
    i % 97 === 0 ? 'true' : 'false',
    i % 89 === 0 ? '0' : String((i * 7919) % 5_000_000),
    i % 71 === 0 ? '' : `2024-0${1 + (i % 9)}-22T01:14:53.000Z`,
    etag,
    'STANDARD',
    i % 29 === 0 ? 'true' : i % 113 === 0 ? '' : 'false',
    '',
    ENCRYPTION[i % ENCRYPTION.length] ?? '',
    '',
    '',
    '',
    '',
    'DISABLED',
    '',
    i % 47 === 0 ? PUBLIC : i % 67 === 0 ? UNAVAILABLE : i % 79 === 0 ? '' : PRIVATE,
    i % 101 === 0 ? 'owner "x"\nline' : '',
  ];
  if (i % 89 === 0) cells[1] = `folder${i}/`;
  if (r < 0.0003) cells[1] = `bad%zz${i}`;
  else if (r < 0.0006) cells.pop();
  else if (r < 0.0009) return `${q(cells)}x`;
  else if (r < 0.0012) cells[5] = '12a';
  else if (r < 0.0015) cells[0] = '';
  else if (r < 0.0018) cells[18] = 'not-base64-json';
  else if (r < 0.002) return cells.join(',');
  return q(cells);
}

await mkdir(join(dir, 'data'), { recursive: true });
/** @type {{ name: string, gzip?: boolean, cut?: boolean, badMd5?: boolean, missing?: boolean, crlf?: boolean, bom?: boolean }[]} */
const parts = [
  { name: 'p0', gzip: true, bom: true },
  { name: 'p1', gzip: true, crlf: true },
  { name: 'p2', missing: true },
  { name: 'p3', gzip: true, cut: true },
  { name: 'p4', gzip: false },
  { name: 'p5', gzip: true, badMd5: true },
  { name: 'p6', gzip: true },
];
const files = [];
let i = 0;
for (const part of parts) {
  const file = `${part.name}.csv${part.gzip ? '.gz' : ''}`;
  const key = `inv/agency-bucket/cfg/data/${file}`;
  if (part.missing) {
    files.push({ key, size: 10, MD5checksum: '0'.repeat(32) });
    continue;
  }
  const lines = [];
  for (let n = 0; n < perPart; n++) lines.push(line(i++));
  let text = `${part.bom ? '\ufeff' : ''}${lines.join(part.crlf ? '\r\n' : '\n')}\n\n`;
  if (!part.gzip) text += '\n';
  let bytes = part.gzip ? gzipSync(Buffer.from(text)) : Buffer.from(text);
  if (part.cut) bytes = bytes.subarray(0, bytes.length >> 1);
  await writeFile(join(dir, 'data', file), bytes);
  const md5 = part.badMd5 ? 'f'.repeat(32) : createHash('md5').update(bytes).digest('hex');
  files.push({ key, size: bytes.length, MD5checksum: md5 });
}
const manifest = JSON.stringify({ sourceBucket: 'agency-bucket', creationTimestamp: '1713748800000', fileFormat: 'CSV', fileSchema: SCHEMA, files });
await writeFile(join(dir, 'manifest.json'), manifest);
await writeFile(join(dir, 'manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
process.stdout.write(`${join(dir, 'manifest.json')}\n`);
