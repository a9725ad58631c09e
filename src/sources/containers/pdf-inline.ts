import { constants, inflateSync } from 'node:zlib';
import type * as PdfLib from 'pdf-lib';
import { dictOf, get, items, nameOf, type Objects } from './pdf-objects.js';

/**
 * Inline images smaller than this many pixels are not counted: at that size (a 64x64 icon, a glyph
 * of a bitmap font) no perceptual hash supports a match, so nothing is missed by not decoding them.
 */
const MIN_PIXELS = 64 * 64;

/** `BI <dict> ID`: an inline image's dictionary, keys abbreviated or not. */
const INLINE = /(?:^|[\s\]>)])BI\s([\s\S]{0,2000}?)\sID[\s]/g;

/**
 * How many inline images (an image written into a page's content stream, between BI and EI, rather
 * than as an XObject) of a useful size the pages hold. custody does not decode them: the caller
 * records them as not inspected. Ghostscript writes small images this way.
 */
export function countInlineImages(objects: Objects, maxPages: number, maxBytes: number): number {
  const { lib, context } = objects;
  let count = 0;
  let pages = 0;
  const seen = new Set<PdfLib.PDFObject>();
  const walk = (node: PdfLib.PDFObject | undefined): void => {
    const dict = dictOf(objects, node);
    if (!dict || seen.has(dict) || pages >= maxPages) return;
    seen.add(dict);
    const kids = get(objects, dict, 'Kids');
    if (kids instanceof lib.PDFArray) return void items(objects, kids).forEach(walk);
    pages += 1;
    for (const stream of items(objects, get(objects, dict, 'Contents'))) {
      if (stream instanceof lib.PDFRawStream) count += inlineImagesIn(objects, stream, maxBytes);
    }
  };
  const root = dictOf(objects, context.lookup(context.trailerInfo.Root));
  try {
    if (root) walk(get(objects, root, 'Pages'));
  } catch {
    // A page tree too deep for the stack: the pages walked so far are counted.
  }
  return count;
}

function inlineImagesIn(objects: Objects, stream: PdfLib.PDFRawStream, maxBytes: number): number {
  const filters = items(objects, get(objects, stream.dict, 'Filter')).map((f) => nameOf(objects, f));
  let content: Buffer;
  try {
    if (filters.length === 0) content = Buffer.from(stream.contents);
    else if (filters.length === 1 && (filters[0] === 'FlateDecode' || filters[0] === 'Fl')) {
      content = inflateSync(stream.contents, { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH });
    } else content = Buffer.from(objects.lib.decodePDFRawStream(stream).getBytes(maxBytes));
  } catch {
    return 0; // an undecodable content stream shows nothing to pdf.js either
  }
  let count = 0;
  for (const match of content.toString('latin1').matchAll(INLINE)) {
    const dict = match[1]!;
    const width = Number(/\/W(?:idth)?\s+(\d+)/.exec(dict)?.[1] ?? 0);
    const height = Number(/\/H(?:eight)?\s+(\d+)/.exec(dict)?.[1] ?? 0);
    if (width * height >= MIN_PIXELS) count += 1;
  }
  return count;
}
