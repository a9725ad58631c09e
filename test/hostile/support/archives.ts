import { crc32, deflateRawSync } from 'node:zlib';

/** One entry of a hand-built zip; the fields beyond name/data exist to build hostile archives. */
export interface ZipEntry {
  /** Raw name bytes or text (traversal names, invalid UTF-8). */
  name: string | Buffer;
  data?: Buffer;
  deflate?: boolean;
  /** Sets general-purpose bit 0 ("encrypted"); the bytes stay as given, no real cipher is needed. */
  encrypted?: boolean;
  /** Reuse already-deflated bytes with this uncompressed size (bombs without re-deflating). */
  precompressed?: { body: Buffer; size: number; crc: number };
}

const u16 = (n: number): Buffer => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** A zip written the way zip tools write it: local headers, data, central directory, EOCD. */
export function buildZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const pre = entry.precompressed;
    const method = pre || entry.deflate ? 8 : 0;
    const body = pre ? pre.body : entry.deflate ? deflateRawSync(data) : data;
    const size = pre ? pre.size : data.length;
    const crc = pre ? pre.crc : crc32(data);
    const name = Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name, 'utf8');
    const flags = entry.encrypted ? 1 : 0;
    const common = [u16(20), u16(flags), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(size), u16(name.length), u16(0)];
    const local = Buffer.concat([u32(0x04034b50), ...common, name, body]);
    centrals.push(Buffer.concat([u32(0x02014b50), u16(0x031e), ...common, u16(0), u16(0), u16(0), u32(0o100644 << 16), u32(offset), name]));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const eocd = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(central.length), u32(offset), u16(0)]);
  return Buffer.concat([...locals, central, eocd]);
}

/** Deflates `size` zero bytes once, for reuse as the body of many bomb entries. */
export function zeroBomb(size: number): { body: Buffer; size: number; crc: number } {
  const zeros = Buffer.alloc(size);
  return { body: deflateRawSync(zeros, { level: 9 }), size, crc: crc32(zeros) };
}

/** A valid zip whose central directory is then damaged (signature and offset garbage). */
export function corruptCentralDirectory(zip: Buffer): Buffer {
  const out = Buffer.from(zip);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cdOffset = out.readUInt32LE(eocd + 16);
  out.writeUInt32LE(0xdeadbeef, cdOffset); // central header signature
  out.writeUInt32LE(0x7fffffff, eocd + 16); // central directory offset past the end
  return out;
}

/** One member of a hand-built ustar archive. */
export interface TarEntry {
  name: string;
  data?: Buffer;
  /** '0' file, '2' symlink, '1' hard link, '5' directory. */
  type?: '0' | '1' | '2' | '5';
  linkname?: string;
}

function tarHeader(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, at: number, length: number) => h.write(text.slice(0, length), at, length, 'utf8');
  const octal = (n: number, at: number, length: number) => put(`${n.toString(8).padStart(length - 1, '0')}\0`, at, length);
  put(entry.name, 0, 100);
  octal(entry.type === '5' ? 0o755 : 0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(1_700_000_000, 136, 12);
  h.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  put(entry.type ?? '0', 156, 1);
  put(entry.linkname ?? '', 157, 100);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A ustar archive (no compression), ended by two zero blocks. */
export function buildTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === '0' || entry.type === undefined ? (entry.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    parts.push(tarHeader(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
