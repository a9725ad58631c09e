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

/**
 * A valid progressive JPEG that makes libjpeg walk the whole image once per scan, thousands of times:
 * the DC scans of `flat` (a progressive JPEG of a flat picture, as {@link progressiveJpeg} makes)
 * kept, and its AC scans replaced by the longest legal progression, one scan per coefficient (1..63)
 * per component per bit (first scan at Al = 13, then 13 refinements). A flat picture has no AC
 * energy, so each scan is a few bytes of end-of-band runs; none draws a warning, so the decoder
 * goes through every one of them (63 x 14 x 3 = 2,646 scans).
 */
export function longestProgression(flat: Buffer, width: number, height: number): Buffer {
  const segments = scanSegments(flat);
  const firstScan = segments.find((s) => s.ss === 0 && s.ah === 0);
  const dcRefine = segments.find((s) => s.ss === 0 && s.ah > 0);
  if (!firstScan) throw new Error('no DC scan');
  const header = flat.subarray(0, firstScan.start);
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8); // 4:4:4: every component full size
  const scans: Buffer[] = [acTable()];
  for (let component = 1; component <= 3; component++) {
    for (let k = 1; k <= 63; k++) {
      for (let al = 13; al >= 0; al--) scans.push(acScan(component, k, al === 13 ? 0 : al + 1, al, blocks));
    }
  }
  const tail = dcRefine ? [flat.subarray(dcRefine.start, dcRefine.end)] : [];
  return Buffer.concat([header, flat.subarray(firstScan.start, firstScan.end), ...scans, ...tail, Buffer.from([0xff, 0xd9])]);
}

function scanSegments(jpeg: Buffer): { start: number; end: number; ss: number; ah: number }[] {
  const out: { start: number; end: number; ss: number; ah: number }[] = [];
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i + 1] !== 0xd9) {
    const length = jpeg.readUInt16BE(i + 2);
    if (jpeg[i + 1] === 0xda) {
      const ns = jpeg[i + 4]!;
      const at = i + 5 + ns * 2;
      const end = entropyEnd(jpeg, i + 2 + length);
      out.push({ start: i, end, ss: jpeg[at]!, ah: jpeg[at + 2]! >> 4 });
      i = end;
      continue;
    }
    i += 2 + length;
  }
  return out;
}

/** DHT: AC table 0 with the 15 end-of-band-run symbols (0x00, 0x10, ... 0xE0), all 4-bit codes. */
function acTable(): Buffer {
  const counts = Array.from({ length: 16 }, (_, i) => (i === 3 ? 15 : 0));
  const symbols = Array.from({ length: 15 }, (_, r) => r << 4);
  const body = [0x10, ...counts, ...symbols];
  return Buffer.from([0xff, 0xc4, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]);
}

/** One single-component AC scan of coefficient k whose blocks are all end-of-band (EOB runs). */
function acScan(component: number, k: number, ah: number, al: number, blocks: number): Buffer {
  const bits: number[] = [];
  const put = (value: number, count: number) => {
    for (let b = count - 1; b >= 0; b--) bits.push((value >> b) & 1);
  };
  for (let left = blocks; left > 0; ) {
    const run = Math.min(left, 32767);
    const r = Math.floor(Math.log2(run));
    put(r, 4); // symbol r<<4 has code r (4 bits, canonical order)
    put(run - (1 << r), r);
    left -= run;
  }
  while (bits.length % 8 !== 0) bits.push(1);
  const data: number[] = [];
  for (let b = 0; b < bits.length; b += 8) {
    const byte = bits.slice(b, b + 8).reduce((a, bit) => (a << 1) | bit, 0);
    data.push(byte);
    if (byte === 0xff) data.push(0x00);
  }
  const header = [0xff, 0xda, 0x00, 0x08, 0x01, component, 0x00, k, k, (ah << 4) | al];
  return Buffer.from([...header, ...data]);
}
