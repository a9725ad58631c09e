import type * as PdfLib from 'pdf-lib';
import { lazy } from '../../util/lazy.js';
import { BufferContent } from '../archives/content.js';
import { coverageEvent, limitCoverage } from '../archives/errors.js';
import { holdWhole } from '../archives/hold-whole.js';
import { admit, type Level, memberLocation, type Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import { isText } from '../text-encoding.js';
import type { RandomAccessContainer, RandomAccessInput } from './format.js';
import { scanStreams } from './pdf-guard.js';
import { imageMember } from './pdf-images.js';
import { countInlineImages } from './pdf-inline.js';
import { findImages, type Objects } from './pdf-objects.js';
import { encodePng } from './pdf-png.js';
import { readPages } from './pdf-text.js';
import { pdfHeaderAt } from './unopened-magic.js';

const loadPdfLib = lazy(() => import('pdf-lib'));

/** The member holding the document's page text. */
export const TEXT_MEMBER = 'text';

/**
 * Parses the document's objects with pdf-lib. Its parser reads every object in the file in order
 * (later revisions win), so a damaged cross-reference table costs nothing; it warns on the console
 * about each object it skips, which a library must not do: those warnings are muted while it runs.
 */
async function parseObjects(bytes: Buffer): Promise<Objects> {
  const lib = await loadPdfLib();
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    const context = await lib.PDFParser.forBytesWithOptions(bytes, Number.POSITIVE_INFINITY, false, false).parseDocument();
    return { lib, context };
  } finally {
    console.warn = warn;
  }
}

/**
 * Yields a PDF's image XObjects (pdf-images.ts) and its page text (pdf-text.ts, one member) as
 * members, after a scan of its streams for bombs (pdf-guard.ts); anything that cannot be read
 * becomes a coverage entry.
 */
async function* expandPdf(input: RandomAccessInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { options } = walk;
  const held = await holdWhole(input, level.location, walk, 'pdf');
  if ('kind' in held) return yield held;
  const { bytes } = held;
  try {
    const scan = scanStreams(bytes, { ...options, maxBytes: options.maxTotalBytes - walk.used });
    if ('limit' in scan) return yield limitCoverage(level.location, scan.limit, options[scan.limit], scan.detail);
    if ('reason' in scan) return yield coverageEvent({ location: level.location, reason: scan.reason, detail: scan.detail, incomplete: true });
    let entries = 0;
    let objects: Objects | undefined;
    try {
      objects = await parseObjects(bytes);
    } catch (error) {
      yield coverageEvent({
        location: level.location,
        reason: 'corrupt-archive',
        detail: `pdf: objects not read (images not inspected): ${(error as Error).message}`,
        incomplete: true,
      });
    }
    let encryptedImages = 0;
    if (objects) {
      const found = findImages(objects, options.maxEntries);
      // An encrypted document's streams are ciphertext: its images come decrypted from pdf.js below.
      if (objects.context.trailerInfo.Encrypt !== undefined) encryptedImages = found.length;
      else {
        const inline = countInlineImages(objects, options.maxEntries, options.maxMemberBufferBytes);
        if (inline > 0) {
          yield coverageEvent({
            location: level.location,
            reason: 'unsupported-image',
            detail: `pdf: ${inline} inline images in page content are not decoded`,
            incomplete: true,
          });
        }
        for (const image of found) {
          if (walk.stopped) return;
          if (++entries > options.maxEntries) {
            yield limitCoverage(
              level.location,
              'maxEntries',
              options.maxEntries,
              `the document holds ${found.length} images; only the first ${options.maxEntries} are inspected`,
            );
            break;
          }
          yield* imageEvents(objects, image.stream, image.name, level, walk);
        }
      }
    }
    if (!walk.stopped) yield* pageEvents(bytes, encryptedImages, level, walk);
  } finally {
    held.release();
  }
}

async function* imageEvents(objects: Objects, stream: PdfLib.PDFRawStream, name: string, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const outcome = imageMember(objects, stream, walk.options);
  if ('limit' in outcome) return yield limitCoverage(memberLocation(level, name), outcome.limit, walk.options[outcome.limit], outcome.detail);
  if ('reason' in outcome)
    return yield coverageEvent({ location: memberLocation(level, name), reason: outcome.reason, detail: outcome.detail, incomplete: true });
  const member = `${name}.${outcome.extension}`;
  const refused = admit(walk, memberLocation(level, member), outcome.bytes.length);
  if (refused) return yield refused;
  yield* walk.member(level, { name: member, size: outcome.bytes.length, content: new BufferContent(outcome.bytes) });
}

