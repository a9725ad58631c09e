import { constants, inflateSync } from 'node:zlib';
import { errorCode } from '../../util/errors.js';
import { lzwDecodedLength, namesLzw, ObjectIndex } from './pdf-lzw.js';

/** The limits the scan holds every stream of a PDF to (ArchiveOptions). */
export interface StreamLimits {
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
  /** What is left of the walk's byte budget. */
  maxBytes: number;
}

/**
 * What the scan found: the total inflated, the first stream that broke a limit, or the first stream
 * whose size it cannot measure (its filter named through an object it cannot find).
 */
export type StreamScan =
  | { inflated: number }
  | { limit: 'maxCompressionRatio' | 'maxTotalBytes'; detail: string }
  | { reason: 'unsupported-compression'; detail: string };

const STREAM = Buffer.from('stream');
const END = Buffer.from('endstream');

/**
 * Inflates every Flate stream of a PDF once, keeping nothing, before pdf-lib or pdf.js sees it: both
 * inflate whatever they meet (object streams, content streams, fonts) into one growing buffer, so a
 * stream of a few kilobytes that inflates to gigabytes would exhaust memory inside a library. Found by
 * its bytes (every `stream` keyword), not through the cross-reference table, so a bomb in an object
 * the table hides, or behind a `/Length` that lies, is seen all the same. Each stream is held to the
 * ratio limit (against the bytes up to its `endstream`) and all together to the byte budget.
 */
export function scanStreams(pdf: Buffer, limits: StreamLimits): StreamScan {
  let inflated = 0;
  const objects = new ObjectIndex(pdf);
  for (let at = pdf.indexOf(STREAM); at >= 0; at = pdf.indexOf(STREAM, at + STREAM.length)) {
    if (at >= 3 && pdf.toString('latin1', at - 3, at) === 'end') continue;
    let start = at + STREAM.length;
    if (pdf[start] === 0x0d) start += 1;
    if (pdf[start] !== 0x0a && pdf[start - 1] !== 0x0d) continue;
    if (pdf[start] === 0x0a) start += 1;
    const end = pdf.indexOf(END, start);
    const compressed = (end < 0 ? pdf.length : end) - start;
    // Flate as the stream's first filter, or behind an ASCIIHex or ASCII85 layer (a filter array such
    // as [/ASCIIHexDecode /FlateDecode]), which pdf.js unwraps and inflates all the same.
    const data = zlibAt(pdf, start) ? pdf.subarray(start) : unwrapAscii(pdf.subarray(start, start + compressed));
    const ratioCap = Math.max(limits.ratioCheckMinBytes, compressed * limits.maxCompressionRatio);
    const budget = limits.maxBytes - inflated;
    const cap = Math.min(ratioCap, budget);
    const offset = `the stream at byte ${start}`;
    // LZW (old scanners' PDFs) has no header to tell it by: its dictionary names it, maybe through an
    // indirect object. Its decoded size is counted from the codes alone.
    const naming = data && zlibAt(data, 0) ? 'other' : namesLzw(pdf, at, objects);
    if (naming === 'unresolved') {
      const detail = `pdf: ${offset} names its filter through an object not found in the file, so its decoded size cannot be bounded; the document is not opened`;
      return { reason: 'unsupported-compression', detail };
    }
    if (naming === 'lzw') {
      const length = lzwDecodedLength(data ?? pdf.subarray(start, start + compressed), cap);
      if (length !== 'over') {
        inflated += length;
        continue;
      }
      return cap === budget
        ? { limit: 'maxTotalBytes', detail: `${offset} (LZW) decodes past the ${limits.maxBytes} bytes left of the budget; the document is not opened` }
        : { limit: 'maxCompressionRatio', detail: `${offset} (LZW) decodes past ${cap} bytes from ${compressed}; the document is not opened` };
    }
    if (!data || !zlibAt(data, 0)) continue;
    let size: number;
    try {
      // From the stream's start to the file's end: zlib stops at the end of the deflate data, wherever
      // the dictionary or an early `endstream` says it ends.
      size = inflateSync(data, { maxOutputLength: Math.max(cap, 1), finishFlush: constants.Z_SYNC_FLUSH }).length;
    } catch (error) {
      if (errorCode(error) !== 'ERR_BUFFER_TOO_LARGE') continue; // not Flate after all, or corrupt: the readers will say
      return cap === budget
        ? { limit: 'maxTotalBytes', detail: `${offset} inflates past the ${limits.maxBytes} bytes left of the budget; the document is not opened` }
        : { limit: 'maxCompressionRatio', detail: `${offset} inflates past ${cap} bytes from ${compressed}; the document is not opened` };
    }
    inflated += size;
  }
  return { inflated };
}

/** A zlib header at `at`: deflate, a window of at most 32 KiB, and the check bits. */
function zlibAt(bytes: Buffer, at: number): boolean {
  const cmf = bytes[at];
  const flg = bytes[at + 1];
  return cmf !== undefined && flg !== undefined && (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

const HEX = /^[\s0-9A-Fa-f]*>/;
const ASCII85 = /^\s*(<~)?[\s!-uz]*~>/;

/**
 * The bytes under an ASCIIHex or ASCII85 layer (the two text encodings a filter array can put in
 * front of Flate), or undefined when the stream is neither. Decoding them is cheap and shrinks the
 * data, so this bounds nothing by itself: the Flate layer under it is what the scan measures.
 */
function unwrapAscii(stream: Buffer): Buffer | undefined {
  // Binary data (an image, a font) fails on its first byte: no text is made of it.
  let first = 0;
  while (first < stream.length && (stream[first] === 0x20 || (stream[first]! >= 0x09 && stream[first]! <= 0x0d))) first++;
  if (first === stream.length || stream[first]! < 0x21 || stream[first]! > 0x7a) return undefined;
  const text = stream.toString('latin1');
  if (HEX.test(text)) {
    const digits = text.slice(0, text.indexOf('>')).replace(/\s+/g, '');
    return Buffer.from(digits.length % 2 === 0 ? digits : `${digits}0`, 'hex');
  }
  const match = ASCII85.exec(text);
  if (!match) return undefined;
  const body = match[0]
    .replace(/^\s*(<~)?/, '')
    .replace(/~>$/, '')
    .replace(/\s+/g, '');
  const out: number[] = [];
  let group: number[] = [];
  const flush = (count: number): void => {
    while (group.length < 5) group.push(84);
    let value = 0;
    for (const digit of group) value = value * 85 + digit;
    for (let i = 0; i < count; i++) out.push((value >>> (24 - 8 * i)) & 0xff);
    group = [];
  };
  for (const char of body) {
    if (char === 'z' && group.length === 0) out.push(0, 0, 0, 0);
    else {
      group.push(char.charCodeAt(0) - 33);
      if (group.length === 5) flush(4);
    }
  }
  if (group.length > 1) flush(group.length - 1);
  return Buffer.from(out);
}
