import { constants, inflateSync } from 'node:zlib';
import { errorCode } from '../../util/errors.js';

/** The limits the scan holds every stream of a PDF to (ArchiveOptions). */
export interface StreamLimits {
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
  /** What is left of the walk's byte budget. */
  maxBytes: number;
}

/** What the scan found: the total inflated, or the first stream that broke a limit. */
export type StreamScan = { inflated: number } | { limit: 'maxCompressionRatio' | 'maxTotalBytes'; detail: string };

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
  for (let at = pdf.indexOf(STREAM); at >= 0; at = pdf.indexOf(STREAM, at + STREAM.length)) {
    if (at >= 3 && pdf.toString('latin1', at - 3, at) === 'end') continue;
    let start = at + STREAM.length;
    if (pdf[start] === 0x0d) start += 1;
    if (pdf[start] !== 0x0a && pdf[start - 1] !== 0x0d) continue;
    if (pdf[start] === 0x0a) start += 1;
    // A zlib header: deflate, a window of at most 32 KiB, and the check bits.
    const cmf = pdf[start];
    const flg = pdf[start + 1];
    if (cmf === undefined || flg === undefined || (cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0) continue;
    const end = pdf.indexOf(END, start);
    const compressed = (end < 0 ? pdf.length : end) - start;
    const ratioCap = Math.max(limits.ratioCheckMinBytes, compressed * limits.maxCompressionRatio);
    const budget = limits.maxBytes - inflated;
    const cap = Math.min(ratioCap, budget);
    let size: number;
    try {
      // From the stream's start to the file's end: zlib stops at the end of the deflate data, wherever
      // the dictionary or an early `endstream` says it ends.
      size = inflateSync(pdf.subarray(start), { maxOutputLength: Math.max(cap, 1), finishFlush: constants.Z_SYNC_FLUSH }).length;
    } catch (error) {
      if (errorCode(error) !== 'ERR_BUFFER_TOO_LARGE') continue; // not Flate after all, or corrupt: the readers will say
      const offset = `the stream at byte ${start}`;
      return cap === budget
        ? { limit: 'maxTotalBytes', detail: `${offset} inflates past the ${limits.maxBytes} bytes left of the budget; the document is not opened` }
        : { limit: 'maxCompressionRatio', detail: `${offset} inflates past ${cap} bytes from ${compressed}; the document is not opened` };
    }
    inflated += size;
  }
  return { inflated };
}
