import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as yauzl from 'yauzl';
import { zipEntryName } from '../../src/sources/archives/names.js';
import { expand, locations, memoryItem } from '../sources/archives/support/harness.js';
import { buildZip } from '../sources/archives/support/zip-writer.js';
import { listOnlyFirst } from './support/zip-surgery.js';

/** Rewrites the placeholder name `QQ` into CP437 bytes (not UTF-8) and clears the UTF-8 flag, in every header. */
function legacyNames(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  for (let at = 0; at + 4 <= out.length; at++) {
    const signature = out.readUInt32LE(at);
    if (signature === 0x04034b50) out.writeUInt16LE(out.readUInt16LE(at + 6) & ~0x800, at + 6);
    if (signature === 0x02014b50) out.writeUInt16LE(out.readUInt16LE(at + 8) & ~0x800, at + 8);
  }
  for (let at = out.indexOf('QQ.txt'); at >= 0; at = out.indexOf('QQ.txt', at + 1)) out.set([0x82, 0x81], at);
  return out;
}

describe('zip entry names read alike, listed or present only as a local header', () => {
  const zip = legacyNames(
    buildZip([
      { name: 'a.txt', data: Buffer.from('a') },
      { name: 'QQ.txt', data: Buffer.from('hidden') },
    ]),
  );

  it('a CP437 name is the same in both (before: the hidden one read as Latin-1)', async () => {
    const listed = locations(await expand(memoryItem('z.zip', zip)));
    const hidden = locations(await expand(memoryItem('z.zip', listOnlyFirst(zip, 1))));
    expect(listed).toEqual(['z.zip!/a.txt', 'z.zip!/éü.txt']);
    expect(hidden).toEqual(listed);
  });

  it('decodes as yauzl does: every CP437 byte, and a Unicode Path field whose CRC matches', () => {
    const all = Buffer.from([...Array(256).keys()]);
    expect(zipEntryName(0, all, [])).toBe(yauzl.getFileNameLowLevel(0, all, [], false));
    const legacy = Buffer.from([0x51, 0x82, 0x2e, 0x74]);
    const field = (crc: number) => ({
      id: 0x7075,
      data: Buffer.concat([Buffer.from([1]), Buffer.from(Uint32Array.of(crc).buffer), Buffer.from('QRT–4821.txt')]),
    });
    expect(zipEntryName(0, legacy, [field(crc32(legacy))])).toBe('QRT–4821.txt');
    expect(zipEntryName(0, legacy, [field(crc32(legacy) ^ 1)])).toBe(yauzl.getFileNameLowLevel(0, legacy, [], false));
    // Valid UTF-8 without the flag stays UTF-8 (names.ts says why).
    expect(zipEntryName(0, Buffer.from('QRT–4821'), [])).toBe('QRT–4821');
  });
});
