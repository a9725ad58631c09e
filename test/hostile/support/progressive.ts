import sharp, { type Create } from 'sharp';

/**
 * Progressive JPEGs that are costly to decode (issue #22 class 5), built with sharp so they can be
 * rebuilt anywhere: a flat picture compresses to almost nothing while libjpeg still holds every DCT
 * coefficient (128 bytes per 8x8 block per component).
 */
export async function progressiveJpeg(width: number, height: number, options: { subsampling?: '4:4:4' | '4:2:0'; noise?: number } = {}): Promise<Buffer> {
  const create: Create = { width, height, channels: 3, background: { r: 120, g: 80, b: 40 } };
  if (options.noise) create.noise = { type: 'gaussian', mean: 128, sigma: options.noise };
  return sharp({ create })
    .jpeg({ progressive: true, quality: 90, chromaSubsampling: options.subsampling ?? '4:4:4' })
    .toBuffer();
}

/**
 * The same JPEG with its first luma AC scan (and the Huffman table before it) repeated `times`
 * times: each copy is a few bytes of end-of-band runs, and libjpeg walks every luma block for each
 * (a repeated scan is only a warning to it). A few MB this way take minutes to decode.
 */
export function repeatFirstAcScan(jpeg: Buffer, times: number): Buffer {
  let i = 2;
  let segmentStart = -1;
  while (i + 4 <= jpeg.length) {
    const marker = jpeg[i + 1]!;
    const length = jpeg.readUInt16BE(i + 2);
    if (marker === 0xc4 && segmentStart === -1) segmentStart = i;
    if (marker === 0xda) {
      const ss = jpeg[i + 2 + 2 + 1 + 2]!;
      const end = entropyEnd(jpeg, i + 2 + length);
      if (jpeg[i + 4] === 1 && ss > 0) {
        const start = segmentStart === -1 ? i : segmentStart;
        const copy = jpeg.subarray(start, end);
        return Buffer.concat([jpeg.subarray(0, start), ...Array.from({ length: times }, () => copy), jpeg.subarray(end)]);
      }
      segmentStart = -1;
      i = end;
      continue;
    }
    if (marker !== 0xc4) segmentStart = -1;
    i += 2 + length;
  }
  throw new Error('no single-component AC scan (is the JPEG progressive?)');
}

function entropyEnd(bytes: Buffer, from: number): number {
  for (let j = bytes.indexOf(0xff, from); j !== -1 && j + 1 < bytes.length; j = bytes.indexOf(0xff, j + 1)) {
    const next = bytes[j + 1]!;
    if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) return j;
  }
  return bytes.length;
}
