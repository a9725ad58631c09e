// @ts-check
/**
 * The hiding-places bench's document kinds: PDF (a JPEG kept verbatim as DCTDecode, in CMYK, Flate
 * pixels, rewritten or downsampled by Ghostscript, encrypted; page text in compressed and plain
 * content streams, kerned, one word per Td, rewritten by Ghostscript), text in other encodings
 * (UTF-16LE/BE with and without BOM, UTF-8 with BOM) and plates split into two fields (JSON, three
 * shapes; CSV columns). E-mail and embedded base64 are in hides-mail.js. Every kind gets negatives.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { plantMail } from './hides-mail.js';

/** @typedef {import('./hides-plant.js').Plant} Plant */
/** @typedef {import('./hides-plant.js').Ref} Ref */

/** @param {Plant} plant */
export async function plantDocuments(plant) {
  await plantPdf(plant);
  await plantMail(plant);
  await plantText(plant);
}

/** @param {Plant} plant */
async function plantPdf(plant) {
  const gs = async (/** @type {Buffer} */ pdf, extra = ['-dPassThroughJPEGImages=false']) => {
    await writeFile(path.join(plant.tmp, 'gs-in.pdf'), pdf);
    const out = path.join(plant.tmp, 'gs-out.pdf');
    execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', ...extra, '-o', out, path.join(plant.tmp, 'gs-in.pdf')], { stdio: 'ignore' });
    return readFile(out);
  };
  // Owner password only (printing and copying restricted, as many reports are): readable without it.
  const owner = ['-sOwnerPassword=owner', '-dEncryptionR=3', '-dKeyLength=128'];
  // A user password: nothing is readable without it, so the file must be in coverage.
  const user = ['-sOwnerPassword=owner', '-sUserPassword=secret', '-dEncryptionR=3', '-dKeyLength=128'];
  const png = (/** @type {Ref} */ r) => sharp(r.bytes).png().toBuffer();
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    for (let i = 0; i < (negative ? 1 : 3); i++) {
      const dct = pick(2);
      await plant.put('pdf DCT (verbatim JPEG)', 'PDF', `pdf/dct-${tag}-${i}.pdf`, await imagePdf(dct.map((r) => r.bytes), []), { images: dct, negative });
      const flate = pick(2);
      await plant.put('pdf Flate image', 'PDF', `pdf/flate-${tag}-${i}.pdf`, await imagePdf([], await Promise.all(flate.map(png))), { images: flate, negative });
      const rewritten = pick(2);
      await plant.put('pdf Ghostscript re-encoded', 'PDF', `pdf/gs-${tag}-${i}.pdf`, await gs(await imagePdf(rewritten.map((r) => r.bytes), [])), { images: rewritten, negative });
      // Print workflows: the picture converted to CMYK and kept verbatim (DCTDecode, DeviceCMYK).
      const cmyk = pick(2);
      const cmykJpegs = await Promise.all(cmyk.map((r) => sharp(r.bytes).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer()));
      await plant.put('pdf DCT CMYK (print workflow)', 'PDF', `pdf/cmyk-${tag}-${i}.pdf`, await imagePdf(cmykJpegs, []), { images: cmyk, negative });
      // "Reduce file size": Ghostscript's /screen settings downsample pictures to 72 dpi.
      const small = pick(2);
      await plant.put('pdf Ghostscript /screen (downsampled)', 'PDF', `pdf/screen-${tag}-${i}.pdf`, await gs(await imagePdf(small.map((r) => r.bytes), []), ['-dPDFSETTINGS=/screen']), { images: small, negative });
      const restricted = pick(2);
      await plant.put('pdf encrypted, owner password only', 'PDF', `pdf/owner-${tag}-${i}.pdf`, await gs(await imagePdf(restricted.map((r) => r.bytes), []), owner), { images: restricted, negative });
    }
    const sealed = pick(2);
    const sealedPlates = negative ? [] : plant.agencyPlates(20);
    const sealedLines = plant.readLines(negative ? plant.otherPlates(20) : sealedPlates, negative ? 920 : 120);
    const sealedPdf = await gs(await textAndImagesPdf(sealedLines, sealed), user);
    await plant.put('pdf encrypted, user password', 'PDF', `pdf/sealed-${tag}.pdf`, sealedPdf, { images: sealed, plates: sealedPlates.length, negative, expect: 'coverage' });
    for (let i = 0; i < 2; i++) {
      const plates = negative ? [] : plant.agencyPlates(40);
      const lines = negative ? plant.readLines(plant.otherPlates(40), 900 + i) : plant.readLines(plates, 100 + i);
      await plant.put('pdf text, compressed streams', 'PDF', `pdf/text-flate-${tag}-${i}.pdf`, await textPdf(lines), { plates: plates.length, negative });
      const plainPlates = negative ? [] : plant.agencyPlates(40);
      const plainLines = negative ? plant.readLines(plant.otherPlates(40), 910 + i) : plant.readLines(plainPlates, 110 + i);
      await plant.put('pdf text, plain streams', 'PDF', `pdf/text-plain-${tag}-${i}.pdf`, plainTextPdf(plainLines), { plates: plainPlates.length, negative });
      // As word processors write it: kerning adjustments inside TJ arrays, some of them inside plates.
      const kernPlates = negative ? [] : plant.agencyPlates(40);
      const kernLines = negative ? plant.readLines(plant.otherPlates(40), 920 + i) : plant.readLines(kernPlates, 120 + i);
      await plant.put('pdf text, kerned TJ arrays', 'PDF', `pdf/text-kerned-${tag}-${i}.pdf`, plainTextPdf(kernLines, 'kerned'), { plates: kernPlates.length, negative });
      // As OCR layers of scans are written: every word placed on its own (Td), no space characters.
      const ocrPlates = negative ? [] : plant.agencyPlates(40);
      const ocrLines = negative ? plant.readLines(plant.otherPlates(40), 925 + i) : plant.readLines(ocrPlates, 125 + i);
      await plant.put('pdf text, one word per Td (OCR layer)', 'PDF', `pdf/text-words-${tag}-${i}.pdf`, plainTextPdf(ocrLines, 'words'), { plates: ocrPlates.length, negative });
      // Rewritten by Ghostscript: subset fonts with their own encodings, streams recompressed.
      const gsPlates = negative ? [] : plant.agencyPlates(40);
      const gsLines = negative ? plant.readLines(plant.otherPlates(40), 915 + i) : plant.readLines(gsPlates, 115 + i);
      await plant.put('pdf text, Ghostscript rewritten', 'PDF', `pdf/text-gs-${tag}-${i}.pdf`, await gs(await textPdf(gsLines), []), { plates: gsPlates.length, negative });
    }
  }
}

