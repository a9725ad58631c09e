import { constants, inflateSync } from 'node:zlib';
import type * as PdfLib from 'pdf-lib';
import { errorCode } from '../../util/errors.js';
import { dictOf, get, items, nameOf, numberOf, type Objects } from './pdf-objects.js';
import { type Colour, componentsOf, type Predictor, rowBytes, type SampleLayout, toPixels, unpredict } from './pdf-pixels.js';
import { encodePng } from './pdf-png.js';

/** What one image XObject becomes: a member's bytes, or why it is not one. */
export type ImageOutcome =
  | { bytes: Buffer; extension: 'jpg' | 'jp2' | 'png' }
  | { reason: 'unsupported-compression' | 'unsupported-image' | 'corrupt-archive'; detail: string }
  | { limit: 'maxCompressionRatio' | 'maxMemberBufferBytes'; detail: string };

/** The limits an image's decoding is held to (ArchiveOptions). */
export interface ImageLimits {
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
  maxMemberBufferBytes: number;
}

/** Filters decoded here; DCT and JPX streams end as their own file formats, the rest is not decoded. */
const DECODED = new Set(['FlateDecode', 'LZWDecode', 'ASCIIHexDecode', 'ASCII85Decode', 'RunLengthDecode']);
const FILE_FORMATS = { DCTDecode: 'jpg', JPXDecode: 'jp2' } as const;
const ABBREVIATIONS: Record<string, string> = {
  Fl: 'FlateDecode',
  LZW: 'LZWDecode',
  AHx: 'ASCIIHexDecode',
  A85: 'ASCII85Decode',
  RL: 'RunLengthDecode',
  DCT: 'DCTDecode',
};

/** Bytes a pixel stream may inflate past its declared size (row padding, a stray newline). */
const SLACK_BYTES = 64 * 1024;

