import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_SIZE } from '../../../src/sources/manifests/types.js';
import { collect, SAMPLE_ROOTS } from './helpers.js';

const SHA = {
  plain: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
  space: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  backslash: '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881',
  newline: 'a1fce4363854ff888cff4b8e7875d600c2682390412a8cf79b37d0b11148b0fa',
  empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

for (const root of SAMPLE_ROOTS) {
  describe.skipIf(!root.present)(`hash lists: ${root.name}`, () => {
    const read = (p: string) => collect(join(root.dir, p));

    it('unescapes GNU sha256sum names (\\\\ and \\n on lines starting with a backslash)', async () => {
      const { items, coverage } = await read('coreutils/SHA256SUMS.escaped-names.txt');
      expect(coverage).toEqual([]);
      expect(items.map((i) => [i.location, i.digests?.sha256, i.size])).toEqual([
        ['plain.txt', SHA.plain, UNKNOWN_SIZE],
        ['with space.txt', SHA.space, UNKNOWN_SIZE],
        ['back\\slash.txt', SHA.backslash, UNKNOWN_SIZE],
        ['new\nline.txt', SHA.newline, UNKNOWN_SIZE],
        ['sub/empty.bin', SHA.empty, UNKNOWN_SIZE],
      ]);
      expect(items.every((i) => i.origin === 'manifest' && i.content === undefined)).toBe(true);
    });

    it('reads the binary marker, BSD tag, perl shasum and NUL-terminated forms', async () => {
      expect((await read('coreutils/MD5SUMS.binary-marker.txt')).items.map((i) => [i.location, i.digests])).toEqual([
        ['plain.txt', { md5: 'b1946ac92492d2347c6235b4d2611184' }],
        ['sub/empty.bin', { md5: 'd41d8cd98f00b204e9800998ecf8427e' }],
      ]);
      const tag = await read('coreutils/SHA256SUMS.bsd-tag.txt');
      expect(tag.items.map((i) => [i.location, i.digests?.sha256])).toEqual([
        ['plain.txt', SHA.plain],
        ['back\\slash.txt', SHA.backslash],
      ]);
      const perl = await read('coreutils/shasum-perl-6.02.txt');
      expect(perl.items.map((i) => i.location)).toEqual(['plain.txt', 'back\\slash.txt']);
      const nul = await read('coreutils/SHA256SUMS.nul-terminated.bin');
      expect(nul.items.map((i) => [i.location, i.digests?.sha256])).toEqual([
        ['plain.txt', SHA.plain],
        ['new\nline.txt', SHA.newline],
      ]);
    });

    it('reads hashdeep columns, joining a name split by an unescaped newline', async () => {
      const { items, coverage } = await read('hashdeep/hashdeep-4.4.local.txt');
      expect(coverage).toEqual([]);
      expect(items.find((i) => i.location === 'data/new\nline.txt')).toMatchObject({
        size: 1,
        digests: { md5: '415290769594460e2e485922904f345d', sha256: SHA.newline },
      });
      expect(items.find((i) => i.location === 'data/back\\slash.txt')?.digests?.sha256).toBe(SHA.backslash);
      expect(items).toHaveLength(5);
    });

    it('reads md5deep and sha256deep -z output (sizes, unescaped names)', async () => {
      const md5deep = await read('hashdeep/md5deep-4.4.local.txt');
      expect(md5deep.items.map((i) => i.location)).toEqual([
        'data/back\\slash.txt',
        'data/new\nline.txt',
        'data/sub/empty.bin',
        'data/with space.txt',
        'data/plain.txt',
      ]);
      const z = await read('hashdeep/sha256deep-z-4.4.local.txt');
      expect(z.items.map((i) => [i.location, i.size])).toEqual([
        ['data/back\\slash.txt', 1],
        ['data/new\nline.txt', 1],
        ['data/sub/empty.bin', 0],
        ['data/with space.txt', 3],
        ['data/plain.txt', 6],
      ]);
    });

    it('reads rclone md5sum output, and a missing hash (32 blanks) as opaque, not dropped', async () => {
      expect((await read('rclone/md5sum.s3.txt')).items.map((i) => i.location)).toEqual(['10M.singlepart', '10M.multipart', '10M.multithread']);
      const missing = await read('rclone/hashsum-md5.missing-hash-line.txt');
      expect(missing.items).toEqual([
        { location: '3550126-3306548-2020_VS_PPFS_Ye.mp4', origin: 'manifest', size: UNKNOWN_SIZE, opaqueDigest: 'no hash in manifest' },
      ]);
    });
  });
}

describe('hostile hash lists', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-sums-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('turns malformed lines into row coverage and keeps reading', async () => {
    const file = join(dir, 'SHA256SUMS');
    await writeFile(
      file,
      [
        `${SHA.plain}  ok.txt`,
        `\\${SHA.plain}  bad\\qescape.txt`,
        `SHA256 (short.txt) = abcd`,
        `${'A'.repeat(64)}  ./upper.txt`,
        `${'f'.repeat(128)}  sha512.txt`,
      ].join('\r\n'),
    );
    const { items, coverage } = await collect(file);
    expect(items.map((i) => [i.location, i.digests ?? i.opaqueDigest])).toEqual([
      ['ok.txt', { sha256: SHA.plain }],
      ['upper.txt', { sha256: 'a'.repeat(64) }],
      ['sha512.txt', 'unsupported hash algorithm (128 hex digits)'],
    ]);
    expect(coverage).toEqual([
      { location: `${file}:2`, reason: 'manifest-row', detail: 'bad backslash escape in name', incomplete: true },
      { location: `${file}:3`, reason: 'manifest-row', detail: 'sha256 digest has 4 hex digits', incomplete: true },
    ]);
  });

  it('reports hashdeep rows with bad digests and keeps extra commas in names', async () => {
    const file = join(dir, 'hashdeep.txt');
    await writeFile(file, `%%%% HASHDEEP-1.0\n%%%% size,md5,filename\n## comment\n3,900150983cd24fb0d6963f7d28e17f72,a,b.txt\nx,zz,bad.txt\n`);
    const { items, coverage } = await collect(file, { format: 'hashdeep' });
    expect(items.map((i) => [i.location, i.size])).toEqual([['a,b.txt', 3]]);
    expect(coverage).toEqual([{ location: `${file}:5`, reason: 'manifest-row', detail: 'bad size "x"', incomplete: true }]);
  });
});
