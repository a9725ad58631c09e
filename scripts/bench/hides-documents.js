// @ts-check
/**
 * The hiding-places bench's text-borne kinds: PDF (a JPEG kept verbatim as DCTDecode, Flate pixels,
 * rewritten by Ghostscript; page text in compressed and in plain content streams), e-mail (.eml
 * attachment, inline cid part, forwarded message/rfc822, mbox; plates in base64 and in
 * quoted-printable bodies, soft line breaks inside the plates), embedded base64 (HTML data URIs, JSON
 * and JSON Lines strings), text in other encodings (UTF-16LE with and without BOM, UTF-8 with BOM)
 * and JSON with the plate split into two fields (three shapes). Every kind also gets negatives.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { writeZip } from '../synth/zip.js';

/** @typedef {import('./hides-plant.js').Plant} Plant */
/** @typedef {import('./hides-plant.js').Ref} Ref */

/** @param {Plant} plant */
export async function plantDocuments(plant) {
  await plantPdf(plant);
  await plantMail(plant);
  await plantBase64(plant);
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

const b64 = (/** @type {Buffer | string} */ bytes) => Buffer.from(bytes).toString('base64').replace(/(.{76})/g, '$1\r\n');
const head = (/** @type {string} */ subject, /** @type {number} */ i) =>
  `From: ops@contractor.example\r\nTo: analyst@contractor.example\r\nSubject: ${subject}\r\nDate: Mon, ${2 + i} Nov 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}-${i}@contractor.example>\r\nMIME-Version: 1.0\r\n`;
const attachment = (/** @type {Ref} */ r, /** @type {string} */ name) =>
  `Content-Type: image/jpeg; name="${name}"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="${name}"\r\n\r\n${b64(r.bytes)}\r\n`;
/** @param {string} subject @param {number} i @param {string[]} parts bodies of the parts, headers included */
const multipart = (subject, i, parts, type = 'mixed') => `${head(subject, i)}Content-Type: multipart/${type}; boundary="part-${i}"\r\n\r\n${parts.map((p) => `--part-${i}\r\n${p}`).join('')}--part-${i}--\r\n`;
const TEXT = 'Content-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n';

/**
 * Quoted-printable as a mail client writes it, with a soft line break (=CRLF) in the middle of every
 * plate and `=` written =3D: a scan that does not join soft breaks sees no plate.
 * @param {string[]} lines @param {string[]} plates
 */
function quotedPrintable(lines, plates) {
  const set = new Set(plates);
  return lines.map((line) => line.replace(/=/g, '=3D').replace(/\b[A-Z0-9]{7}\b/g, (p) => (set.has(p) || /\d/.test(p) ? `${p.slice(0, 3)}=\r\n${p.slice(3)}` : p))).join('\r\n');
}

/** @param {Plant} plant */
async function plantMail(plant) {
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    for (let i = 0; i < (negative ? 1 : 3); i++) {
      const [a] = pick(1);
      await plant.put('eml attachment', 'e-mail', `mail/attachment-${tag}-${i}.eml`, multipart('capture export', i, [TEXT, attachment(/** @type {Ref} */ (a), `cap-${i}.jpg`)]), { images: [/** @type {Ref} */ (a)], negative });
      const [b] = pick(1);
      const related = [
        `Content-Type: text/html; charset=utf-8\r\n\r\n<p>Lane view:</p><img src="cid:cap${i}@contractor.example">\r\n`,
        `Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <cap${i}@contractor.example>\r\nContent-Disposition: inline\r\n\r\n${b64(/** @type {Ref} */ (b).bytes)}\r\n`,
      ];
      await plant.put('eml inline cid', 'e-mail', `mail/inline-${tag}-${i}.eml`, multipart('lane view', i, related, 'related'), { images: [/** @type {Ref} */ (b)], negative });
      const [c] = pick(1);
      const inner = multipart('original', 50 + i, [TEXT, attachment(/** @type {Ref} */ (c), `orig-${i}.jpg`)]);
      const fwd = multipart('Fwd: original', i, ['Content-Type: text/plain\r\n\r\nforwarding\r\n', `Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n${inner}\r\n`]);
      await plant.put('eml forwarded rfc822', 'e-mail', `mail/forwarded-${tag}-${i}.eml`, fwd, { images: [/** @type {Ref} */ (c)], negative });
    }
    const boxRefs = pick(3);
    const boxPlates = negative ? [] : plant.agencyPlates(30);
    const boxLines = plant.readLines(negative ? plant.otherPlates(30) : boxPlates, negative ? 930 : 130);
    const messages = boxRefs.map((r, i) => multipart(`batch ${i}`, i, [TEXT, attachment(r, `batch-${i}.jpg`)]));
    messages.push(`${head('reads', 9)}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(boxLines.join('\r\n'))}\r\n`);
    const mbox = messages.map((m) => `From ops@contractor.example Mon Nov  2 10:00:00 2026\n${m.replaceAll('\r\n', '\n').replace(/^From /gm, '>From ')}\n`).join('');
    await plant.put('mbox (attachments, base64 body)', 'e-mail', `mail/inbox-${tag}.mbox`, mbox, { images: boxRefs, plates: boxPlates.length, negative });
    for (let i = 0; i < 2; i++) {
      const plates = negative ? [] : plant.agencyPlates(30);
      const lines = plant.readLines(negative ? plant.otherPlates(30) : plates, negative ? 940 + i : 140 + i);
      await plant.put('eml base64 body', 'e-mail', `mail/body-b64-${tag}-${i}.eml`, `${head('reads', i)}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(lines.join('\r\n'))}\r\n`, { plates: plates.length, negative });
      const qpPlates = negative ? [] : plant.agencyPlates(30);
      const qpLines = plant.readLines(negative ? plant.otherPlates(30) : qpPlates, negative ? 950 + i : 150 + i);
      await plant.put('eml quoted-printable body', 'e-mail', `mail/body-qp-${tag}-${i}.eml`, `${head('reads', i)}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(qpLines, qpPlates)}\r\n`, { plates: qpPlates.length, negative });
    }
    // Outlook .msg: no writer here yet. When a .msg reader lands (another helper's task), plant an
    // attachment and a plate body here, built from a committed real sample with its licence.
  }
}