/** A PDF with one page per image (pdf-lib keeps a JPEG verbatim, stores PNG pixels Flate-compressed). @param {Buffer[]} jpegs @param {Buffer[]} pngs */
async function imagePdf(jpegs, pngs) {
  const doc = await PDFDocument.create();
  for (const [i, bytes] of [...jpegs, ...pngs].entries()) {
    const image = i < jpegs.length ? await doc.embedJpg(bytes) : await doc.embedPng(bytes);
    doc.addPage([595, 842]).drawImage(image, { x: 20, y: 200, width: 555, height: (555 * image.height) / image.width });
  }
  return Buffer.from(await doc.save());
}

/** Pages of text, then a page per picture. @param {string[]} lines @param {Ref[]} refs */
async function textAndImagesPdf(lines, refs) {
  const doc = await PDFDocument.load(await textPdf(lines));
  for (const r of refs) {
    const image = await doc.embedJpg(r.bytes);
    doc.addPage([595, 842]).drawImage(image, { x: 20, y: 200, width: 555, height: (555 * image.height) / image.width });
  }
  return Buffer.from(await doc.save());
}

/** Page text through pdf-lib, whose content streams are Flate-compressed. @param {string[]} lines */
async function textPdf(lines) {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let at = 0; at < lines.length; at += 50) {
    const page = doc.addPage([595, 842]);
    for (const [i, line] of lines.slice(at, at + 50).entries()) page.drawText(line, { x: 30, y: 800 - 14 * i, size: 9, font });
  }
  return Buffer.from(await doc.save());
}

const esc = (/** @type {string} */ t) => `(${t.replace(/[()\\]/g, '\\$&')})`;
/**
 * One line's text operators: one Tj (`plain`); a TJ array with small kerning adjustments after the
 * second and fifth character of every word (`kerned`); every word its own Tj, placed by Td (`words`).
 * @param {string} line @param {'plain' | 'kerned' | 'words'} how
 */
