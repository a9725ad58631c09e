import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SIDE, decodeImage } from '../../src/identify/image-decode.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'pdq');
const bridge = readFileSync(path.join(fixtures, 'bridge-640.jpg'));
const limits = { maxImagePixels: 100_000_000 };

describe('decodeImage', () => {
  it('shrinks the long side to the policy maximum, keeping the aspect ratio', async () => {
    const r = await decodeImage(bridge, limits);
    if (!r.ok) throw new Error(r.detail);
    expect(r.image.width).toBe(DEFAULT_MAX_SIDE);
    expect(r.image.height).toBe(Math.round((DEFAULT_MAX_SIDE * 402) / 640));
    expect(r.image.pixels.length).toBe(r.image.width * r.image.height * r.image.channels);
  });

  it('never enlarges, and maxSide 0 keeps full resolution', async () => {
    const small = readFileSync(path.join(fixtures, 'q1050.jpg'));
    const r = await decodeImage(small, limits);
    expect(r.ok && [r.image.width, r.image.height]).toEqual([256, 256]);
    const full = await decodeImage(bridge, { ...limits, maxSide: 0 });
    expect(full.ok && full.image.width).toBe(640);
  });

  it('applies EXIF orientation, so a tagged copy decodes like a rotated one', async () => {
    const tagged = await sharp(bridge).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const r = await decodeImage(tagged, { ...limits, maxSide: 0 });
    if (!r.ok) throw new Error(r.detail);
    expect([r.image.width, r.image.height]).toEqual([402, 640]);
  });

  it.each(['png', 'webp', 'gif', 'tiff', 'avif'] as const)('decodes %s', async (format) => {
    const bytes = await sharp(bridge).resize({ width: 200 }).toFormat(format).toBuffer();
    const r = await decodeImage(bytes, limits);
    if (!r.ok) throw new Error(r.detail);
    expect(r.image.width).toBe(200);
    expect(r.image.media).toBe(`image/${format}`);
  });

  it('refuses images over the pixel limit before decoding them', async () => {
    // A small PNG whose header claims 30000x30000 pixels (2.7 GB decoded): the limit must trip on
    // the header alone.
    const bomb = withPngSize(await sharp(bridge).resize({ width: 16, height: 16 }).png().toBuffer(), 30000, 30000);
    const started = performance.now();
    const r = await decodeImage(bomb, { maxImagePixels: 50_000_000 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe('too-large');
    expect(performance.now() - started).toBeLessThan(2000);
  }, 60_000);

  it('reports corrupt and unsupported input as typed failures', async () => {
    const truncated = await decodeImage(bridge.subarray(0, Math.floor(bridge.length / 2)), limits);
    expect(!truncated.ok && truncated.reason).toBe('corrupt');
    const garbage = Buffer.concat([bridge.subarray(0, 4), Buffer.alloc(2000, 0x41)]);
    expect((await decodeImage(garbage, limits)).ok).toBe(false);
    const text = await decodeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), limits);
    expect(!text.ok && text.reason).toBe('unsupported');
  });
});

describe('decode failures are reported alike whatever decodes alongside', () => {
  it('gives a corrupt image the same text decoded alone or among images that raise warnings', async () => {
    // JPEGs with junk before the scan marker decode with a libjpeg warning; truncated ones fail.
    const sos = bridge.indexOf(Buffer.from([0xff, 0xda]));
    const withJunk = (n: number) => Buffer.concat([bridge.subarray(0, sos), Buffer.alloc(n, 0x20), bridge.subarray(sos)]);
    const failing = [3, 5, 7, 11].map((n, i) => withJunk(n).subarray(0, Math.floor(bridge.length * (0.3 + i * 0.1))));
    const noisy = Array.from({ length: 24 }, (_, i) => withJunk(13 + i));
    const alone: string[] = [];
    for (const bytes of failing) {
      const result = await decodeImage(bytes, limits);
      expect(result.ok).toBe(false);
      alone.push(result.ok ? '' : result.detail);
    }
    for (let round = 0; round < 3; round++) {
      const together = await Promise.all([...noisy, ...failing, ...noisy].map((bytes) => decodeImage(bytes, limits)));
      const details = together.slice(noisy.length, noisy.length + failing.length).map((r) => (r.ok ? '' : r.detail));
      expect(details).toEqual(alone);
    }
  });
});

/** Rewrites a PNG's IHDR dimensions (and its CRC), as a decompression-bomb header would claim. */
function withPngSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
