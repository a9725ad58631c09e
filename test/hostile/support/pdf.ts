import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { hasTool } from '../../support/tools.js';

/** What a test PDF holds: JPEGs (kept verbatim, DCTDecode), PNGs (stored as Flate pixels), text lines. */
export interface PdfSpec {
  jpegs?: Buffer[];
  pngs?: Buffer[];
  /** Lines of text on each page (drawn with Helvetica into compressed content streams). */
  pages?: string[][];
}

/** Builds a PDF with pdf-lib: one page per text page, the images placed on the first page. */
export async function buildPdf(spec: PdfSpec): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const pages = spec.pages?.length ? spec.pages : [[]];
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    for (const [i, line] of lines.entries()) page.drawText(line, { x: 40, y: 800 - 14 * i, size: 10, font });
  }
  const first = doc.getPage(0);
  let x = 20;
  for (const jpeg of spec.jpegs ?? []) {
    const image = await doc.embedJpg(jpeg);
    first.drawImage(image, { x, y: 200, width: 160, height: 120 });
    x += 170;
  }
  for (const png of spec.pngs ?? []) {
    const image = await doc.embedPng(png);
    first.drawImage(image, { x, y: 40, width: 160, height: 120 });
    x += 170;
  }
  return Buffer.from(await doc.save());
}

/** True when Ghostscript is installed (`apt-get install ghostscript`); says so once when it is not. */
export const hasGhostscript = hasTool(
  'gs',
  ['--version'],
  'PDF tests: Ghostscript (gs) is absent (apt-get install ghostscript), so the tests on Ghostscript-written PDFs are skipped',
);

/**
 * The PDF as Ghostscript's pdfwrite rewrites it (what "print to PDF" pipelines do): JPEGs decoded
 * and re-encoded (at /prepress quality: gs's default quality, about JPEG 50, already moves the
 * suite's speckled test pictures past the perceptual threshold as a plain file), fonts embedded as
 * subsets with their own encodings, `extra` switches added.
 */
export function ghostscript(pdf: Buffer, extra: string[] = []): Buffer {
  return pdfwrite(pdf, ['-dPDFSETTINGS=/prepress', '-dPassThroughJPEGImages=false', '-dEmbedAllFonts=true', ...extra]);
}

/** `pdf` rewritten by Ghostscript's pdfwrite device with `switches` (in a temporary folder of its own). */
export function pdfwrite(pdf: Buffer, switches: readonly string[]): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'custody-gs-'));
  try {
    writeFileSync(path.join(dir, 'in.pdf'), pdf);
    const args = ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', ...switches];
    execFileSync('gs', [...args, '-o', path.join(dir, 'out.pdf'), path.join(dir, 'in.pdf')], { stdio: 'ignore' });
    return readFileSync(path.join(dir, 'out.pdf'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
