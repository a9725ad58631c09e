/**
 * The parts of a JPEG's marker structure that decide what decoding it will cost, read without
 * decoding: frame size, components and their sampling, whether it is progressive, and how many
 * coefficient blocks its scans visit.
 *
 * Why: libjpeg decodes a progressive JPEG into a buffer of every DCT coefficient of the whole image
 * (128 bytes per 8x8 block per component, whatever the output scale), and runs every scan over that
 * buffer inside a single libvips call that sharp's timeout cannot interrupt. A 590 KB file of
 * 10,000 x 10,000 pixels needs ~600 MB; a 2 MB file repeating a tiny end-of-band scan thousands of
 * times takes minutes. Both are visible in the markers, so they are refused before decoding.
 */
export interface JpegLayout {
  width: number;
  height: number;
  progressive: boolean;
  /** Coefficient blocks per component (MCU-padded), in frame order. */
  blocks: number[];
  /** Scans (SOS markers) seen; only counted when the whole file was given. */
  scans: number;
  /** Sum over scans of the blocks each scan visits: the decoder's work for a progressive image. */
  scanBlocks: number;
}

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const PROGRESSIVE = new Set([0xc2, 0xc6, 0xca, 0xce]);

/** Bytes of coefficient buffer a progressive decode holds: 64 coefficients of 2 bytes per block. */
export const BYTES_PER_BLOCK = 128;

/**
 * Layout of a JPEG from its bytes (a head is enough for the frame; scans need the whole file).
 * Undefined when no frame header is found in `bytes`.
 */
export function jpegLayout(bytes: Uint8Array): JpegLayout | undefined {
  let frame: Omit<JpegLayout, 'scans' | 'scanBlocks'> | undefined;
  let ids: number[] = [];
  let scans = 0;
  let scanBlocks = 0;
  let i = 2;
  while (i + 3 < bytes.length) {
    if (bytes[i] !== 0xff) return frame && { ...frame, scans, scanBlocks };
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const body = i + 4;
    if (SOF.has(marker) && !frame && body + 6 <= bytes.length) {
      const height = (bytes[body + 1]! << 8) | bytes[body + 2]!;
      const width = (bytes[body + 3]! << 8) | bytes[body + 4]!;
      const count = bytes[body + 5]!;
      const sampling: { id: number; h: number; v: number }[] = [];
      for (let c = 0; c < count && body + 6 + c * 3 + 2 < bytes.length; c++) {
        const at = body + 6 + c * 3;
        sampling.push({ id: bytes[at]!, h: Math.max(1, bytes[at + 1]! >> 4), v: Math.max(1, bytes[at + 1]! & 15) });
      }
      const hMax = Math.max(1, ...sampling.map((s) => s.h));
      const vMax = Math.max(1, ...sampling.map((s) => s.v));
      // libjpeg pads each component to whole MCUs: ceil(width / (8 * hMax)) MCUs of h blocks each.
      const blocks = sampling.map((s) => Math.ceil(width / (8 * hMax)) * s.h * Math.ceil(height / (8 * vMax)) * s.v);
      ids = sampling.map((s) => s.id);
      frame = { width, height, progressive: PROGRESSIVE.has(marker), blocks };
    }
    if (marker === 0xda) {
      scans += 1;
      const count = bytes[body] ?? 0;
      for (let c = 0; c < count; c++) {
        const index = ids.indexOf(bytes[body + 1 + c * 2] ?? -1);
        scanBlocks += frame?.blocks[index] ?? 0;
      }
      // A baseline image is decoded in one pass whatever follows: no need to walk its data.
      if (frame && !frame.progressive) return { ...frame, scans, scanBlocks };
      i = entropyEnd(bytes, body + length - 2);
      continue;
    }
    i = body + length - 2;
  }
  return frame && { ...frame, scans, scanBlocks };
}

/** The offset of the marker after a scan's entropy-coded data (0xFF00 is a stuffed byte, RSTn is data). */
function entropyEnd(bytes: Uint8Array, from: number): number {
  for (let j = bytes.indexOf(0xff, from); j !== -1 && j + 1 < bytes.length; j = bytes.indexOf(0xff, j + 1)) {
    const next = bytes[j + 1]!;
    if (next !== 0x00 && next !== 0xff && !(next >= 0xd0 && next <= 0xd7)) return j;
  }
  return bytes.length;
}
