import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bunzippedName } from '../../../src/sources/containers/bzip2.js';
import { sniff } from '../../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../../src/sources/unsupported.js';
import { hasTool } from '../../support/tools.js';
import { buildTar, expand, fileItem, jpeg, locations, makeTempDir, memoryItem, reasons } from '../archives/support/harness.js';
import { buildZip } from '../archives/support/zip-writer.js';

/** Real bzip2 data, made by the reference `bzip2` binary; the tests that need it skip, saying so, without it. */
const hasBzip2 = hasTool('bzip2', ['--help'], 'bzip2 tests: the bzip2 binary is absent (apt-get install bzip2), so the tests on real bzip2 data are skipped');
const bzip2 = (data: Buffer, level = 9): Buffer => execFileSync('bzip2', [`-${level}`, '-c'], { input: data, maxBuffer: 1 << 30 });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

describe.runIf(hasBzip2)('bzip2 streams', () => {
  it('opens a .bz2 as one member named by the outer name, no longer reported as unsupported', async () => {
    const photo = Buffer.concat([jpeg('cam1'), randomBytes(200_000)]);
    const compressed = bzip2(photo);
    expect(sniff(compressed.subarray(0, 512))).toBe('application/x-bzip2');
    expect(unsupportedCoverage('cam1.jpg.bz2', 'application/x-bzip2')).toBeUndefined();
    const { item } = await fileItem(dir, 'cam1.jpg.bz2', compressed);
    const result = await expand(item);
    expect(locations(result)).toEqual(['cam1.jpg.bz2!/cam1.jpg']);
    expect(result.items[0]).toMatchObject({ origin: 'archive', size: photo.length, archiveChain: ['cam1.jpg.bz2'] });
    expect(result.bytes.get('cam1.jpg.bz2!/cam1.jpg')).toEqual(photo);
    expect(result.coverage).toEqual([]);
  });

  it('walks a .tar.bz2 as one archive, nested zip included, over several bzip2 blocks', async () => {
    const big = randomBytes(1_500_000); // more than one 900 kB block at -9, several at -1
    const tar = await buildTar([
      { name: 'exports/cam1.jpg', data: jpeg('cam1'), mode: 0o600 },
      { name: 'exports/big.bin', data: big },
      { name: 'exports/more.zip', data: buildZip([{ name: 'p.jpg', data: jpeg('p') }]) },
    ]);
    const result = await expand(memoryItem('backup.tar.bz2', bzip2(tar, 1)));
    expect(locations(result)).toEqual([
      'backup.tar.bz2!/exports/cam1.jpg',
      'backup.tar.bz2!/exports/big.bin',
      'backup.tar.bz2!/exports/more.zip',
      'backup.tar.bz2!/exports/more.zip!/p.jpg',
    ]);
    expect(result.items[0]).toMatchObject({ mode: 0o600 });
    expect(result.bytes.get('backup.tar.bz2!/exports/big.bin')).toEqual(big);
    expect(result.bytes.get('backup.tar.bz2!/exports/more.zip!/p.jpg')).toEqual(jpeg('p'));
    expect(result.coverage).toEqual([]);
  });

  it('reads concatenated streams (pbzip2, cat a.bz2 b.bz2) as one member, as bunzip2 does', async () => {
    const joined = Buffer.concat([bzip2(Buffer.from('first part,')), bzip2(Buffer.from('second part'))]);
    const result = await expand(memoryItem('parts.txt.bz2', joined));
    expect(result.bytes.get('parts.txt.bz2!/parts.txt')).toEqual(Buffer.from('first part,second part'));
  });

  it('opens a .bz2 nested in a zip', async () => {
    const zip = buildZip([{ name: 'in/cam1.jpg.bz2', data: bzip2(jpeg('cam1')) }]);
    const result = await expand(memoryItem('outer.zip', zip));
    expect(locations(result)).toEqual(['outer.zip!/in/cam1.jpg.bz2', 'outer.zip!/in/cam1.jpg.bz2!/cam1.jpg']);
    expect(result.bytes.get('outer.zip!/in/cam1.jpg.bz2!/cam1.jpg')).toEqual(jpeg('cam1'));
  });

  it('records corrupt and truncated streams as corrupt-archive, and the audit as incomplete', async () => {
    const good = bzip2(Buffer.concat([jpeg('x'), randomBytes(50_000)]));
    const flipped = Buffer.from(good);
    flipped[Math.floor(good.length / 2)]! ^= 0xff;
    for (const [name, bytes] of [
      ['flipped.jpg.bz2', flipped],
      ['cut.jpg.bz2', good.subarray(0, good.length - 40)],
    ] as const) {
      const result = await expand(memoryItem(name, bytes));
      expect(result.items).toEqual([]);
      expect(reasons(result)).toEqual([`corrupt-archive ${name}`]);
      expect(result.coverage[0]).toMatchObject({ incomplete: true, detail: expect.stringMatching(/^bzip2: /) });
    }
  });

  it('never throws or hangs on damaged streams: each gives its member or a corrupt-archive entry', async () => {
    const original = Buffer.concat([jpeg('x'), Buffer.from('plate QRT4821 lane 3\n'.repeat(2000))]);
    const good = bzip2(original);
    let state = 0x2545f491;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state >>> 0;
    };
    const outcomes = new Set<string>();
    for (let i = 0; i < 150; i++) {
      const damaged = Buffer.from(good);
      for (let k = 0; k <= i % 3; k++) damaged[10 + (next() % (damaged.length - 10))] = next() & 0xff; // the magic (what sniff tells) stays
      const result = await expand(memoryItem('d.jpg.bz2', damaged));
      const outcome = result.items.length === 1 ? 'member' : reasons(result).join();
      expect(['member', 'corrupt-archive d.jpg.bz2']).toContain(outcome);
      // A damaged stream that still decodes passed its block and stream CRCs: it is the original.
      if (outcome === 'member') expect(result.bytes.get('d.jpg.bz2!/d.jpg')).toEqual(original);
      outcomes.add(outcome);
    }
    expect(outcomes.has('corrupt-archive d.jpg.bz2')).toBe(true);
  });

  it('stops a bzip2 bomb by its actual ratio, after its first block, under the same limits as gzip', async () => {
    const bomb = bzip2(Buffer.alloc(128 * 1024 * 1024)); // 128 MiB of zeros: three blocks, under 200 bytes
    expect(bomb.length).toBeLessThan(2_000);
    const result = await expand(memoryItem('zeros.bz2', bomb));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['archive-limit zeros.bz2']);
    expect(result.coverage[0]!.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: \d+ bytes inflated from \d+ compressed bytes$/);
    // With the ratio check off, the byte budget stops it.
    const budget = await expand(memoryItem('zeros.bz2', bomb), { maxCompressionRatio: Number.POSITIVE_INFINITY, maxTotalBytes: 64 * 1024 * 1024 });
    expect(budget.items).toEqual([]);
    expect(budget.coverage[0]!.detail).toMatch(/^maxTotalBytes \(67108864\) exceeded: bzip2 stream inflates past 67108864 bytes$/);
  });
});

describe('bzip2 member names', () => {
  it('drops the suffix as bunzip2 does', () => {
    expect(bunzippedName('a/b/photo.jpg.bz2')).toBe('photo.jpg');
    expect(bunzippedName('x.zip!/backup.tbz2')).toBe('backup.tar');
    expect(bunzippedName('backup.TBZ')).toBe('backup.tar');
    expect(bunzippedName('notes.bz')).toBe('notes');
    expect(bunzippedName('.bz2')).toBe('.bz2');
    expect(bunzippedName('renamed')).toBe('renamed');
  });
});
