import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Rng } from '../../support/fuzz.js';

/** Every image format custody sniffs and decodes, with the extension it usually wears. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'gif', 'webp', 'tiff', 'avif'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export const EXTENSION: Record<ImageFormat, string> = { jpeg: 'jpg', png: 'png', gif: 'gif', webp: 'webp', tiff: 'tif', avif: 'avif' };

/** Smooth gradients plus seeded speckle: a picture PDQ can hash (pure noise has no stable hash). */
export function rawPicture(r: Rng, width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  const [a, b, c] = [r.next() * 6, r.next() * 6, r.next() * 6];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = 128 + 100 * Math.sin((x / width) * a + (y / height) * b);
      pixels[i + 1] = 128 + 100 * Math.cos((y / height) * c * 2);
      pixels[i + 2] = ((x ^ y) & 0x3f) + r.int(64);
    }
  }
  return pixels;
}

/** Encodes a raw RGB picture in one format. */
export async function encode(pixels: Buffer, width: number, height: number, format: ImageFormat): Promise<Buffer> {
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  return image.toFormat(format, format === 'avif' ? { effort: 0 } : {}).toBuffer();
}

/** Flips `count` bytes past the first 16 (keeping the magic so the file still claims its format). */
export function flipBytes(bytes: Buffer, r: Rng, count: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < count; i++) {
    const at = 16 + r.int(Math.max(1, out.length - 16));
    out[at] = out[at]! ^ (1 + r.int(255));
  }
  return out;
}

/** A PNG whose IHDR declares `width` x `height` (CRC fixed), with the small image's data behind it. */
export function pngDeclaring(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  // IHDR is always the first chunk: length(4) type(4) at offset 8, data at 16, CRC after 13 bytes.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** A JPEG whose SOF marker declares `width` x `height`, with the small image's scan data behind it. */
export function jpegDeclaring(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length; ) {
    if (out[i] !== 0xff) throw new Error('not a marker');
    const marker = out[i + 1]!;
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}
