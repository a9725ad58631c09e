import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTar, expand, fileItem, jpeg, locations, makeTempDir, memoryItem } from './support/harness.js';
import { buildZip } from './support/zip-writer.js';

/**
 * Nested zips need random access, so each is held in memory while it is read. The budget
 * (maxBufferedArchiveBytes) is for all levels together: three nested zips of 2 MB used to hold one
 * buffer per level (issue #22: 1.3-1.7 GiB peak RSS for a small bomb).
 */
const pad = (kib: number): Buffer => randomBytes(kib * 1024);
const KiB = 1024;

function nestedZips(): Buffer {
  const inner = buildZip([
    { name: 'a.jpg', data: jpeg('inner') },
    { name: 'pad.bin', data: pad(40), method: 'store' },
  ]);
  const middle = buildZip([
    { name: 'inner.zip', data: inner, method: 'store' },
    { name: 'pad.bin', data: pad(40), method: 'store' },
  ]);
  return buildZip([{ name: 'middle.zip', data: middle, method: 'store' }]);
}

describe('buffered nested archives share one budget', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(() => cleanup());
  // The top-level zip is on disk (random access): only the nested ones are held.
  const onDisk = async (limit: number) => {
    const { item, file } = await fileItem(dir, 'outer.zip', nestedZips());
    return expand(item, { filePath: file, maxBufferedArchiveBytes: limit });
  };

  it('opens every level when the levels together fit', async () => {
    const result = await onDisk(200 * KiB);
    expect(locations(result)).toContain('outer.zip!/middle.zip!/inner.zip!/a.jpg');
    expect(result.coverage).toEqual([]);
  });

  it('refuses a level that fits alone but not with the levels around it', async () => {
    // middle.zip (~80 KiB) is held while inner.zip (~40 KiB) would be: 120 KiB > 100 KiB.
    const result = await onDisk(100 * KiB);
    expect(locations(result)).toContain('outer.zip!/middle.zip!/inner.zip');
    expect(locations(result)).not.toContain('outer.zip!/middle.zip!/inner.zip!/a.jpg');
    expect(result.coverage).toMatchObject([{ location: 'outer.zip!/middle.zip!/inner.zip', reason: 'archive-limit', incomplete: true }]);
    expect(result.coverage[0]!.detail).toMatch(/maxBufferedArchiveBytes .* already held/);
  });

  it('counts a nested archive buffered out of a tar the same way', async () => {
    const inner = buildZip([
      { name: 'a.jpg', data: jpeg('t') },
      { name: 'pad.bin', data: pad(40), method: 'store' },
    ]);
    const middle = await buildTar([
      { name: 'inner.zip', data: inner },
      { name: 'pad.bin', data: pad(40) },
    ]);
    const outer = await buildTar([{ name: 'middle.tar', data: middle }]);
    const result = await expand(memoryItem('outer.tar', outer), { maxBufferedArchiveBytes: 100 * KiB });
    expect(result.coverage).toMatchObject([{ location: 'outer.tar!/middle.tar!/inner.zip', reason: 'archive-limit' }]);
  });
});
