import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sectorsWalked } from '../../src/sources/containers/msg-chains.js';
import { readCompound } from '../../src/sources/containers/msg-compound.js';
import { REPO_ROOT } from '../support/tmp.js';

const SSZ = 512;
const END = -2;
const FATSECT = -3;
const FREE = -1;

/** A directory entry ([MS-CFB] 2.6): name, type (1 storage, 2 stream, 5 root), tree links, start sector, size. */
function entry(name: string, type: number, links: { left?: number; right?: number; child?: number }, start: number, size: number): Buffer {
  const e = Buffer.alloc(128);
  e.write(name, 0, 'utf16le');
  e.writeUInt16LE((name.length + 1) * 2, 64);
  e.writeUInt8(type, 66);
  e.writeUInt8(1, 67);
  e.writeInt32LE(links.left ?? FREE, 68);
  e.writeInt32LE(links.right ?? FREE, 72);
  e.writeInt32LE(links.child ?? FREE, 76);
  e.writeInt32LE(start, 116);
  e.writeUInt32LE(size, 120);
  return e;
}

/**
 * A version-3 compound file: sector 0 is the FAT, then the directory's sectors, then the data sectors,
 * each FAT entry as `fat` gives it for data sector d (numbered from the first data sector).
 */
function compound(entries: Buffer[], dataSectors: number, fat: (d: number, first: number) => number): Buffer {
  const dirSectors = Math.ceil((entries.length * 128) / SSZ);
  const first = 1 + dirSectors;
  const total = first + dataSectors;
  expect(total).toBeLessThanOrEqual(SSZ / 4); // one FAT sector
  const header = Buffer.alloc(SSZ);
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(header, 0);
  header.writeUInt16LE(0x3e, 0x18);
  header.writeUInt16LE(3, 0x1a);
  header.writeUInt16LE(0xfffe, 0x1c);
  header.writeUInt16LE(9, 0x1e);
  header.writeUInt16LE(6, 0x20);
  header.writeUInt32LE(1, 0x2c);
  header.writeInt32LE(1, 0x30);
  header.writeUInt32LE(4096, 0x38);
  header.writeInt32LE(END, 0x3c);
  header.writeInt32LE(END, 0x44);
  for (let j = 0; j < 109; j++) header.writeInt32LE(j === 0 ? 0 : FREE, 0x4c + j * 4);
  const fatSector = Buffer.alloc(SSZ, 0xff);
  fatSector.writeInt32LE(FATSECT, 0);
  for (let s = 1; s < first; s++) fatSector.writeInt32LE(s + 1 < first ? s + 1 : END, s * 4);
  for (let d = 0; d < dataSectors; d++) fatSector.writeInt32LE(fat(d, first), (first + d) * 4);
  const directory = Buffer.alloc(dirSectors * SSZ);
  for (const [i, e] of entries.entries()) e.copy(directory, i * 128);
  const data = Buffer.alloc(dataSectors * SSZ);
  for (let d = 0; d < dataSectors; d++) data.fill(d & 0xff, d * SSZ, (d + 1) * SSZ);
  return Buffer.concat([header, fatSector, directory, data]);
}

const root = (child: number) => entry('Root Entry', 5, { child }, END, 0);
const props = (right?: number) => entry('__properties_version1.0', 2, { right }, END, 0);

describe('compound files whose chains would make the reader allocate far more than they hold', () => {
  it('a chain laid out backwards is refused before it is read, not re-read once per sector', async () => {
    // Data sector d points to d - 1: cfb starts a chain at each sector in turn and walks back to
    // the first, 1 + 2 + ... + 120 sectors (3.7 MB from a 62 KB file; quadratic in the file's size).
    const file = compound([root(1), props(2), entry('big', 2, {}, 0, 4096)], 120, (d, first) => (d === 0 ? END : first + d - 1));
    const budget = 8 * Math.ceil(file.length / SSZ) + 4096;
    // The directory's one sector, the data sectors' walks of 1 to 120, the FAT's one sector.
    expect(sectorsWalked(file, 1e9)).toBe(1 + (120 * 121) / 2 + 1);
    const read = await readCompound(file);
    expect(read).toEqual({ kind: 'corrupt', detail: expect.stringContaining(`sector chains overlap: reading them would take more than ${budget} sectors`) });
  });

  it('two hundred streams sharing one chain are refused before the rewrite copies each of them', async () => {
    const first = 1 + Math.ceil((202 * 128) / SSZ); // the FAT, the directory, then the shared chain
    const streams = Array.from({ length: 200 }, (_, i) => entry(`__substg1.0_3701000D-${i}`, 2, { right: i + 3 < 202 ? i + 3 : undefined }, first, 64 * SSZ));
    const file = compound([root(1), props(2), ...streams], 64, (d, at) => (d === 63 ? END : at + d + 1));
    expect(sectorsWalked(file, 1e9)).toBeLessThan(file.length / SSZ);
    const read = await readCompound(file);
    expect(read).toEqual({ kind: 'corrupt', detail: `streams share sectors: they hold ${200 * 64 * SSZ} bytes in a file of ${file.length}` });
  });

  it('real messages walk each sector once and are still read', async () => {
    for (const name of ['attachmentFiles.msg', 'msgInMsg.msg']) {
      const bytes = await readFile(path.join(REPO_ROOT, 'fixtures', 'msg', name));
      expect(sectorsWalked(bytes, 1e9)).toBeLessThanOrEqual(Math.ceil(bytes.length / SSZ));
      expect((await readCompound(bytes)).kind).toBe('msg');
    }
  });
});
