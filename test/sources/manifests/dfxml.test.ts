import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, SAMPLE_ROOTS } from './helpers.js';

for (const root of SAMPLE_ROOTS) {
  describe.skipIf(!root.present)(`DFXML: ${root.name}`, () => {
    it('reads fileobjects with lowercase hashdigest types (simsong/dfxml sample)', async () => {
      const { items, coverage } = await collect(join(root.dir, 'dfxml/difference_test_0.xml'));
      expect(coverage).toEqual([]);
      expect(items.map((i) => [i.location, i.size])).toEqual([
        ['i_will_be_deleted.txt', 20],
        ['i_will_be_modified.txt', 22],
        ['i_will_be_accessed.txt', 12],
      ]);
      expect(items[0]).toMatchObject({
        mtime: new Date('2013-01-01T00:00:00Z'),
        digests: { md5: '3d90d31043ad6158de35eacc7ac39069', sha1: '2a5630f9e70b4931f6b6fc3d9d7f483007012352' },
      });
    });

    it('reads hashdeep -d output with uppercase types and absolute paths as written', async () => {
      const { items } = await collect(join(root.dir, 'dfxml/hashdeep-4.4-d.local.xml'));
      expect(items.map((i) => [i.location, i.size, i.digests])).toEqual([
        [
          '/srv/delivery/data/plain.txt',
          6,
          { md5: 'b1946ac92492d2347c6235b4d2611184', sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' },
        ],
        [
          '/srv/delivery/data/sub/empty.bin',
          0,
          { md5: 'd41d8cd98f00b204e9800998ecf8427e', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
        ],
      ]);
    });
  });
}

describe('DFXML edge cases', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custody-dfxml-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes entities, skips directories and reports bad objects by line', async () => {
    const file = join(dir, 'x.xml');
    await writeFile(
      file,
      [
        '<?xml version="1.0"?>',
        '<dfxml version="1.0">',
        '<fileobject><filename>a &amp; b&#233;.jpg</filename><filesize>4</filesize><hashdigest type="sha256"></hashdigest></fileobject>',
        '<fileobject><filename>dir</filename><name_type>d</name_type></fileobject>',
        '<fileobject>',
        '  <filename>bad.jpg</filename><filesize>4</filesize><hashdigest type="md5">xyz</hashdigest>',
        '</fileobject>',
        '<fileobject><filename>cut.jpg</filename>',
      ].join('\n'),
    );
    const { items, coverage } = await collect(file);
    expect(items).toEqual([{ location: 'a & b\u00e9.jpg', origin: 'manifest', size: 4, opaqueDigest: 'no md5/sha1/sha256 hashdigest' }]);
    expect(coverage).toEqual([
      { location: `${file}:5`, reason: 'manifest-row', detail: 'hashdigest md5 is not md5 hex', incomplete: true },
      { location: `${file}:8`, reason: 'manifest-row', detail: 'fileobject not closed: the file is truncated', incomplete: true },
    ]);
  });
});
