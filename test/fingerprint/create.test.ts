import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFingerprints } from '../../src/fingerprint/create.js';
import { loadFingerprintFile, loadFingerprints } from '../../src/references/load.js';
import { FingerprintFileSchema } from '../../src/references/schema.js';
import { InputError } from '../../src/util/errors.js';
import { bytesOf, tempDir, writeTree } from '../support/tmp.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('createFingerprints', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let refs: string;
  let jpeg: Buffer;
  const files: Record<string, Buffer> = {};
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    refs = path.join(dir, 'agency data');
    jpeg = await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .jpeg()
      .toBuffer();
    Object.assign(files, {
      'lanes/cam 1/0001.jpg': jpeg,
      'travelers/p.bin': bytesOf('traveler', 3000),
      'notes/readme.txt': Buffer.from('agency reference notes\n'),
      'Zoë/ü.dat': bytesOf('unicode', 100),
    });
    await writeTree(refs, { ...files, 'empty.jpg': Buffer.alloc(0) });
  });
  afterAll(async () => cleanup());

  const create = () =>
    createFingerprints({
      roots: ['agency data'],
      cwd: dir,
      classes: [
        { glob: 'lanes/**', assetClass: 'vehicle-image' },
        { glob: 'travelers/**', assetClass: 'traveler-image' },
      ],
    });

  it('describes every non-empty reference: relative "/" ids, sorted, correct digests, sniffed media', async () => {
    const { file, coverage } = await create();
    expect(coverage).toEqual([]);
    expect(file.format).toBe('custody-fingerprints');
    expect(file.roots).toEqual(['agency data']);
    expect(file.references.map((r) => r.id)).toEqual(['Zoë/ü.dat', 'lanes/cam 1/0001.jpg', 'notes/readme.txt', 'travelers/p.bin']);
    for (const ref of file.references) {
      const bytes = files[ref.id]!;
      expect(ref).toMatchObject({ size: bytes.length, sha256: sha256(bytes), md5: md5(bytes) });
    }
    const byId = Object.fromEntries(file.references.map((r) => [r.id, r]));
    expect(byId['lanes/cam 1/0001.jpg']).toMatchObject({ class: 'vehicle-image', media: 'image/jpeg' });
    // class rules win over the media default, and media comes from magic bytes, not the extension
    expect(byId['travelers/p.bin']).toMatchObject({ class: 'traveler-image', media: 'application/octet-stream' });
    expect(byId['notes/readme.txt']).toMatchObject({ class: 'agency-data', media: 'text/plain' });
    expect(FingerprintFileSchema.safeParse(file).success).toBe(true);
  });

  it('is stable: two runs differ in createdAt only, and the digest is the same', async () => {
    const a = await create();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = await create();
    expect(a.file.createdAt).not.toBe(b.file.createdAt);
    expect(a.file.digest).toBe(b.file.digest);
    expect({ ...a.file, createdAt: '' }).toEqual({ ...b.file, createdAt: '' });
  });

  it('names references after the root when several roots are fingerprinted', async () => {
    await writeTree(path.join(dir, 'second'), { 'x.bin': bytesOf('second', 10) });
    const { file } = await createFingerprints({ roots: ['agency data', 'second'], cwd: dir });
    expect(file.references.map((r) => r.id)).toContain('second/x.bin');
    expect(file.references.map((r) => r.id)).toContain('agency data/travelers/p.bin');
  });

  it('never contains the reference bytes', async () => {
    const { file } = await create();
    const text = JSON.stringify(file);
    for (const bytes of Object.values(files)) {
      expect(text).not.toContain(bytes.toString('base64').slice(0, 24));
      expect(text).not.toContain(bytes.toString('hex').slice(0, 48));
    }
    expect(text).not.toContain('agency reference notes');
  });
});

describe('loadFingerprintFile', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let good: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeTree(path.join(dir, 'refs'), { 'a.bin': bytesOf('a', 50), 'b.bin': bytesOf('b', 60) });
    const { file } = await createFingerprints({ roots: ['refs'], cwd: dir });
    good = path.join(dir, 'good.fp.json');
    await writeFile(good, JSON.stringify(file, null, 2));
  });
  afterAll(async () => cleanup());

  it('loads a file it wrote, and indexes it by size, sha256 and md5', async () => {
    const loaded = await loadFingerprintFile(good);
    expect(loaded.file.references).toHaveLength(2);
    const index = await loadFingerprints([good]);
    const a = bytesOf('a', 50);
    expect(index.hasSize(50)).toBe(true);
    expect(index.hasSize(51)).toBe(false);
    expect(index.label(index.bySha(sha256(a))).id).toBe('a.bin');
    expect(index.label(index.byMd5(md5(a))).id).toBe('a.bin');
    expect(index.bySha(sha256(bytesOf('x', 50)))).toBe(-1);
  });

  it('accepts a re-serialised file (key order and whitespace do not change the digest)', async () => {
    const data = JSON.parse(await readFile(good, 'utf8')) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(data).reverse());
    const file = path.join(dir, 'reordered.json');
    await writeFile(file, JSON.stringify(reordered));
    await expect(loadFingerprintFile(file)).resolves.toBeDefined();
  });

  // file content | expected one-line reason
  const bad: [string, (text: string) => string, RegExp][] = [
    ['an edited reference size', (t) => t.replace('"size": 50', '"size": 51'), /digest does not match its content/],
    [
      'an added reference',
      (t) => t.replace('"references": [', `"references": [{"id":"x","class":"c","size":1,"sha256":"${'0'.repeat(64)}","md5":"${'0'.repeat(32)}","media":"x"},`),
      /digest does not match/,
    ],
    ['invalid JSON', (t) => t.slice(0, 40), /not valid JSON/],
    ['a wrong format', (t) => t.replace('"custody-fingerprints"', '"something-else"'), /not a custody fingerprint file: format/],
    ['a wrong version', (t) => t.replace('"version": 1', '"version": 2'), /not a custody fingerprint file: version/],
    ['an unknown key', (t) => t.replace('"roots"', '"extra": 1, "roots"'), /not a custody fingerprint file/],
  ];
  it.each(bad)('rejects %s with one InputError line naming the file', async (name, edit, reason) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
    await writeFile(file, edit(await readFile(good, 'utf8')));
    const error = await loadFingerprintFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message.startsWith(`${file}: `)).toBe(true);
    expect(message).toMatch(reason);
    expect(message).not.toContain('\n');
    expect((error as InputError).exitCode).toBe(2);
  });

  it('rejects a missing file with its error code', async () => {
    await expect(loadFingerprintFile(path.join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot read fingerprint file \(ENOENT\)/);
  });
});
