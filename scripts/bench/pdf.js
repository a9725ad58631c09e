#!/usr/bin/env node
// @ts-check
/**
 * PDF bench (issue #18 item 2): what custody finds in PDFs, and what opening them costs.
 * 1. Detection, on the example case's agency set (scripts/generate-fixtures.js): every agency image
 *    planted in its own PDF three ways (JPEG kept verbatim as DCTDecode; pixels as Flate, from a PNG;
 *    rewritten by Ghostscript at its default settings with JPEG pass-through off, so re-encoded; and
 *    encrypted by Ghostscript with an owner password only, read through pdf.js), the
 *    plate reads as page text (pdf-lib's compressed content streams; and rewritten by Ghostscript,
 *    embedded subset fonts), plus negatives of the same kinds made of the case's unrelated files and
 *    made-up plates. Prints found/planted per kind and the false claims.
 * 2. Cost: the spawned CLI auditing the same JPEGs as plain files and inside one PDF, and the same
 *    plate lines as a .txt and as a PDF's pages (MB/s of input, whole audit, no cache).
 * Needs a build (npm run build) and Ghostscript (gs) for the Ghostscript kinds (skipped without it).
 * Run: node scripts/bench/pdf.js [copies]   (copies of the image set in the cost PDF, default 10; 0: no cost part)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin', 'custody.js');
const copies = Number(process.argv[2] ?? 10);
const hasGs = spawnSync('gs', ['--version']).status === 0;

/** @param {{ jpegs?: Buffer[], pngs?: Buffer[], lines?: string[] }} spec */
async function buildPdf(spec) {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const lines = spec.lines ?? [];
  for (let at = 0; at === 0 || at < lines.length; at += 55) {
    const page = doc.addPage([595, 842]);
    for (const [i, line] of lines.slice(at, at + 55).entries()) page.drawText(line, { x: 30, y: 800 - 14 * i, size: 9, font });
  }
  for (const [i, bytes] of [...(spec.jpegs ?? []), ...(spec.pngs ?? [])].entries()) {
    const image = i < (spec.jpegs ?? []).length ? await doc.embedJpg(bytes) : await doc.embedPng(bytes);
    const page = doc.addPage([595, 842]);
    page.drawImage(image, { x: 20, y: 200, width: 555, height: (555 * image.height) / image.width });
  }
  return Buffer.from(await doc.save());
}

/** @param {string} dir @param {Buffer} pdf @param {string[]} extra */
async function ghostscript(dir, pdf, extra = ['-dPassThroughJPEGImages=false']) {
  await writeFile(path.join(dir, 'gs-in.pdf'), pdf);
  execFileSync('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=pdfwrite', ...extra, '-dEmbedAllFonts=true', '-o', path.join(dir, 'gs-out.pdf'), path.join(dir, 'gs-in.pdf')], { stdio: 'ignore' });
  return readFile(path.join(dir, 'gs-out.pdf'));
}

