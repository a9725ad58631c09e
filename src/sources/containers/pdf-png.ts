import { crc32, deflateSync } from 'node:zlib';

/** Decoded pixels, 8 bits per channel, rows packed: 1 channel (grey) or 3 (RGB). */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(body, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, body, tail]);
}

/**
 * Writes pixels as a PNG, so a PDF image stored as pixels (Flate, LZW, ...) becomes a member the
 * image detectors decode like any other. A writer this small (filter 0 on every row, one IDAT) is
 * enough: the PNG is read once by sharp and never kept, and src/sources may not import the decoders.
 */
export function encodePng({ width, height, channels, data }: Pixels): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = channels === 3 ? 2 : 0;
  const stride = width * channels;
  const rows = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) data.copy(rows, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}