/** @param {Plant} plant */
async function plantBase64(plant) {
  for (const negative of [false, true]) {
    const pick = negative ? plant.other : plant.agency;
    const tag = negative ? 'neg' : 'pos';
    for (let i = 0; i < (negative ? 1 : 3); i++) {
      const html = pick(2);
      const page = `<!doctype html><html><body><h1>Lane report ${i}</h1>${html.map((r, j) => `<figure><img alt="lane ${j}" src="data:image/jpeg;base64,${r.bytes.toString('base64')}"></figure>`).join('\n')}</body></html>\n`;
      await plant.put('HTML data URIs', 'base64', `base64/report-${tag}-${i}.html`, page, { images: html, negative });
      const json = pick(2);
      const doc = { exportedAt: '2026-11-02T10:00:00Z', captures: json.map((r, j) => ({ id: j + 1, camera: 'L3-C07', image: r.bytes.toString('base64') })) };
      await plant.put('JSON base64 strings', 'base64', `base64/captures-${tag}-${i}.json`, `${JSON.stringify(doc, null, 2)}\n`, { images: json, negative });
      const lines = pick(2);
      await plant.put('JSON Lines base64', 'base64', `base64/events-${tag}-${i}.jsonl`, `${lines.map((r, j) => JSON.stringify({ seq: j, kind: 'capture', jpeg: r.bytes.toString('base64') })).join('\n')}\n`, { images: lines, negative });
      const uris = pick(2);
      const withUris = { items: uris.map((r, j) => ({ n: j, thumbnail: `data:image/jpeg;base64,${r.bytes.toString('base64')}` })) };
      await plant.put('JSON data URI strings', 'base64', `base64/gallery-${tag}-${i}.json`, JSON.stringify(withUris), { images: uris, negative });
      const zipped = pick(2);
      const zip = writeZip(zipped.map((r, j) => ({ name: `captures/${j}.jpg`, data: r.bytes, mtime: new Date(Date.UTC(2026, 9, 2)) })));
      await plant.put('JSON base64 zip', 'base64', `base64/bundle-${tag}-${i}.json`, `${JSON.stringify({ bundle: { name: 'captures.zip', content: zip.toString('base64') } })}\n`, { images: zipped, negative });
      const [logged] = pick(1);
      const log = `2026-11-02T10:00:00Z INFO upload started\n2026-11-02T10:00:01Z DEBUG payload=${/** @type {Ref} */ (logged).bytes.toString('base64')}\n2026-11-02T10:00:02Z INFO upload done\n`;
      const [wrapped] = pick(1);
      const pem = `capture attached below\n-----BEGIN CAPTURE-----\n${/** @type {Ref} */ (wrapped).bytes.toString('base64').replace(/(.{76})/g, '$1\n')}\n-----END CAPTURE-----\n`;
      await plant.put('base64 wrapped at 76 columns in text', 'base64', `base64/note-${tag}-${i}.txt`, pem, { images: [/** @type {Ref} */ (wrapped)], negative });
      await plant.put('base64 run in a log', 'base64', `base64/upload-${tag}-${i}.log`, log, { images: [/** @type {Ref} */ (logged)], negative });
    }
  }
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