/** @param {string} cwd @param {string[]} args */
function custody(cwd, args) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { ...run, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-pdf-bench-'));
try {
  const caseDir = path.join(dir, 'case');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'generate-fixtures.js'), '--out', caseDir, '--now', '2026-11-20T12:00:00Z'], { stdio: 'ignore' });
  const plan = JSON.parse(await readFile(path.join(caseDir, 'plan.json'), 'utf8'));
  const fp = custody(caseDir, ['fingerprint', 'agency-data', '--out', 'agency.fp.json', '--plate-key-file', 'plate.key']);
  if (fp.status !== 0) throw new Error(fp.stderr);
  const agencyImages = execFileSync('find', [path.join(caseDir, 'agency-data'), '-name', '*.jpg'], { encoding: 'utf8' }).trim().split('\n').sort();
  const csv = (await readFile(path.join(caseDir, 'agency-data', 'plate-reads', 'reads-2026-10.csv'), 'utf8')).trim().split('\n').slice(1);
  const plateLines = csv.map((row) => row.split(',').join('  '));
  const unrelated = plan.unrelated.map((/** @type {{ location: string }} */ u) => u.location).filter((/** @type {string} */ l) => /\.jpe?g$/i.test(l) && !l.includes('!'));
  const negatives = unrelated.map((/** @type {string} */ l) => path.join(caseDir, 'contractor-share', l));
  const madeUp = plateLines.map((line, i) => line.replace(/,?\b[A-Z0-9]{5,8}\b(?=\s+0\.\d\d$)/, `QQ${String(10000 + i).slice(1)}Z`));

  // 1. Detection.
  const share = path.join(dir, 'share');
  /** @type {Record<string, { planted: number, kind: 'image' | 'plates' }>} */
  const kinds = {};
  const put = async (/** @type {string} */ kind, /** @type {string} */ name, /** @type {Buffer} */ pdf) => {
    await mkdir(path.join(share, kind), { recursive: true });
    await writeFile(path.join(share, kind, name), pdf);
  };
  for (const [i, file] of agencyImages.entries()) {
    const jpeg = await readFile(file);
    await put('dct', `${i}.pdf`, await buildPdf({ jpegs: [jpeg] }));
    await put('flate', `${i}.pdf`, await buildPdf({ pngs: [await sharp(jpeg).png().toBuffer()] }));
    if (hasGs) await put('ghostscript', `${i}.pdf`, await ghostscript(dir, await buildPdf({ jpegs: [jpeg] })));
    // Encrypted with an owner password only (printing and copying restricted), as many reports are.
    if (hasGs) await put('encrypted', `${i}.pdf`, await ghostscript(dir, await buildPdf({ jpegs: [jpeg] }), ['-sOwnerPassword=owner', '-dEncryptionR=3', '-dKeyLength=128']));
  }
  for (const kind of ['dct', 'flate', ...(hasGs ? ['ghostscript', 'encrypted'] : [])]) kinds[kind] = { planted: agencyImages.length, kind: 'image' };
  await put('text', 'reads.pdf', await buildPdf({ lines: plateLines }));
  // The plate detector counts distinct agency plates (a vehicle read twice is one plate).
  const distinct = new Set(csv.map((row) => row.split(',')[4])).size;
  kinds.text = { planted: distinct, kind: 'plates' };
  if (hasGs) {
    await put('text-ghostscript', 'reads.pdf', await ghostscript(dir, await buildPdf({ lines: plateLines })));
    kinds['text-ghostscript'] = { planted: distinct, kind: 'plates' };
  }
  for (const [i, file] of negatives.entries()) {
    const jpeg = await readFile(file);
    await put('negative', `${i}.pdf`, await buildPdf({ jpegs: [jpeg], pngs: [await sharp(jpeg).png().toBuffer()], lines: madeUp.slice(i * 10, i * 10 + 10) }));
  }
  const audit = custody(dir, ['audit', 'share', '-f', path.join(caseDir, 'agency.fp.json'), '--plate-key-file', path.join(caseDir, 'plate.key'), '--authorized', 'enclave/**', '--format', 'json', '--no-cache']);
  const report = JSON.parse(audit.stdout);
  console.log(`detection (exit ${audit.status}, ${report.coverage.length} coverage entries${report.coverage.length ? `: ${[...new Set(report.coverage.map((/** @type {{ reason: string }} */ c) => c.reason))].join(', ')}` : ''})`);
  for (const [kind, { planted, kind: what }] of Object.entries(kinds)) {
    const assets = report.assets.filter((/** @type {{ location: string }} */ a) => new RegExp(`(^|/)${kind}/`).test(a.location));
    const found =
      what === 'image'
        ? new Set(assets.filter((/** @type {{ method: string }} */ a) => a.method !== 'record').map((/** @type {{ location: string }} */ a) => a.location.split('!')[0])).size
        : assets.reduce((/** @type {number} */ n, /** @type {{ evidence: { records?: number } }} */ a) => n + (a.evidence.records ?? 0), 0);
    const methods = [...new Set(assets.map((/** @type {{ method: string }} */ a) => a.method))].join('+');
    console.log(`  ${kind.padEnd(17)} ${what.padEnd(6)} ${found}/${planted} (${(found / planted).toFixed(3)}) ${methods}`);
  }
  const falseClaims = report.assets.filter((/** @type {{ location: string }} */ a) => /(^|\/)negative\//.test(a.location)).length;
  console.log(`  negative          ${negatives.length} PDFs (${negatives.length * 2} images, ${negatives.length * 10} made-up plates): ${falseClaims} false claims`);

  // 2. Cost: the same bytes as plain files and inside a PDF (copies 0: detection only).
  if (copies > 0) await measureCost(dir, caseDir, agencyImages, plateLines);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** @param {string} dir @param {string} caseDir @param {string[]} agencyImages @param {string[]} plateLines */
async function measureCost(dir, caseDir, agencyImages, plateLines) {
  const cost = path.join(dir, 'cost');
  const jpegs = await Promise.all(agencyImages.map((f) => readFile(f)));
  const many = Array.from({ length: copies }, (_, c) => jpegs.map((j) => Buffer.concat([j, Buffer.from(`copy ${c}`)]))).flat();
  await mkdir(path.join(cost, 'plain-images'), { recursive: true });
  await Promise.all(many.map((j, i) => writeFile(path.join(cost, 'plain-images', `${i}.jpg`), j)));
  await mkdir(path.join(cost, 'pdf-images'));
  await writeFile(path.join(cost, 'pdf-images', 'all.pdf'), await buildPdf({ jpegs: many }));
  const text = Array.from({ length: copies * 10 }, () => plateLines).flat();
  await mkdir(path.join(cost, 'plain-text'));
  await writeFile(path.join(cost, 'plain-text', 'reads.txt'), `${text.join('\n')}\n`);
  await mkdir(path.join(cost, 'pdf-text'));
  await writeFile(path.join(cost, 'pdf-text', 'reads.pdf'), await buildPdf({ lines: text }));
  console.log(`cost (whole audit, spawned CLI, no cache; ${many.length} images, ${text.length} plate lines)`);
  for (const sub of ['plain-images', 'pdf-images', 'plain-text', 'pdf-text']) {
    const bytes = execFileSync('du', ['-sb', path.join(cost, sub)], { encoding: 'utf8' }).split('\t')[0];
    const run = custody(cost, ['audit', sub, '-f', path.join(caseDir, 'agency.fp.json'), '--plate-key-file', path.join(caseDir, 'plate.key'), '--authorized', 'enclave/**', '--format', 'json', '--no-cache']);
    const mb = Number(bytes) / 1e6;
    console.log(`  ${sub.padEnd(13)} ${mb.toFixed(2)} MB in ${run.seconds.toFixed(2)} s: ${(mb / run.seconds).toFixed(2)} MB/s (exit ${run.status}, ${JSON.parse(run.stdout).assets.length} assets)`);
  }
}
