import { chmod, cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_SIZE } from '../../../src/sources/manifests/types.js';
import { collect, FIXTURES, SAMPLE_ROOTS } from './helpers.js';

for (const root of SAMPLE_ROOTS) {
  describe.skipIf(!root.present)(`BagIt: ${root.name}`, () => {
    it('lists payload entries located as written and reports the bag complete and valid', async () => {
      for (const input of ['bagit/constructed-bag', 'bagit/constructed-bag/bagit.txt']) {
        const { items, coverage, notices } = await collect(join(root.dir, input));
        expect(coverage).toEqual([]);
        expect(items.map((i) => [i.location, i.size])).toEqual([
          ['data/100% done.txt', 1],
          ['data/plain.txt', 6],
          ['data/sub/empty.bin', 0],
          ['data/with space.txt', 3],
        ]);
        expect(items[1]?.digests).toEqual({ sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' });
        expect(notices.map((n) => [n.level, n.message])).toEqual([['info', 'BagIt bag is complete and valid: 4 payload files, 10 bytes']]);
      }
    });
  });
}

describe('BagIt problems', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-bag-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports an incomplete bag whose payload is absent (RFC 8493 example manifest)', async () => {
    const { items, notices } = await collect(join(FIXTURES, 'bagit/incomplete-bag'));
    expect(items.map((i) => [i.location, i.size, i.digests?.md5])).toEqual([
      ['data/27613-h/images/q172.png', UNKNOWN_SIZE, '49afbd86a1ca9f34b677a3f09655eae9'],
      ['data/27613-h/images/q172.txt', UNKNOWN_SIZE, '408ad21d50cef31da4df6d9ed81b01a7'],
    ]);
    expect(notices).toEqual([
      expect.objectContaining({ level: 'warning', message: expect.stringMatching(/^BagIt bag is incomplete: 2 of 2 payload files missing/) }),
    ]);
  });

  it('finds a tampered file, a missing file, an extra file, a wrong Payload-Oxum and a stale tagmanifest', async () => {
    const bag = join(dir, 'tampered');
    await cp(join(FIXTURES, 'bagit/constructed-bag'), bag, { recursive: true });
    await chmod(join(bag, 'data/plain.txt'), 0o644);
    await writeFile(join(bag, 'data/plain.txt'), 'HELLO\n');
    await unlink(join(bag, 'data/with space.txt'));
    await writeFile(join(bag, 'data/extra.jpg'), 'x');
    await chmod(join(bag, 'manifest-sha512.txt'), 0o644);
    await writeFile(join(bag, 'manifest-sha512.txt'), '');
    const { items, notices } = await collect(bag);
    expect(items).toHaveLength(4);
    const messages = notices.map((n) => `${n.level}: ${n.message}`);
    expect(messages).toEqual([
      'warning: BagIt bag is incomplete: 1 of 4 payload files missing: data/with space.txt',
      'warning: BagIt bag is invalid: 1 payload file(s) fail their manifest digests: data/plain.txt',
      'warning: BagIt bag has 1 file(s) in data/ not listed in any payload manifest: data/extra.jpg',
      'warning: BagIt bag is invalid: 4 payload file(s) are missing from some payload manifests: data/100% done.txt, data/plain.txt, data/sub/empty.bin, ... (1 more)',
      'warning: BagIt bag is incomplete: Payload-Oxum says 10.4 (octets.files) but the payload present holds 7.3',
      'warning: BagIt bag is invalid: tag file(s) fail tagmanifest-sha256.txt: manifest-sha512.txt',
    ]);
  });

  it('refuses absolute and parent paths in a manifest without resolving them', async () => {
    const bag = join(dir, 'escape');
    await cp(join(FIXTURES, 'bagit/incomplete-bag'), bag, { recursive: true });
    await chmod(join(bag, 'manifest-md5.txt'), 0o644);
    await writeFile(join(bag, 'manifest-md5.txt'), `${'a'.repeat(32)}  ../../etc/passwd\n${'b'.repeat(32)}  /etc/shadow\n`);
    const { items, coverage } = await collect(bag);
    expect(items).toEqual([]);
    expect(coverage.map((c) => [c.reason, c.detail])).toEqual([
      ['manifest-row', 'absolute path or ".." in a bag manifest'],
      ['manifest-row', 'absolute path or ".." in a bag manifest'],
    ]);
  });
});