/**
 * The page text as one member, and for an encrypted document the images pdf.js decrypts and decodes
 * to paint its pages (perceptual matching only: the original JPEG bytes are out of reach). Images of
 * an encrypted document that no readable page paints are recorded as not inspected.
 */
async function* pageEvents(bytes: Buffer, encryptedImages: number, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  const { maxEntries, maxMemberBufferBytes } = walk.options;
  const location = memberLocation(level, TEXT_MEMBER);
  const pages = readPages(
    bytes,
    { maxPages: maxEntries, maxChars: maxMemberBufferBytes, maxImagePixels: Math.floor(maxMemberBufferBytes / 4) },
    encryptedImages > 0,
  );
  let painted = 0;
  let next = await pages.next();
  try {
    for (; !next.done; next = await pages.next()) {
      if (walk.stopped) return;
      const png = encodePng(next.value.pixels);
      painted += 1;
      const refused = admit(walk, memberLocation(level, next.value.name), png.length);
      if (refused) return yield refused;
      yield* walk.member(level, { name: next.value.name, size: png.length, content: new BufferContent(png) });
    }
  } finally {
    // Every way out before the pages are done (the walk stopped, a refused image, the consumer
    // abandoning the walk) closes the reader, whose own `finally` releases pdf.js's document.
    if (!next.done) await pages.return({ failed: '' });
  }
  const outcome = next.value;
  if ('encrypted' in outcome) return yield coverageEvent({ location: level.location, reason: 'encrypted', detail: outcome.encrypted, incomplete: true });
  if (painted < encryptedImages) {
    const detail = `pdf: encrypted document: ${encryptedImages - painted} of its ${encryptedImages} images are not painted on a page that could be read, and are not inspected`;
    yield coverageEvent({ location: level.location, reason: 'encrypted', detail, incomplete: true });
  }
  if ('failed' in outcome) return yield coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: outcome.failed, incomplete: true });
  if (outcome.pagesRead < outcome.pages) {
    yield limitCoverage(location, 'maxEntries', maxEntries, `the document has ${outcome.pages} pages; the text of the first ${outcome.pagesRead} is inspected`);
  }
  if (outcome.truncated) yield limitCoverage(location, 'maxMemberBufferBytes', maxMemberBufferBytes, `the text stops at page ${outcome.pagesRead + 1}`);
  const text = Buffer.from(outcome.text.trim() === '' ? '' : outcome.text, 'utf8');
  if (text.length === 0) return;
  const refused = admit(walk, location, text.length);
  if (refused) return yield refused;
  yield* walk.member(level, { name: TEXT_MEMBER, size: text.length, content: new BufferContent(text) });
}

/**
 * PDF: its image XObjects (`report.pdf!/page-3/image-2.jpg`; JPEG and JPEG 2000 streams as their own
 * bytes, other images decoded to PNG) and its page text (`report.pdf!/text`) are members. pdf-lib reads
 * the objects and raw streams, pdf.js the text. Its cross-reference table is at the end: random access.
 */
export const pdfFormat: RandomAccessContainer<'application/pdf'> = {
  id: 'pdf',
  media: 'application/pdf',
  // Readers accept "%PDF-" anywhere in the first 1 KiB, so a binary prefix must not hide a PDF; in a
  // text head (a log quoting a PDF header) only a PDF header at the start counts.
  magic: (h) => {
    const at = pdfHeaderAt(h);
    return at === 0 || (at > 0 && !isText(h));
  },
  randomAccess: true,
  limits: ['maxDepth', 'maxTotalBytes', 'maxEntries', 'maxCompressionRatio', 'ratioCheckMinBytes', 'maxMemberBufferBytes', 'maxBufferedArchiveBytes'],
  reasons: ['corrupt-archive', 'encrypted', 'unsupported-compression', 'unsupported-image'],
  open: (input, level, walk) => expandPdf(input, level, walk),
};
