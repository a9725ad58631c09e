import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTar, buildTarGz, expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from './support/harness.js';
import { buildZip } from './support/zip-writer.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const MTIME = new Date('2023-05-06T07:08:09Z');

describe('tar and gzip members', () => {
  it('yields tar.gz members with mode and mtime, and a zip nested inside', async () => {
    const inner = buildZip([{ name: 'p.jpg', data: jpeg('p') }]);
    const tgz = await buildTarGz([
      { name: 'exports/', type: 'directory' },
      { name: 'exports/cam1.jpg', data: jpeg('cam1'), mode: 0o600, mtime: MTIME },
      { name: 'exports/more.zip', data: inner, mode: 0o644, mtime: MTIME },
      { name: 'exports/notes.txt', data: Buffer.from('unread by the consumer'), mode: 0o644, mtime: MTIME },
    ]);
    const { item } = await fileItem(dir, 'backup.tgz', tgz);
    const result = await expand(item);
    expect(locations(result)).toEqual([
      'backup.tgz!/exports/cam1.jpg',
      'backup.tgz!/exports/more.zip',
      'backup.tgz!/exports/more.zip!/p.jpg',
      'backup.tgz!/exports/notes.txt',
    ]);
    expect(result.items[0]).toMatchObject({ origin: 'archive', mode: 0o600, mtime: MTIME, archiveChain: ['backup.tgz'] });
    expect(result.bytes.get('backup.tgz!/exports/more.zip!/p.jpg')).toEqual(jpeg('p'));
    expect(result.coverage).toEqual([]);
  });

  it('drains members the consumer did not read and moves on', async () => {
    const tar = await buildTar([
      { name: 'a.bin', data: Buffer.alloc(300_000, 1) },
      { name: 'b.jpg', data: jpeg('b') },
    ]);
    const seen: string[] = [];
    const result = await expand(memoryItem('plain.tar', tar), {}, async (item) => {
      seen.push(item.location);
      if (item.location.endsWith('b.jpg')) expect(await item.content!.readAll()).toEqual(jpeg('b'));
    });
    expect(seen).toEqual(['plain.tar!/a.bin', 'plain.tar!/b.jpg']);
    expect(result.items[0]?.size).toBe(300_000);
  });

  it('records tar symlinks and hard links without following them', async () => {
    const tar = await buildTar([
      { name: 'link-to-shadow', type: 'symlink', linkname: '/etc/shadow' },
      { name: 'hard', type: 'link', linkname: 'real.jpg' },
      { name: 'real.jpg', data: jpeg('real') },
    ]);
    const result = await expand(memoryItem('links.tar', tar));
    expect(locations(result)).toEqual(['links.tar!/real.jpg']);
    expect(result.coverage).toEqual([
      { location: 'links.tar!/link-to-shadow', reason: 'link-member', detail: 'symbolic link to /etc/shadow, not followed', incomplete: false },
      { location: 'links.tar!/hard', reason: 'link-member', detail: 'hard link to real.jpg, not followed', incomplete: false },
    ]);
  });

  it('reports tar traversal names as written', async () => {
    const tar = await buildTar([{ name: '../../etc/passwd', data: Buffer.from('root') }]);
    expect(locations(await expand(memoryItem('evil.tar', tar)))).toEqual(['evil.tar!/../../etc/passwd']);
  });

  it('names a single .gz member by the header FNAME, or by the outer name minus .gz', async () => {
    const named = gzipSync(jpeg('g'));
    // FNAME flag and name, spliced into the header as gzip(1) writes it.
    const withName = Buffer.concat([named.subarray(0, 3), Buffer.from([0x08]), named.subarray(4, 10), Buffer.from('orig.jpg\0'), named.subarray(10)]);
    const a = await expand((await fileItem(dir, 'capture.gz', withName)).item);
    expect(locations(a)).toEqual(['capture.gz!/orig.jpg']);
    expect(a.bytes.get('capture.gz!/orig.jpg')).toEqual(jpeg('g'));
    expect(a.items[0]).toMatchObject({ size: jpeg('g').length, archiveChain: ['capture.gz'] });
    const b = await expand((await fileItem(dir, 'photo.jpg.gz', named)).item);
    expect(locations(b)).toEqual(['photo.jpg.gz!/photo.jpg']);
  });

  it('opens a zip inside a single .gz', async () => {
    const zip = buildZip([{ name: 'in.jpg', data: jpeg('in') }]);
    const result = await expand(memoryItem('archive.zip.gz', gzipSync(zip)));
    expect(locations(result)).toEqual(['archive.zip.gz!/archive.zip', 'archive.zip.gz!/archive.zip!/in.jpg']);
  });

  it('records a truncated gzip stream as corrupt and keeps the members read before', async () => {
    const tgz = await buildTarGz([
      { name: 'first.jpg', data: jpeg('first') },
      { name: 'second.bin', data: Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251)) },
    ]);
    const result = await expand(memoryItem('cut.tar.gz', tgz.subarray(0, Math.floor(tgz.length * 0.6))));
    expect(locations(result)[0]).toBe('cut.tar.gz!/first.jpg');
    expect(result.coverage.map((entry) => entry.reason)).toEqual(['corrupt-archive']);
    expect(result.coverage[0]?.incomplete).toBe(true);
  });

  it('records garbage after a gzip magic as corrupt-archive', async () => {
    const result = await expand(memoryItem('junk.gz', Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9])));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['corrupt-archive junk.gz']);
  });
});
