import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unxzName } from '../../src/sources/containers/xz.js';
import { sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { hasTool } from '../support/tools.js';
import { buildTar, expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from './archives/support/harness.js';
import { buildZip } from './archives/support/zip-writer.js';

/** Real xz data, made by xz-utils; the tests that need it skip, saying so, without it. */
const hasXz = hasTool('xz', ['--version'], 'xz tests: the xz binary is absent (apt-get install xz-utils), so the tests on real xz data are skipped');
const xz = (data: Buffer, ...args: string[]): Buffer => execFileSync('xz', ['-c', ...args], { input: data, maxBuffer: 1 << 30 });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe.runIf(hasXz)('xz streams', () => {
  it('opens a .xz as one member named by the outer name, no longer reported as unsupported', async () => {
    const photo = Buffer.concat([jpeg('cam1'), randomBytes(200_000)]);
    const compressed = xz(photo);
    expect(sniff(compressed.subarray(0, 512))).toBe('application/x-xz');
    expect(unsupportedCoverage('cam1.jpg.xz', 'application/x-xz')).toBeUndefined();
    const { item } = await fileItem(dir, 'cam1.jpg.xz', compressed);
    const result = await expand(item);
    expect(locations(result)).toEqual(['cam1.jpg.xz!/cam1.jpg']);
    expect(result.items[0]).toMatchObject({ origin: 'archive', size: photo.length, archiveChain: ['cam1.jpg.xz'] });
    expect(result.bytes.get('cam1.jpg.xz!/cam1.jpg')).toEqual(photo);
    expect(result.coverage).toEqual([]);
  });

  it('walks a .tar.xz as one archive, nested zip and nested .xz included, over several blocks', async () => {
    const big = randomBytes(400_000);
    const tar = await buildTar([
      { name: 'exports/cam1.jpg', data: jpeg('cam1'), mode: 0o600 },
      { name: 'exports/big.bin', data: big },
      { name: 'exports/more.zip', data: buildZip([{ name: 'p.jpg', data: jpeg('p') }]) },
      { name: 'exports/inner.jpg.xz', data: xz(jpeg('inner')) },
    ]);
    const result = await expand(memoryItem('backup.tar.xz', xz(tar, '--block-size=100000', '-T1')));
    expect(locations(result)).toEqual([
      'backup.tar.xz!/exports/cam1.jpg',
      'backup.tar.xz!/exports/big.bin',
      'backup.tar.xz!/exports/more.zip',
      'backup.tar.xz!/exports/more.zip!/p.jpg',
      'backup.tar.xz!/exports/inner.jpg.xz',
      'backup.tar.xz!/exports/inner.jpg.xz!/inner.jpg',
    ]);
    expect(result.items[0]).toMatchObject({ mode: 0o600 });
    expect(result.bytes.get('backup.tar.xz!/exports/big.bin')).toEqual(big);
    expect(result.bytes.get('backup.tar.xz!/exports/inner.jpg.xz!/inner.jpg')).toEqual(jpeg('inner'));
    expect(result.coverage).toEqual([]);
  });

  it('reads concatenated streams and stream padding as one member, as unxz does; every check kind', async () => {
    const joined = Buffer.concat([xz(Buffer.from('first part,'), '-C', 'sha256'), Buffer.alloc(8), xz(Buffer.from('second part'), '-C', 'none')]);
    const result = await expand(memoryItem('parts.txt.xz', joined));
    expect(result.bytes.get('parts.txt.xz!/parts.txt')).toEqual(Buffer.from('first part,second part'));
    expect(result.coverage).toEqual([]);
  });

  it('opens a .txz nested in a zip, its tar walked', async () => {
    const txz = xz(await buildTar([{ name: 'p.jpg', data: jpeg('p') }]));
    const result = await expand(memoryItem('outer.zip', buildZip([{ name: 'in/b.txz', data: txz }])));
    expect(locations(result)).toEqual(['outer.zip!/in/b.txz', 'outer.zip!/in/b.txz!/p.jpg']);
  });

  it('records corrupt, truncated and trailing-garbage streams as corrupt-archive, and the audit as incomplete', async () => {
    const good = xz(Buffer.concat([jpeg('x'), randomBytes(50_000)]));
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)]! ^= 0xff;
    for (const [name, bytes, detail] of [
      ['flipped.jpg.xz', flipped, /^xz: (corrupt stream|checksum mismatch)/],
      ['cut.jpg.xz', good.subarray(0, good.length - 40), /^xz: stream truncated$/],
      ['tail.jpg.xz', Buffer.concat([good, Buffer.from('not xz')]), /^xz: not an xz stream/],
    ] as const) {
      const result = await expand(memoryItem(name, bytes));
      expect(result.items).toEqual([]);
      expect(reasons(result)).toEqual([`corrupt-archive ${name}`]);
      expect(result.coverage[0]).toMatchObject({ incomplete: true, detail: expect.stringMatching(detail) });
    }
  });

  it('stops an xz bomb by its actual ratio, and by the byte budget with the ratio check off', async () => {
    const bomb = xz(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in about 10 kB
    const result = await expand(memoryItem('zeros.xz', bomb));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['archive-limit zeros.xz']);
    expect(result.coverage[0]!.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: \d+ bytes inflated from \d+ compressed bytes$/);
    const budget = await expand(memoryItem('zeros.xz', bomb), { maxCompressionRatio: Number.POSITIVE_INFINITY, maxTotalBytes: 16 * 1024 * 1024 });
    expect(budget.coverage[0]!.detail).toMatch(/^maxTotalBytes \(16777216\) exceeded: xz stream inflates past 16777216 bytes$/);
  });

  it('refuses a stream whose dictionary is over maxBufferedArchiveBytes, as an archive limit', async () => {
    const wide = xz(Buffer.from('tiny'), '--lzma2=dict=64MiB');
    const result = await expand(memoryItem('wide.txt.xz', wide), { maxBufferedArchiveBytes: 16 * 1024 * 1024 });
    expect(reasons(result)).toEqual(['archive-limit wide.txt.xz']);
    expect(result.coverage[0]!.detail).toMatch(/^maxBufferedArchiveBytes \(16777216\) exceeded: xz stream needs a dictionary/);
    expect((await expand(memoryItem('wide.txt.xz', wide))).bytes.get('wide.txt.xz!/wide.txt')).toEqual(Buffer.from('tiny'));
  });
});

describe('xz member names', () => {
  it('drops the suffix as unxz does', () => {
    expect(unxzName('a/b/photo.jpg.xz')).toBe('photo.jpg');
    expect(unxzName('x.zip!/backup.txz')).toBe('backup.tar');
    expect(unxzName('.xz')).toBe('.xz');
    expect(unxzName('renamed')).toBe('renamed');
  });
});
