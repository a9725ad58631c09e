#!/usr/bin/env node
// @ts-check
/**
 * How the HTML report prints (issue 15): the example's report and a ~3,000-file audit's, printed to
 * PDF in Debian's chromium the way a browser user prints it (no header/footer template: the page
 * footer comes from the report's own CSS), then read back with pdftotext (poppler-utils).
 * Reports pages in all, the page where the spread of copies starts and ends, where the findings
 * start, and the HTML size.
 *
 *   npm run build && node scripts/bench/html-print.js [--files 3000] [--keep]
 *
 * The helpers are shared with test/report/html-print.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Debian's chromium: never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** True when poppler's pdftotext can be run. */
export function hasPdftotext() {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    // Absent (ENOENT): callers say the PDF text checks were skipped.
    return false;
  }
}

/**
 * Prints an HTML file to PDF as a user's "Print" does: US Letter, the report's own @page margins
 * and margin boxes, no header/footer template.
 * @param {import('playwright-core').Browser} browser
 * @param {string} htmlFile
 * @param {string} pdfFile
 */
export async function printToPdf(browser, htmlFile, pdfFile) {
  const page = await browser.newPage();
  try {
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    await page.pdf({ path: pdfFile, format: 'Letter' });
  } finally {
    await page.close();
  }
}

/**
 * The text of each page of a PDF (pdftotext -layout; pages end with a form feed).
 * @param {string} pdfFile
 * @returns {string[]}
 */
export function pdfPages(pdfFile) {
  const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const pages = text.split('\f');
  if (pages.at(-1)?.trim() === '') pages.pop();
  return pages;
}

/**
 * 1-based number of the first page whose text matches, or 0.
 * @param {readonly string[]} pages
 * @param {RegExp} pattern
 */
export const pageOf = (pages, pattern) => pages.findIndex((p) => pattern.test(p)) + 1;

/** Headings the report prints, in order (src/report/html.ts). */
export const HEADINGS = {
  spread: /^\s*Where each agency item was found/m,
  clauses: /^\s*Contract clauses/m,
  findings: /^\s*Findings by location/m,
  coverage: /^\s*Coverage: what was not inspected/m,
};

/**
 * Deterministic filler bytes: text a contractor's share is full of, never agency data.
 * @param {string} label
 */
function filler(label) {
  const words = createHash('sha256').update(label).digest('hex');
  return `${label}\nquarterly figures ${words}\n`.repeat(1 + (words.charCodeAt(0) % 6));
}

/** Long, realistic folder names: the locations the printed report must wrap. */
const FOLDERS = [
  'corp-network/projects/analytics/quarterly-reporting/2026-q3/working-drafts',
  'corp-network/shared/operations/lane-maintenance/vendor-correspondence/archive',
  'laptops/jsmith/Documents/contract-BPA-LPR-2026-0417/deliverables/monthly-status',
  'backups/2026-09/file-server-snapshot/departments/finance/accounts-payable',
  'corp-network/projects/training-set/annotation-batches/batch-0007/reviewed',
];

/**
 * A share of about `files` files on top of the example's contractor share: the example itself,
 * `replicas` more copies of its agency-bearing folders under long department paths (so each agency
 * item is found in many places), and filler documents up to `files`.
 * @param {string} exampleShare the example case's contractor-share
 * @param {string} out the share to write
 * @param {{ files: number, replicas: number }} options
 * @returns {Promise<number>} files written
 */
