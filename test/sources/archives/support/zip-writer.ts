import { crc32, deflateRawSync } from 'node:zlib';

/** One entry of a test zip. Fields beyond name/data exist to build hostile or unusual archives. */
export interface ZipEntrySpec {
  name: string;
  data?: Buffer;
  /** Default 'deflate'. */
  method?: 'store' | 'deflate';
  /** Sets the "encrypted" flag bit; the data is written as is (no real cipher is needed to test skipping). */
  encrypted?: boolean;
  /** Full st_mode (type and permission bits); marks the entry as made on Unix. */
  unixMode?: number;
  /** Writes sizes and offset as 0xFFFFFFFF with a zip64 extended-information extra field. */
  zip64?: boolean;
  /** Uncompressed size to declare instead of the real one (a lying header). */
  declaredSize?: number;
}

export interface ZipOptions {
  /** Adds a zip64 end-of-central-directory record and locator. */
  zip64Eocd?: boolean;
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

// 2024-01-02 03:04:06 in DOS format.
const DOS_TIME = (3 << 11) | (4 << 5) | (6 >> 1);
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 2;
const MAX32 = 0xffffffff;

/** Builds a zip in memory (stored and deflated entries, optional zip64), written the way zip tools do. */
export function buildZip(entries: readonly ZipEntrySpec[], options: ZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const spec of entries) {
    const data = spec.data ?? Buffer.alloc(0);
    const method = spec.method === 'store' ? 0 : 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const size = spec.declaredSize ?? data.length;
    const name = Buffer.from(spec.name, 'utf8');
    const flags = (spec.encrypted ? 0x0001 : 0) | 0x0800;
    const version = spec.zip64 ? 45 : 20;
    const crc = crc32(data);
    const localExtra = spec.zip64 ? Buffer.concat([u16(1), u16(16), u64(size), u64(body.length)]) : Buffer.alloc(0);
    const centralExtra = spec.zip64 ? Buffer.concat([u16(1), u16(24), u64(size), u64(body.length), u64(offset)]) : Buffer.alloc(0);
    const sizes = spec.zip64 ? [u32(MAX32), u32(MAX32)] : [u32(body.length), u32(size)];
    const local = Buffer.concat([
      u32(0x04034b50),
      u16(version),
      u16(flags),
      u16(method),
      u16(DOS_TIME),
      u16(DOS_DATE),
      u32(crc),
      ...sizes,
      u16(name.length),
      u16(localExtra.length),
      name,
      localExtra,
      body,
    ]);
    const madeBy = (spec.unixMode !== undefined ? 3 << 8 : 0) | 45;
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(madeBy),
        u16(version),
        u16(flags),
        u16(method),
        u16(DOS_TIME),
        u16(DOS_DATE),
        u32(crc),
        ...sizes,
        u16(name.length),
        u16(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(spec.unixMode !== undefined ? spec.unixMode << 16 : 0),
        u32(spec.zip64 ? MAX32 : offset),
        name,
        centralExtra,
      ]),
    );
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (options.zip64Eocd) {
    const zip64EocdOffset = offset + central.length;
    tail.push(
      Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(entries.length), u64(entries.length), u64(central.length), u64(offset)]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(zip64EocdOffset), u32(1)]),
      Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(MAX32), u32(MAX32), u16(0)]),
    );
  } else {
    tail.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(central.length), u32(offset), u16(0)]));
  }
  return Buffer.concat([...locals, central, ...tail]);
}

/** Offset of the central directory in a zip built by buildZip (to corrupt it in tests). */
export function centralDirectoryOffset(zip: Buffer): number {
  return zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
}
