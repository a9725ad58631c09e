import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_DEFAULTS } from '../../../src/sources/archives/index.js';
import { buildTar, buildTarGz, expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from './support/harness.js';
import { buildZip } from './support/zip-writer.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const zeros = (n: number): Buffer => Buffer.alloc(n);

describe('limits against hostile archives', () => {
  it('documents its defaults', () => {
    expect(ARCHIVE_DEFAULTS).toEqual({
      maxDepth: 5,
      maxTotalBytes: 32 * 1024 ** 3,
      maxEntries: 100_000,
      maxCompressionRatio: 200,
      ratioCheckMinBytes: 1024 ** 2,
      maxMemberBufferBytes: 64 * 1024 ** 2,
      maxBufferedArchiveBytes: 256 * 1024 ** 2,
    });
  });

  it('skips a zip entry whose declared sizes give a bomb ratio, and reads the next', async () => {
    const zip = buildZip([
      { name: 'bomb.bin', data: zeros(8 * 1024 * 1024) },
      { name: 'ok.jpg', data: jpeg('ok') },
    ]);
    const { item, file } = await fileItem(dir, 'bomb.zip', zip);
    const result = await expand(item, { filePath: file });
    expect(locations(result)).toEqual(['bomb.zip!/ok.jpg']);
    expect(result.coverage).toHaveLength(1);
    expect(result.coverage[0]).toMatchObject({ location: 'bomb.zip!/bomb.bin', reason: 'archive-limit', incomplete: true });
    expect(result.coverage[0]?.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: declares 8388608 bytes from \d+ compressed bytes/);
  });

  it('catches a lying header by counting inflated bytes, small (sync inflate) and large (streamed)', async () => {
    // Each declares a plausible ratio (1:80 and 1:8) but inflates to 16 MiB.
    const zip = buildZip([
      { name: 'small-liar.bin', data: zeros(16 * 1024 * 1024), declaredSize: 200_000 },
      { name: 'big-liar.bin', data: zeros(16 * 1024 * 1024), declaredSize: 2 * 1024 * 1024 },
      { name: 'ok.jpg', data: jpeg('ok') },
    ]);
    const { item, file } = await fileItem(dir, 'liar.zip', zip);
    const result = await expand(item, { filePath: file });
    // The small one is read whole when sniffed, so the lie shows before it is yielded; the big one
    // is streamed and fails the consumer's read.
    expect(locations(result)).toEqual(['liar.zip!/big-liar.bin', 'liar.zip!/ok.jpg']);
    expect(result.bytes.has('liar.zip!/big-liar.bin')).toBe(false);
    const lie = (location: string, size: number) => ({
      location,
      reason: 'corrupt-archive',
      detail: `member inflates past its declared size of ${size} bytes (lying header, possible zip bomb); not inspected further`,
      incomplete: true,
    });
    expect(result.coverage).toEqual([lie('liar.zip!/small-liar.bin', 200_000), lie('liar.zip!/big-liar.bin', 2 * 1024 * 1024)]);
  });

  it('stops a gzip bomb by its actual ratio, in a tar.gz and in a single .gz', async () => {
    const tgz = await buildTarGz([
      { name: 'a.jpg', data: jpeg('a') },
      { name: 'zeros.bin', data: zeros(16 * 1024 * 1024) },
    ]);
    const tarResult = await expand(memoryItem('bomb.tar.gz', tgz));
    expect(locations(tarResult)).toContain('bomb.tar.gz!/a.jpg');
    expect(reasons(tarResult)).toEqual(['archive-limit bomb.tar.gz']);
    expect(tarResult.coverage[0]?.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: \d+ bytes inflated from \d+ compressed bytes/);

    const single = await expand(memoryItem('zeros.bin.gz', gzipSync(zeros(16 * 1024 * 1024))));
    expect(single.items).toEqual([]);
    expect(reasons(single)).toEqual(['archive-limit zeros.bin.gz']);
    expect(single.coverage[0]?.detail).toMatch(/^maxCompressionRatio \(200\)/);
  });

  it('yields an archive nested too deep without opening it', async () => {
    const level3 = buildZip([{ name: 'deep.jpg', data: jpeg('deep') }]);
    const level2 = buildZip([{ name: 'l3.zip', data: level3 }]);
    const level1 = buildZip([{ name: 'l2.zip', data: level2 }]);
    const result = await expand(memoryItem('l1.zip', level1), { maxDepth: 2 });
    expect(locations(result)).toEqual(['l1.zip!/l2.zip', 'l1.zip!/l2.zip!/l3.zip']);
    expect(result.coverage).toEqual([
      { location: 'l1.zip!/l2.zip!/l3.zip', reason: 'archive-limit', detail: 'maxDepth (2) exceeded: nested archive not opened', incomplete: true },
    ]);
    const full = await expand(memoryItem('l1.zip', level1));
    expect(locations(full)).toContain('l1.zip!/l2.zip!/l3.zip!/deep.jpg');
  });

  it('reads at most maxEntries entries of a zip and of a tar', async () => {
    const names = ['1.txt', '2.txt', '3.txt', '4.txt', '5.txt'];
    const zip = buildZip(names.map((name) => ({ name, data: Buffer.from(name) })));
    const zipResult = await expand(memoryItem('many.zip', zip), { maxEntries: 3 });
    expect(locations(zipResult)).toEqual(['many.zip!/1.txt', 'many.zip!/2.txt', 'many.zip!/3.txt']);
    expect(zipResult.coverage).toMatchObject([
      { location: 'many.zip', reason: 'archive-limit', detail: 'maxEntries (3) exceeded: the archive lists 5 entries; only the first 3 are inspected' },
    ]);
    const tar = await buildTar(names.map((name) => ({ name, data: Buffer.from(name) })));
    const tarResult = await expand(memoryItem('many.tar', tar), { maxEntries: 3 });
    expect(locations(tarResult)).toHaveLength(3);
    expect(tarResult.coverage).toMatchObject([
      { location: 'many.tar', reason: 'archive-limit', detail: 'maxEntries (3) exceeded: further entries are not inspected' },
    ]);
  });

  it('stops the whole top-level archive once maxTotalBytes is used, nested levels included', async () => {
    const inner = buildZip([
      { name: 'i1.bin', data: Buffer.alloc(1000, 1) },
      { name: 'i2.bin', data: Buffer.alloc(1000, 2) },
    ]);
    const outer = buildZip([
      { name: 'inner.zip', data: inner, method: 'store' },
      { name: 'after.bin', data: Buffer.alloc(10, 3) },
    ]);
    const result = await expand(memoryItem('budget.zip', outer), { maxTotalBytes: inner.length + 1500 });
    expect(locations(result)).toEqual(['budget.zip!/inner.zip', 'budget.zip!/inner.zip!/i1.bin']);
    expect(result.coverage).toHaveLength(1);
    expect(result.coverage[0]).toMatchObject({ location: 'budget.zip!/inner.zip!/i2.bin', reason: 'archive-limit', incomplete: true });
    expect(result.coverage[0]?.detail).toMatch(/^maxTotalBytes \(\d+\) exceeded/);

    const tar = await buildTar([
      { name: 'a', data: Buffer.alloc(600) },
      { name: 'b', data: Buffer.alloc(600) },
    ]);
    const tarResult = await expand(memoryItem('budget.tar', tar), { maxTotalBytes: 1000 });
    expect(locations(tarResult)).toEqual(['budget.tar!/a']);
    expect(reasons(tarResult)).toEqual(['archive-limit budget.tar!/b']);
  });

  it('does not buffer archives past maxBufferedArchiveBytes', async () => {
    const inner = buildZip([
      { name: 'x.jpg', data: jpeg('x') },
      { name: 'pad.bin', data: Buffer.alloc(4000, 9), method: 'store' },
    ]);
    const outer = buildZip([{ name: 'inner.zip', data: inner }]);
    const nested = await expand(memoryItem('outer.zip', outer), { maxBufferedArchiveBytes: 2000 });
    expect(locations(nested)).toEqual(['outer.zip!/inner.zip']);
    expect(nested.coverage).toMatchObject([
      { location: 'outer.zip!/inner.zip', reason: 'archive-limit', detail: `maxBufferedArchiveBytes (2000) exceeded: zip of ${inner.length} bytes not opened` },
    ]);
    const tar = await buildTar([{ name: 'inner.zip', data: inner }]);
    const inTar = await expand(memoryItem('outer.tar', tar), { maxBufferedArchiveBytes: 2000 });
    expect(locations(inTar)).toEqual(['outer.tar!/inner.zip']);
    expect(reasons(inTar)).toEqual(['archive-limit outer.tar!/inner.zip']);
    const top = await expand(memoryItem('top.zip', inner), { maxBufferedArchiveBytes: 2000 });
    expect(reasons(top)).toEqual(['archive-limit top.zip']);
  });
});