export async function buildLargeShare(exampleShare, out, { files, replicas }) {
  await rm(out, { recursive: true, force: true });
  await cp(exampleShare, out, { recursive: true, preserveTimestamps: true });
  const replicated = ['corp-network', 'laptops', 'backups'];
  for (let r = 1; r <= replicas; r++) {
    for (const top of replicated) {
      const target = path.join(out, 'departments', `regional-office-${String(r).padStart(2, '0')}`, 'migrated-home-directories', top);
      await cp(path.join(exampleShare, top), target, { recursive: true, preserveTimestamps: true });
    }
  }
  let count = await countFiles(out);
  for (let i = 0; count < files; i++, count++) {
    const folder = FOLDERS[i % FOLDERS.length] ?? 'misc';
    const name = `${folder}/section-${String(i % 37).padStart(2, '0')}/meeting-notes-and-action-items-${String(i).padStart(5, '0')}.txt`;
    await mkdir(path.dirname(path.join(out, name)), { recursive: true });
    await writeFile(path.join(out, name), filler(name));
  }
  return count;
}

/** @param {string} dir */
async function countFiles(dir) {
  const { readdir } = await import('node:fs/promises');
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).length;
}

/**
 * Prints one HTML report and measures it.
 * @param {import('playwright-core').Browser} browser
 * @param {string} htmlFile
 */
export async function measurePrint(browser, htmlFile) {
  const pdf = htmlFile.replace(/\.html$/, '.pdf');
  await printToPdf(browser, htmlFile, pdf);
  const pages = pdfPages(pdf);
  const spreadStart = pageOf(pages, HEADINGS.spread);
  return {
    pages: pages.length,
    spreadStart,
    spreadEnd: Math.max(spreadStart, pageOf(pages, HEADINGS.clauses)),
    findingsStart: pageOf(pages, HEADINGS.findings),
    htmlBytes: (await stat(htmlFile)).size,
  };
}

async function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const args = process.argv.slice(2);
  const files = Number(args[args.indexOf('--files') + 1] ?? 3000) || 3000;
  const { run } = await import(pathToFileURL(path.join(root, 'dist/cli/run.js')).href);
  const { generateExample } = await import('../generate-fixtures.js');
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM) || !hasPdftotext()) throw new Error(`needs ${CHROMIUM} and pdftotext (apt-get install chromium poppler-utils)`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-html-print-'));
  const io = { stdout: process.stdout, stderr: process.stderr, env: { ...process.env, NO_COLOR: '1' }, cwd: dir };
  const now = '2026-11-20T12:00:00Z';
  await generateExample({ out: path.join(dir, 'case'), now: new Date(now) });
  const key = ['--plate-key-file', 'case/plate.key'];
  const classes = ['--class', 'travelers/**=traveler-image', '--class', 'lanes/**=vehicle-image', '--class', 'plates/**=plate-image'];
  if ((await run(['fingerprint', 'case/agency-data', '--out', 'agency.fp.json', ...key, ...classes], io)).exitCode !== 0) throw new Error('fingerprint failed');
  const policy = (await readFile(path.join(root, 'policies/border-lane-cameras.yaml'), 'utf8')).replace('../fixtures/example/generated/agency.fp.json', 'agency.fp.json');
  await writeFile(path.join(dir, 'policy.yaml'), policy);
  const written = await buildLargeShare(path.join(dir, 'case/contractor-share'), path.join(dir, 'large-share'), { files, replicas: 3 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    for (const { name, share } of [
      { name: 'example', share: 'case/contractor-share' },
      { name: `${written}-file tree`, share: 'large-share' },
    ]) {
      const html = path.join(dir, `${name.replace(/\W+/g, '-')}.html`);
      await run(['audit', share, '--policy', 'policy.yaml', ...key, '--now', now, '--format', 'html', '--output', html], { ...io, stdout: { write: () => true } });
      const m = await measurePrint(browser, html);
      process.stdout.write(
        `${name}: ${m.pages} pages; spread pages ${m.spreadStart}-${m.spreadEnd}; findings from page ${m.findingsStart}; HTML ${(m.htmlBytes / 1024).toFixed(0)} KiB\n`,
      );
    }
  } finally {
    await browser.close();
    if (!args.includes('--keep')) await rm(dir, { recursive: true, force: true });
    else process.stdout.write(`kept ${dir}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
