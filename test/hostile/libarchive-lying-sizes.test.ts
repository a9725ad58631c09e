import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwritten } from '../../src/sources/archives/libarchive.js';
import { expand, locations, makeTempDir, memoryItem, reasons } from '../sources/archives/support/harness.js';
import { hasTool } from '../support/tools.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

/** libarchive's rar4.rar (fixtures/archives): `test.txt` is its first file header, at byte 0x14, stored (20 bytes). */
const RAR4 = path.resolve('fixtures/archives/rar4.rar');
const TEXT = 'test text document\r\n';

/** The rar with test.txt's unpacked size set to `size` (the header's CRC made right, so only the size lies). */
async function rarClaiming(size: number): Promise<Buffer> {
  const bytes = await readFile(RAR4);
  bytes.writeUInt32LE(size, 0x14 + 11);
  bytes.writeUInt16LE(crc32(bytes.subarray(0x16, 0x14 + bytes.readUInt16LE(0x14 + 5))) & 0xffff, 0x14);
  return bytes;
}

describe('rar and 7z headers whose sizes lie: no crash, no hang, no byte the archive did not hold', () => {
  it('a stored rar member claiming more than it holds is a truncated member (before: handed with 20 bytes of libarchive heap after its own)', async () => {
    for (const claimed of [36, 40, 44, 100, 4000, 4004]) {
      const result = await expand(memoryItem('lies.rar', await rarClaiming(claimed)));
      expect(result.bytes.has('lies.rar!/test.txt'), `claims ${claimed}`).toBe(false);
      const entry = result.coverage.find((c) => c.location === 'lies.rar!/test.txt');
      expect(entry, `claims ${claimed}`).toMatchObject({ reason: 'corrupt-archive', incomplete: true });
      expect(entry!.detail).toMatch(new RegExp(`^rar: truncated member: the entry declares ${claimed} bytes but its data ends \\d+ bytes short`));
    }
  });

  it('the same member read in slices (over maxMemberBufferBytes) is recorded the same, and the next members are still read', async () => {
    const result = await expand(memoryItem('sliced.rar', await rarClaiming(40)), { maxMemberBufferBytes: 10 });
    expect(result.bytes.has('sliced.rar!/test.txt')).toBe(false);
    expect(result.coverage.find((c) => c.location === 'sliced.rar!/test.txt')).toMatchObject({ reason: 'corrupt-archive', incomplete: true });
    expect(result.bytes.get('sliced.rar!/testdir/test.txt')?.toString()).toBe(TEXT);
  });

  it('one claiming less is read up to its claim and no further; the honest archive is unchanged', async () => {
    const less = await expand(memoryItem('less.rar', await rarClaiming(10)));
    expect(less.bytes.get('less.rar!/test.txt')?.toString()).toBe(TEXT.slice(0, 10));
    const honest = await expand(memoryItem('ok.rar', await rarClaiming(20)));
    expect(honest.bytes.get('ok.rar!/test.txt')?.toString()).toBe(TEXT);
    expect(honest.bytes.get('ok.rar!/testdir/test.txt')?.toString()).toBe(TEXT);
  });

  it('one claiming 2 GiB is a bomb by ratio, refused before a byte is decoded', async () => {
    const result = await expand(memoryItem('bomb.rar', await rarClaiming(0x7fff_ffff)));
    expect(result.items).toEqual([]);
    expect(reasons(result)).toEqual(['archive-limit bomb.rar']);
    expect(result.coverage[0]!.detail).toMatch(/^maxCompressionRatio \(200\) exceeded: 2147483647 bytes declared/);
  });

  describe.runIf(hasTool('7zz', ['i'], '7z lying sizes'))('7z', () => {
    /** A stored 7z of a 3000-byte member and a small one, its header uncompressed so that sizes can be rewritten. */
    async function sevenZipClaiming(size: number): Promise<Buffer> {
      const root = path.join(dir, 'src');
      await mkdir(root, { recursive: true });
      await writeFile(path.join(root, 'a.bin'), randomBytes(3000));
      await writeFile(path.join(root, 'b.txt'), 'second member\n');
      const out = path.join(dir, `a${size}.7z`);
      execFileSync('7zz', ['a', '-bd', '-y', '-mx0', '-mhc=off', out, 'a.bin', 'b.txt'], { cwd: root, stdio: 'ignore' });
      const bytes = await readFile(out);
      const start = 32 + Number(bytes.readBigUInt64LE(12));
      const header = bytes.subarray(start, start + Number(bytes.readBigUInt64LE(20)));
      // kCodersUnpackSize (0x0C), then 3000 as a two-byte 7z number (0x8b 0xb8).
      const at = header.indexOf(Buffer.from([0x0c, 0x8b, 0xb8]));
      header.writeUInt16BE(0x8000 | size, at + 1);
      bytes.writeUInt32LE(crc32(header), 28);
      bytes.writeUInt32LE(crc32(bytes.subarray(12, 32)), 8);
      return bytes;
    }

    it('a truncated member (its header claims more than its stream holds) is corrupt-archive and never handed on', async () => {
      for (const claimed of [3001, 4000]) {
        const result = await expand(memoryItem('cut.7z', await sevenZipClaiming(claimed)));
        expect(locations(result), `claims ${claimed}`).toEqual([]);
        expect(reasons(result)).toEqual(['corrupt-archive cut.7z!/a.bin']);
      }
    });

    it('a member claiming less fails its CRC: corrupt-archive, never a short member', async () => {
      const result = await expand(memoryItem('less.7z', await sevenZipClaiming(2000)));
      expect(locations(result)).toEqual([]);
      expect(result.coverage[0]).toMatchObject({ location: 'less.7z!/a.bin', reason: 'corrupt-archive', incomplete: true });
      expect(result.coverage[0]!.detail).toMatch(/CRC/);
      const honest = await expand(memoryItem('ok.7z', await sevenZipClaiming(3000)));
      expect(locations(honest)).toEqual(['ok.7z!/a.bin', 'ok.7z!/b.txt']);
    });
  });
});

describe('the short-read check of libarchive buffers', () => {
  const poison = randomBytes(64);
  const pattern = (from: number, to: number) => Buffer.from(Array.from({ length: to - from }, (_, i) => poison[(from + i) % poison.length]!));
  it('finds the unwritten tail even when free() wrote its size word over the last 4 bytes (a block of 8k+4 bytes, recycled)', () => {
    const data = randomBytes(20);
    const padded = Buffer.concat([data, pattern(20, 40), Buffer.from([0x2b, 0, 0, 0])]);
    expect(unwritten(padded, poison)).toBeGreaterThanOrEqual(20);
    expect(unwritten(Buffer.concat([data, pattern(20, 44)]), poison)).toBe(24);
    // A buffer the read filled whole has no pattern run, whatever its last bytes.
    expect(unwritten(randomBytes(44), poison)).toBeLessThan(16);
  });
});
