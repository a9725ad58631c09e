import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzstdName } from '../../src/sources/containers/zstd.js';
import { sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { hasTool } from '../support/tools.js';
import { buildTar, expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from './archives/support/harness.js';
import { buildZip } from './archives/support/zip-writer.js';

/** Real Zstandard data, made by the reference `zstd`; the tests that need it skip, saying so, without it. */
const hasZstd = hasTool('zstd', ['--version'], 'zstd tests: the zstd binary is absent (apt-get install zstd), so the tests on real zstd data are skipped');
const zstd = (data: Buffer, ...args: string[]): Buffer => execFileSync('zstd', ['-c', '-q', ...args], { input: data, maxBuffer: 1 << 30 });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe.runIf(hasZstd)('zstd streams', () => {
  it('opens a .zst as one member named by the outer name, no longer reported as unsupported', async () => {
    const photo = Buffer.concat([jpeg('cam1'), randomBytes(200_000), Buffer.from('lane 3 '.repeat(50_000))]);
    const compressed = zstd(photo, '-19');
    expect(sniff(compressed.subarray(0, 512))).toBe('application/zstd');
    expect(unsupportedCoverage('cam1.jpg.zst', 'application/zstd')).toBeUndefined();
    const { item } = await fileItem(dir, 'cam1.jpg.zst', compressed);
    const result = await expand(item);
    expect(locations(result)).toEqual(['cam1.jpg.zst!/cam1.jpg']);
    expect(result.items[0]).toMatchObject({ origin: 'archive', size: photo.length, archiveChain: ['cam1.jpg.zst'] });
    expect(result.bytes.get('cam1.jpg.zst!/cam1.jpg')).toEqual(photo);
    expect(result.coverage).toEqual([]);
  });

  it('walks a .tar.zst as one archive, nested zip and nested .zst included', async () => {
    const big = randomBytes(400_000);
    const tar = await buildTar([
      { name: 'exports/cam1.jpg', data: jpeg('cam1'), mode: 0o600 },
      { name: 'exports/big.bin', data: big },
      { name: 'exports/more.zip', data: buildZip([{ name: 'p.jpg', data: jpeg('p') }]) },
      { name: 'exports/inner.jpg.zst', data: zstd(jpeg('inner')) },
    ]);
    const result = await expand(memoryItem('backup.tar.zst', zstd(tar, '--long=24')));
    expect(locations(result)).toEqual([
      'backup.tar.zst!/exports/cam1.jpg',
      'backup.tar.zst!/exports/big.bin',
      'backup.tar.zst!/exports/more.zip',
      'backup.tar.zst!/exports/more.zip!/p.jpg',
      'backup.tar.zst!/exports/inner.jpg.zst',
      'backup.tar.zst!/exports/inner.jpg.zst!/inner.jpg',
    ]);
    expect(result.items[0]).toMatchObject({ mode: 0o600 });
    expect(result.bytes.get('backup.tar.zst!/exports/big.bin')).toEqual(big);
    expect(result.bytes.get('backup.tar.zst!/exports/inner.jpg.zst!/inner.jpg')).toEqual(jpeg('inner'));
    expect(result.coverage).toEqual([]);
  });

  it('reads concatenated frames, with and without checksums, as one member, as unzstd does', async () => {
    const joined = Buffer.concat([zstd(Buffer.from('first part,'), '--no-check'), zstd(Buffer.from('second part'), '--check')]);
    const result = await expand(memoryItem('parts.txt.zst', joined));
    expect(result.bytes.get('parts.txt.zst!/parts.txt')).toEqual(Buffer.from('first part,second part'));
    expect(result.coverage).toEqual([]);
  });

  it('opens a .tzst nested in a zip, its tar walked', async () => {
    const tzst = zstd(await buildTar([{ name: 'p.jpg', data: jpeg('p') }]));
    const result = await expand(memoryItem('outer.zip', buildZip([{ name: 'in/b.tzst', data: tzst }])));
    expect(locations(result)).toEqual(['outer.zip!/in/b.tzst', 'outer.zip!/in/b.tzst!/p.jpg']);
  });

  it('records truncated streams and trailing garbage as corrupt-archive, and the audit as incomplete', async () => {
    const good = zstd(Buffer.concat([jpeg('x'), randomBytes(50_000), Buffer.alloc(20_000, 7)]));
    for (const [name, bytes, detail] of [
      ['cut.jpg.zst', good.subarray(0, good.length - 40), /^zstd: stream truncated$/],
      ['tail.jpg.zst', Buffer.concat([good, Buffer.from('not a zstd frame at all')]), /^zstd: /],
    ] as const) {
      const result = await expand(memoryItem(name, bytes));
      expect(result.items).toEqual([]);
      expect(reasons(result)).toEqual([`corrupt-archive ${name}`]);
      expect(result.coverage[0]).toMatchObject({ incomplete: true, detail: expect.stringMatching(detail) });
    }
  });

  it('stops a zstd bomb by its actual ratio, and by the byte budget with the ratio check off', async () => {
    const bomb = zstd(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in about 2 kB
    const result = await expand(memoryItem('zeros.zst', bomb));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['archive-limit zeros.zst']);
    expect(result.coverage[0]!.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: \d+ bytes inflated from \d+ compressed bytes$/);
    const budget = await expand(memoryItem('zeros.zst', bomb), { maxCompressionRatio: Number.POSITIVE_INFINITY, maxTotalBytes: 16 * 1024 * 1024 });
    expect(budget.coverage[0]!.detail).toMatch(/^maxTotalBytes \(16777216\) exceeded: zstd stream inflates past 16777216 bytes$/);
  });
});

describe('zstd member names', () => {
  it('drops the suffix as unzstd does', () => {
    expect(unzstdName('a/b/photo.jpg.zst')).toBe('photo.jpg');
    expect(unzstdName('x.zip!/backup.tzst')).toBe('backup.tar');
    expect(unzstdName('.zst')).toBe('.zst');
    expect(unzstdName('renamed')).toBe('renamed');
  });
});
