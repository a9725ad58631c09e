import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lazy } from '../../util/lazy.js';
import type { Pixels } from './pdf-png.js';

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

/** An image as pdf.js decoded it to paint a page (only asked for when the raw streams are encrypted). */
export interface PaintedImage {
  /** `page-3/image-2.png`: the second distinct image page 3 paints. */
  name: string;
  pixels: Pixels;
}

/** The text of a document's pages, or why it could not be read. */
export type TextOutcome = { text: string; pages: number; pagesRead: number; truncated: boolean } | { encrypted: string } | { failed: string };

/** What the extraction is held to: pages read, characters kept, pixels of a painted image. */
export interface TextLimits {
  maxPages: number;
  maxChars: number;
  maxImagePixels: number;
}

/**
 * The text of every page, by pdf.js (fonts' ToUnicode maps and encodings, compressed content
 * streams, form XObjects), one line per line pdf.js sees and a blank line between pages, for the
 * plate scanner. No font is loaded for display, no code is evaluated and nothing is fetched. An
 * encrypted document is read when it opens with the empty user password (most do: the password
 * only guards printing or copying); one that needs a password is not.
 */
export async function* readPages(pdf: Uint8Array, limits: TextLimits, images: boolean): AsyncGenerator<PaintedImage, TextOutcome> {
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
    // pdf.js skips a larger image rather than decode it: the caller counts what it was given.
    maxImageSize: limits.maxImagePixels,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy();
    const name = (error as { name?: string } | null)?.name;
    if (name === 'PasswordException') return { encrypted: 'pdf: encrypted with a user password: its pages, images and text are not inspected' };
    return { failed: `pdf: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    const pages = doc.numPages;
    const parts: string[] = [];
    let chars = 0;
    let read = 0;
    let truncated = false;
    const seen = new Set<string>();
    for (let n = 1; n <= Math.min(pages, limits.maxPages) && !truncated; n++) {
      const page = await doc.getPage(n);
      if (images) yield* paintedImages(pdfjs, page, n, seen);
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

type Page = Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>;

/** pdf.js's decoded image: 1-bit grey, RGB or RGBA samples (ImageKind 1, 2, 3). */
interface DecodedImage {
  width: number;
  height: number;
  kind: number;
  data?: Uint8Array | Uint8ClampedArray;
}

/** The images a page paints, each once in the document, as pdf.js decoded them (decrypted). */
async function* paintedImages(pdfjs: PdfJs, page: Page, n: number, seen: Set<string>): AsyncGenerator<PaintedImage> {
  const ops = await page.getOperatorList();
  let k = 0;
  for (const [i, fn] of ops.fnArray.entries()) {
    if (fn !== pdfjs.OPS.paintImageXObject) continue;
    const id = ops.argsArray[i]?.[0];
    if (typeof id !== 'string' || seen.has(id)) continue;
    seen.add(id);
    const image = await new Promise<DecodedImage | null>((resolve) => (id.startsWith('g_') ? page.commonObjs : page.objs).get(id, resolve));
    const pixels = image ? toPixels(image) : undefined;
    if (pixels) yield { name: `page-${n}/image-${++k}.png`, pixels };
  }
}

function toPixels({ width, height, kind, data }: DecodedImage): Pixels | undefined {
  if (!data || !(width > 0 && height > 0)) return undefined;
  const source = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (kind === 2) return { width, height, channels: 3, data: source };
  const out = Buffer.alloc(width * height * (kind === 3 ? 3 : 1));
  if (kind === 3) {
    for (let p = 0; p < width * height; p++) source.copy(out, p * 3, p * 4, p * 4 + 3);
    return { width, height, channels: 3, data: out };
  }
  const stride = Math.ceil(width / 8);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = (source[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
  return { width, height, channels: 1, data: out };
}