class LimitError extends Error {
  constructor(
    readonly limit: 'maxCompressionRatio' | 'maxMemberBufferBytes',
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * One image XObject as a member. A DCTDecode (JPEG) or JPXDecode (JPEG 2000) stream is yielded as
 * its bytes, which are the original file's (exact matching works); pixels stored any other way are
 * decoded and written as a PNG for perceptual matching. Every decode is bounded up front by the
 * image's declared size (a bomb is refused by its ratio before any byte is inflated) and by
 * maxMemberBufferBytes.
 */
export function imageMember(objects: Objects, stream: PdfLib.PDFRawStream, limits: ImageLimits): ImageOutcome {
  const filters = items(objects, get(objects, stream.dict, 'Filter')).map((f) => nameOf(objects, f) ?? '?');
  const names = filters.map((f) => ABBREVIATIONS[f] ?? f);
  const params = items(objects, get(objects, stream.dict, 'DecodeParms'));
  const last = names.at(-1);
  const format = last === 'DCTDecode' || last === 'JPXDecode' ? FILE_FORMATS[last] : undefined;
  const prefix = format ? names.slice(0, -1) : names;
  const unsupported = prefix.find((f) => !DECODED.has(f));
  if (unsupported) return { reason: 'unsupported-compression', detail: `pdf: image filter ${unsupported} is not decoded` };
  try {
    if (format) {
      const cap = Math.min(limits.maxMemberBufferBytes, Math.max(limits.ratioCheckMinBytes, stream.contents.length * limits.maxCompressionRatio));
      return { bytes: decodeFilters(objects, stream, prefix, params, cap, true), extension: format };
    }
    const layout = sampleLayout(objects, stream.dict);
    if (layout.colour.kind === 'unsupported') return { reason: 'unsupported-image', detail: `pdf: image colour space ${layout.colour.name} is not decoded` };
    const { width, height } = layout;
    if (!(width > 0 && height > 0 && [1, 2, 4, 8, 16].includes(layout.bitsPerComponent))) {
      return { reason: 'corrupt-archive', detail: `pdf: image of ${width}x${height} at ${layout.bitsPerComponent} bits per component` };
    }
    const last = dictOf(objects, params.at(-1));
    const predictor = last ? predictorOf(objects, last, layout) : undefined;
    const stride = rowBytes(layout);
    const expected =
      predictor && predictor.predictor >= 10
        ? (Math.ceil((predictor.columns * predictor.colors * predictor.bitsPerComponent) / 8) + 1) * height
        : stride * height;
    const pixels = width * height * (layout.colour.kind === 'gray' || (layout.colour.kind === 'indexed' && layout.colour.base === 'gray') ? 1 : 3);
    if (Math.max(expected, pixels) > limits.maxMemberBufferBytes) {
      throw new LimitError('maxMemberBufferBytes', `a ${width}x${height} image (${Math.max(expected, pixels)} bytes decoded) is not decoded`);
    }
    if (expected > limits.ratioCheckMinBytes && expected > Math.max(stream.contents.length, 1) * limits.maxCompressionRatio) {
      throw new LimitError('maxCompressionRatio', `a ${width}x${height} image declares ${expected} bytes from ${stream.contents.length}; not decoded`);
    }
    let samples = decodeFilters(objects, stream, prefix, params, expected, false);
    if (predictor) samples = unpredict(samples, predictor);
    return { bytes: encodePng(toPixels(samples, layout)), extension: 'png' };
  } catch (error) {
    if (error instanceof LimitError) return { limit: error.limit, detail: error.message };
    return { reason: 'corrupt-archive', detail: `pdf: image not decoded: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Runs the stream through `filters`, at most `cap` bytes out. Flate alone (nearly every image) goes
 * through zlib; chains and other filters through pdf-lib's decoders, read only up to the cap.
 * `strict`: more than the cap is a limit (a JPEG inside Flate); else the rest is ignored (pixels).
 */
function decodeFilters(objects: Objects, stream: PdfLib.PDFRawStream, filters: string[], params: unknown[], cap: number, strict: boolean): Buffer {
  const raw = Buffer.from(stream.contents.buffer, stream.contents.byteOffset, stream.contents.byteLength);
  if (filters.length === 0) return raw;
  if (filters.length === 1 && filters[0] === 'FlateDecode') {
    // Pixels may be followed by a little padding; a JPEG inside Flate has no declared size at all.
    const most = strict ? cap : cap + SLACK_BYTES;
    try {
      // A sync flush keeps what a truncated stream holds, as PDF readers do.
      return inflateSync(raw, { maxOutputLength: Math.max(most, 1), finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, cap);
    } catch (error) {
      if (errorCode(error) !== 'ERR_BUFFER_TOO_LARGE') throw error;
      throw new LimitError('maxCompressionRatio', `an image stream inflates past ${most} bytes from ${raw.length}; not read`);
    }
  }
  const { lib } = objects;
  const dict = stream.dict.clone();
  dict.set(lib.PDFName.of('Filter'), objects.context.obj(filters.map((f) => lib.PDFName.of(f))));
  dict.set(lib.PDFName.of('DecodeParms'), objects.context.obj(filters.map((_, i) => (params[i] as PdfLib.PDFObject | undefined) ?? lib.PDFNull)));
  const bytes = lib.decodePDFRawStream(lib.PDFRawStream.of(dict, stream.contents)).getBytes(cap + 1);
  if (strict && bytes.length > cap) throw new LimitError('maxCompressionRatio', `an image stream decodes past ${cap} bytes from ${raw.length}; not read`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, cap));
}

function predictorOf(objects: Objects, params: PdfLib.PDFDict, layout: SampleLayout): Predictor | undefined {
  const predictor = numberOf(objects, get(objects, params, 'Predictor')) ?? 1;
  if (predictor < 2) return undefined;
  return {
    predictor,
    colors: numberOf(objects, get(objects, params, 'Colors')) ?? 1,
    bitsPerComponent: numberOf(objects, get(objects, params, 'BitsPerComponent')) ?? 8,
    columns: numberOf(objects, get(objects, params, 'Columns')) ?? layout.width,
  };
}

function sampleLayout(objects: Objects, dict: PdfLib.PDFDict): SampleLayout {
  const mask = get(objects, dict, 'ImageMask');
  const isMask = mask instanceof objects.lib.PDFBool && mask.asBoolean();
  const decode = items(objects, get(objects, dict, 'Decode')).map((v) => numberOf(objects, v) ?? 0);
  const colour: Colour = isMask ? { kind: 'gray' } : colourOf(objects, get(objects, dict, 'ColorSpace'), 0);
  const width = numberOf(objects, get(objects, dict, 'Width')) ?? 0;
  const height = numberOf(objects, get(objects, dict, 'Height')) ?? 0;
  const bitsPerComponent = isMask ? 1 : (numberOf(objects, get(objects, dict, 'BitsPerComponent')) ?? 8);
  const layout: SampleLayout = { width: Math.trunc(width), height: Math.trunc(height), bitsPerComponent, colour };
  if (decode.length >= 2 * Math.max(1, componentsOf(colour))) layout.decode = decode;
  return layout;
}

const DEVICE: Record<string, 'gray' | 'rgb' | 'cmyk'> = {
  DeviceGray: 'gray',
  CalGray: 'gray',
  G: 'gray',
  DeviceRGB: 'rgb',
  CalRGB: 'rgb',
  RGB: 'rgb',
  DeviceCMYK: 'cmyk',
  CMYK: 'cmyk',
};
const BY_COMPONENTS = { 1: 'gray', 3: 'rgb', 4: 'cmyk' } as const;

/** The colour space, followed through ICCBased (by its component count) and Indexed (to its base). */
function colourOf(objects: Objects, value: PdfLib.PDFObject | undefined, depth: number): Colour {
  const list = items(objects, value);
  const family = nameOf(objects, list[0]) ?? 'none';
  if (DEVICE[family]) return { kind: DEVICE[family] };
  if (family === 'ICCBased') {
    const n = numberOf(objects, get(objects, dictOf(objects, list[1]) ?? objects.lib.PDFDict.withContext(objects.context), 'N'));
    const kind = BY_COMPONENTS[n as 1 | 3 | 4];
    return kind ? { kind } : { kind: 'unsupported', name: `ICCBased with ${n} components` };
  }
  if ((family === 'Indexed' || family === 'I') && depth === 0) {
    const base = colourOf(objects, list[1], 1);
    const hival = numberOf(objects, list[2]) ?? 0;
    const table = list[3];
    let lookup: Buffer | undefined;
    if (table instanceof objects.lib.PDFString || table instanceof objects.lib.PDFHexString) lookup = Buffer.from(table.asBytes());
    else if (table instanceof objects.lib.PDFRawStream) lookup = decodeFilters(objects, table, filterNames(objects, table), [], 4 * 256, false);
    if (base.kind === 'gray' || base.kind === 'rgb' || base.kind === 'cmyk') if (lookup) return { kind: 'indexed', base: base.kind, hival, lookup };
    return { kind: 'unsupported', name: 'Indexed over an unsupported base' };
  }
  return { kind: 'unsupported', name: family };
}

const filterNames = (objects: Objects, stream: PdfLib.PDFRawStream): string[] =>
  items(objects, get(objects, stream.dict, 'Filter')).map((f) => ABBREVIATIONS[nameOf(objects, f) ?? '?'] ?? nameOf(objects, f) ?? '?');
