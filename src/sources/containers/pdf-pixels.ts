import type { Pixels } from './pdf-png.js';

/** A PDF image's colour space, as far as custody turns it into grey or RGB. */
export type Colour =
  | { kind: 'gray' | 'rgb' | 'cmyk' }
  | { kind: 'indexed'; base: 'gray' | 'rgb' | 'cmyk'; hival: number; lookup: Buffer }
  | { kind: 'unsupported'; name: string };

/** An image XObject's sample layout (its dictionary, read by pdf-images.ts). */
export interface SampleLayout {
  width: number;
  height: number;
  bitsPerComponent: number;
  colour: Colour;
  /** The /Decode array, when it is not the default. */
  decode?: number[];
}

/** The PNG/TIFF predictor of a Flate or LZW stream's /DecodeParms. */
export interface Predictor {
  predictor: number;
  colors: number;
  bitsPerComponent: number;
  columns: number;
}

const COMPONENTS = { gray: 1, rgb: 3, cmyk: 4 } as const;

/** Components per sample: 1 for an indexed image (its samples are palette indices). */
export const componentsOf = (colour: Colour): number => (colour.kind === 'indexed' ? 1 : colour.kind === 'unsupported' ? 0 : COMPONENTS[colour.kind]);

/** Bytes of one row of samples. */
export const rowBytes = (layout: SampleLayout): number => Math.ceil((layout.width * componentsOf(layout.colour) * layout.bitsPerComponent) / 8);

/** Undoes a PNG (10-15) or TIFF (2) predictor; `data` is what the filter decoded. */
export function unpredict(data: Buffer, p: Predictor): Buffer {
  if (p.predictor < 2) return data;
  const bpp = Math.max(1, Math.ceil((p.colors * p.bitsPerComponent) / 8));
  const stride = Math.ceil((p.columns * p.colors * p.bitsPerComponent) / 8);
  if (p.predictor === 2) {
    if (p.bitsPerComponent !== 8) throw new Error(`TIFF predictor with ${p.bitsPerComponent}-bit samples`);
    const out = Buffer.from(data);
    for (let row = 0; row + stride <= out.length; row += stride) for (let i = bpp; i < stride; i++) out[row + i] = (out[row + i]! + out[row + i - bpp]!) & 0xff;
    return out;
  }
  const rows = Math.floor(data.length / (stride + 1));
  const out = Buffer.alloc(rows * stride);
  for (let y = 0; y < rows; y++) {
    const type = data[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const at = y * stride;
    for (let i = 0; i < stride; i++) {
      const left = i >= bpp ? out[at + i - bpp]! : 0;
      const up = y > 0 ? out[at + i - stride]! : 0;
      const corner = y > 0 && i >= bpp ? out[at + i - stride - bpp]! : 0;
      const raw = data[src + i]!;
      out[at + i] = (raw + [0, left, up, (left + up) >> 1, paeth(left, up, corner)][type > 4 ? 0 : type]!) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Reads sample `i` of a row of `bits`-bit samples, as 0..(2^bits - 1). */
function sample(row: Buffer, offset: number, i: number, bits: number): number {
  if (bits === 8) return row[offset + i]!;
  if (bits === 16) return row[offset + 2 * i]!; // the high byte: 8 bits are all the detectors use
  const bit = i * bits;
  return (row[offset + (bit >> 3)]! >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
}

/**
 * Turns decoded samples into 8-bit grey or RGB pixels: unpacks 1-16 bit samples, applies /Decode,
 * looks up palettes and converts CMYK naively (no ICC profile: the perceptual hash is robust to it).
 */
export function toPixels(samples: Buffer, layout: SampleLayout): Pixels {
  const { width, height, bitsPerComponent: bits, colour } = layout;
  if (colour.kind === 'unsupported') throw new Error(`colour space ${colour.name}`);
  const base = colour.kind === 'indexed' ? colour.base : colour.kind;
  const n = componentsOf(colour);
  const stride = rowBytes(layout);
  if (samples.length < stride * height) throw new Error(`image data truncated: ${samples.length} of ${stride * height} bytes`);
  const max = (1 << (bits === 16 ? 8 : bits)) - 1;
  const channels = base === 'gray' ? 1 : 3;
  // The common case (8-bit grey or RGB, default /Decode) is the samples themselves.
  if (bits === 8 && colour.kind === base && base !== 'cmyk' && !layout.decode) return { width, height, channels, data: samples.subarray(0, stride * height) };
  const out = Buffer.alloc(width * height * channels);
  const value = new Array<number>(4).fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < n; c++) {
        let v = sample(samples, y * stride, x * n + c, bits);
        const range = layout.decode;
        if (colour.kind === 'indexed') {
          if (range) v = Math.round(range[0]! + (v * (range[1]! - range[0]!)) / max);
          v = Math.min(v, colour.hival);
        } else {
          const lo = range?.[2 * c] ?? 0;
          const hi = range?.[2 * c + 1] ?? 1;
          v = Math.round((lo + (v / max) * (hi - lo)) * 255);
        }
        value[c] = v;
      }
      if (colour.kind === 'indexed') {
        const m = COMPONENTS[base];
        const index = value[0]!;
        for (let c = 0; c < m; c++) value[c] = colour.lookup[index * m + c] ?? 0;
      }
      const at = (y * width + x) * channels;
      if (base === 'gray') out[at] = value[0]!;
      else if (base === 'rgb') {
        out[at] = value[0]!;
        out[at + 1] = value[1]!;
        out[at + 2] = value[2]!;
      } else {
        const k = 255 - value[3]!;
        out[at] = ((255 - value[0]!) * k) / 255;
        out[at + 1] = ((255 - value[1]!) * k) / 255;
        out[at + 2] = ((255 - value[2]!) * k) / 255;
      }
    }
  }
  return { width, height, channels, data: out };
}
