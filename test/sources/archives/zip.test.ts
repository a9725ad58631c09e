import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTarGz, expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from './support/harness.js';
import { buildZip, centralDirectoryOffset } from './support/zip-writer.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe('zip members', () => {
  it('yields stored and deflated members with location, chain, size, mtime and unix mode', async () => {
    const zip = buildZip([
      { name: 'dir/', unixMode: 0o040755 },
      { name: 'dir/a.jpg', data: jpeg('a'), method: 'store', unixMode: 0o100640 },
      { name: 'b.txt', data: Buffer.from('hello '.repeat(100)) },
    ]);
    const { item, file } = await fileItem(dir, 'outer.zip', zip);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['outer.zip!/dir/a.jpg', 'outer.zip!/b.txt']);
    const [a, b] = result.items;
    expect(a).toMatchObject({ origin: 'archive', size: jpeg('a').length, mode: 0o640, archiveChain: ['outer.zip'] });
    expect(a?.mtime?.toISOString()).toBe('2024-01-02T03:04:06.000Z');
    expect(b?.mode).toBeUndefined();
    expect(result.bytes.get('outer.zip!/b.txt')?.toString()).toBe('hello '.repeat(100));
    expect(result.coverage).toEqual([]);
  });

  it('gives the same members whether the zip is opened by path or buffered from its content', async () => {
    const zip = buildZip([
      { name: 'x.jpg', data: jpeg('x') },
      { name: 'y.jpg', data: jpeg('y'), method: 'store' },
    ]);
    const { item, file } = await fileItem(dir, 'same.zip', zip);
    const byPath = await expand(item, { filePath: file });
    const buffered = await expand(memoryItem('same.zip', zip));
    expect(locations(buffered)).toEqual(locations(byPath));
    expect([...buffered.bytes.values()]).toEqual([...byPath.bytes.values()]);
  });

  it('opens a zip nested in a zip and yields the nested archive before its members', async () => {
    const inner = buildZip([{ name: 'photos/x.jpg', data: jpeg('inner') }]);
    const outer = buildZip([
      { name: 'backup/inner.zip', data: inner },
      { name: 'after.txt', data: Buffer.from('after') },
    ]);
    const { item, file } = await fileItem(dir, 'nested.zip', outer);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['nested.zip!/backup/inner.zip', 'nested.zip!/backup/inner.zip!/photos/x.jpg', 'nested.zip!/after.txt']);
    expect(result.items[1]?.archiveChain).toEqual(['nested.zip', 'nested.zip!/backup/inner.zip']);
    expect(result.bytes.get('nested.zip!/backup/inner.zip!/photos/x.jpg')).toEqual(jpeg('inner'));
  });

  it('opens a tar.gz inside a zip and a zip inside that tar.gz', async () => {
    const deepest = buildZip([{ name: 'z.jpg', data: jpeg('z') }]);
    const tgz = await buildTarGz([
      { name: 'd/deep.zip', data: deepest },
      { name: 'd/t.jpg', data: jpeg('t') },
    ]);
    const outer = buildZip([{ name: 'inner.tar.gz', data: tgz, method: 'store' }]);
    const { item, file } = await fileItem(dir, 'mixed.zip', outer);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual([
      'mixed.zip!/inner.tar.gz',
      'mixed.zip!/inner.tar.gz!/d/deep.zip',
      'mixed.zip!/inner.tar.gz!/d/deep.zip!/z.jpg',
      'mixed.zip!/inner.tar.gz!/d/t.jpg',
    ]);
    expect(result.items[2]?.archiveChain).toEqual(['mixed.zip', 'mixed.zip!/inner.tar.gz', 'mixed.zip!/inner.tar.gz!/d/deep.zip']);
    expect(result.bytes.get('mixed.zip!/inner.tar.gz!/d/t.jpg')).toEqual(jpeg('t'));
  });

  it('finds images in the media folders of Office and OpenDocument files', async () => {
    const pptx = buildZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'ppt/slides/slide1.xml', data: Buffer.from('<p:sld/>') },
      { name: 'ppt/media/image3.jpeg', data: jpeg('traveler'), method: 'store' },
    ]);
    const odt = buildZip([
      { name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text'), method: 'store' },
      { name: 'Pictures/100000000000.jpg', data: jpeg('plate') },
    ]);
    const { item, file } = await fileItem(dir, 'briefing.pptx', pptx);
    const deck = await expand(item, { filePath: file });
    expect(locations(deck)).toContain('briefing.pptx!/ppt/media/image3.jpeg');
    expect(deck.bytes.get('briefing.pptx!/ppt/media/image3.jpeg')).toEqual(jpeg('traveler'));
    const text = await expand(memoryItem('notes.odt', odt));
    expect(locations(text)).toContain('notes.odt!/Pictures/100000000000.jpg');
  });

  it('reads zip64 entries and a zip64 end of central directory', async () => {
    const zip = buildZip(
      [
        { name: 'big.jpg', data: jpeg('zip64'), zip64: true },
        { name: 'small.txt', data: Buffer.from('plain'), method: 'store', zip64: true },
      ],
      { zip64Eocd: true },
    );
    const { item, file } = await fileItem(dir, 'z64.zip', zip);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['z64.zip!/big.jpg', 'z64.zip!/small.txt']);
    expect(result.bytes.get('z64.zip!/big.jpg')).toEqual(jpeg('zip64'));
    expect(result.coverage).toEqual([]);
  });

  it('reports traversal and absolute names as written, and writes nothing next to the archive', async () => {
    const zip = buildZip([
      { name: '../../etc/passwd', data: Buffer.from('root:x:0:0') },
      { name: '/abs/x.jpg', data: jpeg('abs') },
      { name: 'win\\dir\\y.jpg', data: jpeg('win') },
    ]);
    const { item, file } = await fileItem(dir, 'evil.zip', zip);
    const before = await readdir(dir, { recursive: true });
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['evil.zip!/../../etc/passwd', 'evil.zip!//abs/x.jpg', 'evil.zip!/win/dir/y.jpg']);
    expect(await readdir(dir, { recursive: true })).toEqual(before);
  });

  it('records encrypted entries as not inspected and keeps going', async () => {
    const zip = buildZip([
      { name: 'secret.jpg', data: Buffer.alloc(40, 7), method: 'store', encrypted: true },
      { name: 'open.jpg', data: jpeg('open') },
    ]);
    const { item, file } = await fileItem(dir, 'enc.zip', zip);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['enc.zip!/open.jpg']);
    expect(result.coverage).toEqual([{ location: 'enc.zip!/secret.jpg', reason: 'encrypted', detail: 'encrypted zip entry, not inspected', incomplete: true }]);
  });

  it('records symlink members of zips without following them', async () => {
    const zip = buildZip([{ name: 'link', data: Buffer.from('/etc/shadow'), method: 'store', unixMode: 0o120777 }]);
    const result = await expand(memoryItem('links.zip', zip));
    expect(result.items).toEqual([]);
    expect(result.coverage).toMatchObject([{ location: 'links.zip!/link', reason: 'link-member', incomplete: false }]);
  });

  it('records a corrupt central directory and a truncated zip as corrupt-archive', async () => {
    const good = buildZip([
      { name: 'a.jpg', data: jpeg('a'), method: 'store' },
      { name: 'b.jpg', data: jpeg('b'), method: 'store' },
    ]);
    const broken = Buffer.from(good);
    const second = broken.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), centralDirectoryOffset(good) + 4);
    broken.write('XXXX', second, 'latin1');
    const { item, file } = await fileItem(dir, 'broken-cd.zip', broken);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['broken-cd.zip!/a.jpg']);
    expect(reasons(result)).toEqual(['corrupt-archive broken-cd.zip']);
    expect(result.coverage[0]?.incomplete).toBe(true);

    const truncated = await expand(memoryItem('cut.zip', good.subarray(0, good.length - 10)));
    expect(truncated.items).toEqual([]);
    expect(reasons(truncated)).toEqual(['corrupt-archive cut.zip']);
  });
});
