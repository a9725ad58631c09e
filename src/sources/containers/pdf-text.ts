import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lazy } from '../../util/lazy.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

// The worker module ships no types; only its WorkerMessageHandler export is used, by pdf.js itself.
const WORKER: string = 'pdfjs-dist/legacy/build/pdf.worker.mjs';

/**
 * pdf.js in this thread: its worker module is loaded here and handed to it as `pdfjsWorker`, so it
 * runs in-process without looking for a worker file (the CLI is bundled; pdf.js stays outside it).
 */
const loadPdfJs = lazy<PdfJs>(async () => {
  const global = globalThis as { pdfjsWorker?: unknown };
  global.pdfjsWorker ??= await import(WORKER);
  return import('pdfjs-dist/legacy/build/pdf.mjs');
});

/** pdf.js's predefined CMaps (CJK encodings), read from its package: never fetched. */
const cMapUrl = lazy(async () => `${pathToFileURL(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'))).href}/cmaps/`);

/** The text of a document's pages, or why it could not be read. */
export type TextOutcome = { text: string; pages: number; pagesRead: number; truncated: boolean } | { encrypted: string } | { failed: string };

/** What the extraction is held to: pages read, and characters kept. */
export interface TextLimits {
  maxPages: number;
  maxChars: number;
}

/**
 * The text of every page, by pdf.js (fonts' ToUnicode maps and encodings, compressed content
 * streams, form XObjects), one line per line pdf.js sees and a blank line between pages, for the
 * plate scanner. No font is loaded for display, no code is evaluated and nothing is fetched. An
 * encrypted document is read when it opens with the empty user password (most do: the password
 * only guards printing or copying); one that needs a password is not.
 */
export async function extractText(pdf: Uint8Array, limits: TextLimits): Promise<TextOutcome> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    // pdf.js takes the bytes over (its worker may detach them): a copy, so the caller's stay usable.
    data: new Uint8Array(pdf),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    stopAtErrors: false,
    cMapUrl: await cMapUrl(),
    cMapPacked: true,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy();
    const name = (error as { name?: string } | null)?.name;
    if (name === 'PasswordException') return { encrypted: 'pdf: encrypted with a user password: its pages and text are not inspected' };
    return { failed: `pdf: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    const pages = doc.numPages;
    const parts: string[] = [];
    let chars = 0;
    let read = 0;
    let truncated = false;
    for (let n = 1; n <= Math.min(pages, limits.maxPages) && !truncated; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      page.cleanup();
      for (const item of content.items) {
        if (!('str' in item)) continue;
        const piece = item.hasEOL ? `${item.str}\n` : item.str;
        if (chars + piece.length > limits.maxChars) {
          truncated = true;
          break;
        }
        parts.push(piece);
        chars += piece.length;
      }
      parts.push('\n\n');
      read = n;
    }
    return { text: parts.join(''), pages, pagesRead: read, truncated };
  } catch (error) {
    return { failed: `pdf: text not read: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    await doc.destroy();
  }
}
