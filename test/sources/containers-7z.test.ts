import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { buildTar, expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from './archives/support/harness.js';
import { buildZip } from './archives/support/zip-writer.js';

/** Real 7z archives, made by 7-Zip (Debian's 7zip: `7zz`); the tests skip, saying so, without it. */
export const has7z = (() => {
  try {
    execFileSync('7zz', ['i'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('7z tests: the 7zz binary is absent (apt-get install 7zip), so the tests on real 7z archives are skipped');
    return false;
  }
})();

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

/** Packs `files` (name -> bytes) with 7zz and the given switches; returns the archive's bytes. */
async function sevenZip(name: string, files: Record<string, Buffer>, ...switches: string[]): Promise<Buffer> {
  const root = path.join(dir, `${name}.src`);
  for (const [file, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), data);
  }
  const out = path.join(dir, name);
  execFileSync('7zz', ['a', '-bd', '-y', ...switches, out, '.'], { cwd: root, stdio: 'ignore' });
  return readFile(out);
}

describe.runIf(has7z)('7z archives', () => {
  it('opens a 7z (LZMA2, solid) member by member, named outer!/inner, no longer reported as unsupported', async () => {
    const big = randomBytes(300_000);
    const bytes = await sevenZip('a.7z', { 'cams/cam1.jpg': jpeg('cam1'), 'cams/big.bin': big, 'reads.csv': Buffer.from('plate\nQRT4821\n') });
    expect(sniff(bytes.subarray(0, 512))).toBe('application/x-7z-compressed');
    expect(unsupportedCoverage('a.7z', 'application/x-7z-compressed')).toBeUndefined();
    const { item } = await fileItem(dir, 'export.7z', bytes);
    const result = await expand(item);
    expect(locations(result).sort()).toEqual(['export.7z!/cams/big.bin', 'export.7z!/cams/cam1.jpg', 'export.7z!/reads.csv']);
    expect(result.bytes.get('export.7z!/cams/cam1.jpg')).toEqual(jpeg('cam1'));
    expect(result.bytes.get('export.7z!/cams/big.bin')).toEqual(big);
    expect(result.items[0]).toMatchObject({ origin: 'archive', archiveChain: ['export.7z'] });
    expect(result.coverage).toEqual([]);
  });

  it('streams a member over maxMemberBufferBytes in slices, and holds a 7z given by path to maxBufferedArchiveBytes', async () => {
    const big = randomBytes(3_000_000);
    const bytes = await sevenZip('big.7z', { 'big.bin': big, 'z.jpg': jpeg('z') });
    const { item, file } = await fileItem(dir, 'big.7z', bytes);
    const streamed = await expand(item, { filePath: file, maxMemberBufferBytes: 1_000_000 });
    expect(locations(streamed)).toEqual(['big.7z!/big.bin', 'big.7z!/z.jpg']);
    expect(streamed.bytes.get('big.7z!/big.bin')).toEqual(big);
    expect(streamed.coverage).toEqual([]);
    const refused = await expand(item, { filePath: file, maxBufferedArchiveBytes: 1_000_000 });
    expect(refused.items).toEqual([]);
    expect(refused.coverage[0]).toMatchObject({ reason: 'archive-limit', incomplete: true });
    expect(refused.coverage[0]!.detail).toMatch(/^maxBufferedArchiveBytes \(1000000\) exceeded: 7z of \d+ bytes not opened/);
    // 7-Zip compressing 3 MB of random bytes takes seconds alone, a minute on a loaded machine.
  }, 180_000);

  it('stops a 7z bomb on its declared sizes before decoding, and a member past the byte budget', async () => {
    const bomb = await sevenZip('bomb.7z', { 'zeros.bin': Buffer.alloc(32 * 1024 * 1024) });
    const ratio = await expand(memoryItem('bomb.7z', bomb));
    expect(reasons(ratio)).toEqual(['archive-limit bomb.7z']);
    expect(ratio.coverage[0]!.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: 33554432 bytes declared from \d+ compressed bytes/);
    const budget = await expand(memoryItem('bomb.7z', bomb), { maxCompressionRatio: Number.POSITIVE_INFINITY, maxTotalBytes: 1_000_000 });
    expect(reasons(budget)).toEqual(['archive-limit bomb.7z!/zeros.bin']);
  });

  it('reads stored, non-solid and other methods, a tar inside, and a 7z nested in a zip', async () => {
    const tar = await buildTar([{ name: 'in/p.jpg', data: jpeg('p') }]);
    for (const switches of [['-mx0'], ['-ms=off', '-m0=BZip2'], ['-m0=PPMd'], ['-m0=Deflate']]) {
      const bytes = await sevenZip(`m${switches.join('')}.7z`, { 'backup.tar': tar, 'x.jpg': jpeg('x') }, ...switches);
      const result = await expand(memoryItem('m.7z', bytes));
      expect(locations(result).sort(), switches.join(' ')).toEqual(['m.7z!/backup.tar', 'm.7z!/backup.tar!/in/p.jpg', 'm.7z!/x.jpg']);
      expect(result.coverage).toEqual([]);
    }
    const inner = await sevenZip('inner.7z', { 'p.jpg': jpeg('p') });
    const nested = await expand(memoryItem('outer.zip', buildZip([{ name: 'old/inner.7z', data: inner }])));
    expect(locations(nested)).toEqual(['outer.zip!/old/inner.7z', 'outer.zip!/old/inner.7z!/p.jpg']);
  });

  it('reads a 7z whose last member is a stored zip as the 7z it is (not as that zip)', async () => {
    const zip = buildZip([{ name: 'inside.txt', data: Buffer.from('in the zip') }]);
    const bytes = await sevenZip('z.7z', { 'a.txt': Buffer.from('first'), 'z.zip': zip }, '-mx0');
    const result = await expand(memoryItem('z.7z', bytes));
    expect(locations(result)).toEqual(['z.7z!/a.txt', 'z.7z!/z.zip', 'z.7z!/z.zip!/inside.txt']);
  });

  it('records encrypted members, and an encrypted header, as encrypted and not inspected', async () => {
    const data = await sevenZip('e.7z', { 'secret.jpg': jpeg('s') }, '-pSECRET');
    const result = await expand(memoryItem('e.7z', data));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['encrypted e.7z!/secret.jpg']);
    const header = await sevenZip('h.7z', { 'secret.jpg': jpeg('s') }, '-pSECRET', '-mhe=on');
    const hidden = await expand(memoryItem('h.7z', header));
    expect(reasons(hidden)).toEqual(['encrypted h.7z']);
    expect(hidden.coverage[0]).toMatchObject({ incomplete: true });
  });

  it('records a symbolic link as a link member, not followed', async () => {
    const root = path.join(dir, 'links.src');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'a.jpg'), jpeg('a'));
    await symlink('a.jpg', path.join(root, 'link.jpg'));
    execFileSync('7zz', ['a', '-bd', '-snl', path.join(dir, 'links.7z'), '.'], { cwd: root, stdio: 'ignore' });
    const result = await expand(memoryItem('links.7z', await readFile(path.join(dir, 'links.7z'))));
    expect(locations(result)).toEqual(['links.7z!/a.jpg']);
    expect(reasons(result)).toEqual(['link-member links.7z!/link.jpg']);
  });

  it('records truncated and damaged archives as corrupt-archive', async () => {
    const good = await sevenZip('g.7z', { 'a.jpg': Buffer.concat([jpeg('a'), randomBytes(40_000)]) });
    for (const [name, bytes] of [
      ['cut.7z', good.subarray(0, good.length - 60)],
      ['half.7z', good.subarray(0, good.length / 2)],
    ] as const) {
      const result = await expand(memoryItem(name, bytes));
      expect(result.items).toEqual([]);
      expect(reasons(result)).toEqual([`corrupt-archive ${name}`]);
      expect(result.coverage[0]!.detail).toMatch(/^7z: /);
    }
  });
});