function showLine(line, how) {
  if (how === 'plain') return `${esc(line)} Tj T*`;
  if (how === 'kerned') return `[${line.split(/(?<=^|\s)(?=\S)/).map((w) => [w.slice(0, 2), w.slice(2, 5), w.slice(5)].filter(Boolean).map(esc).join(' -18 ')).join(' ')}] TJ T*`;
  let x = 0;
  const words = line.split(' ').map((w) => {
    const at = x;
    x += w.length * 6.5 + 3; // wider than Helvetica's glyphs at 9 pt: a gap, never an overlap
    return `${at.toFixed(1)} 0 Td ${esc(w)} Tj ${(-at).toFixed(1)} 0 Td`;
  });
  return `${words.join(' ')} T*`;
}

/**
 * A hand-written PDF whose page content streams are not compressed (as older report generators write).
 * @param {string[]} lines @param {'plain' | 'kerned' | 'words'} [how]
 */
function plainTextPdf(lines, how = 'plain') {
  const pages = [];
  for (let at = 0; at < lines.length; at += 50) pages.push(lines.slice(at, at + 50));
  /** @type {string[]} */
  const objects = [];
  const kids = pages.map((_, i) => `${4 + i * 2} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  for (const [i, page] of pages.entries()) {
    const text = `BT /F1 9 Tf 30 800 Td 14 TL ${page.map((l) => showLine(l, how)).join('\n')} ET`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`);
    objects.push(`<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`);
  }
  let body = '%PDF-1.4\n';
  const offsets = objects.map((o, i) => {
    const at = Buffer.byteLength(body);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** @param {Plant} plant */
async function plantText(plant) {
  const csv = (/** @type {string[]} */ lines) => `read,seen\r\n${lines.map((l, i) => `${i},${l}`).join('\r\n')}\r\n`;
  const split = (/** @type {string} */ p) => [p.slice(0, 3), p.slice(3)];
  for (const negative of [false, true]) {
    const tag = negative ? 'neg' : 'pos';
    const plates = (/** @type {number} */ n) => (negative ? [] : plant.agencyPlates(n));
    const lines = (/** @type {string[]} */ ps, /** @type {number} */ seed) => plant.readLines(negative ? plant.otherPlates(40) : ps, negative ? seed + 800 : seed);
    const le = plates(40);
    await plant.put('UTF-16LE CSV with BOM', 'encodings', `excel/reads-${tag}-le-bom.csv`, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(lines(le, 160)), 'utf16le')]), { plates: le.length, negative });
    const bare = plates(40);
    await plant.put('UTF-16LE CSV, no BOM', 'encodings', `excel/reads-${tag}-le.csv`, Buffer.from(csv(lines(bare, 161)), 'utf16le'), { plates: bare.length, negative });
    const be = plates(40);
    await plant.put('UTF-16BE CSV with BOM', 'encodings', `excel/reads-${tag}-be-bom.csv`, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(csv(lines(be, 163)), 'utf16le').swap16()]), { plates: be.length, negative });
    const beBare = plates(40);
    await plant.put('UTF-16BE CSV, no BOM', 'encodings', `excel/reads-${tag}-be.csv`, Buffer.from(csv(lines(beBare, 164)), 'utf16le').swap16(), { plates: beBare.length, negative });
    const bom = plates(40);
    await plant.put('UTF-8 text with BOM', 'encodings', `excel/reads-${tag}-utf8-bom.txt`, `\ufeff${lines(bom, 162).join('\r\n')}\r\n`, { plates: bom.length, negative });
    for (let shape = 0; shape < 3; shape++) {
      const ps = plates(30);
      const all = negative ? plant.otherPlates(60) : [...ps, ...plant.otherPlates(30)];
      const rows = all.map((p, i) => {
        const [series, serial] = split(p);
        return [{ id: i, series, serial, lane: 2 }, { read: { plate: { state: 'FS', series, number: serial } }, at: i }, { plate: [series, serial], lane: 2 }][shape];
      });
      await plant.put(`JSON split plate, shape ${shape + 1}`, 'split plates', `api/split-${shape}-${tag}.jsonl`, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`, { plates: ps.length, negative });
    }
    for (const [shape, header, sep] of /** @type {const} */ ([[0, 'id,plate_series,plate_serial', ','], [1, '\ufeffState;Prefix;Number', ';']])) {
      const ps = plates(30);
      const all = negative ? plant.otherPlates(60) : [...ps, ...plant.otherPlates(30)];
      const body = all.map((p, i) => (shape === 0 ? [i, ...split(p)] : ['FS', ...split(p)]).join(sep));
      await plant.put(`CSV split plate columns, shape ${shape + 1}`, 'split plates', `reg/split-${shape}-${tag}.csv`, `${header}\n${body.join('\n')}\n`, { plates: ps.length, negative });
    }
  }
}
