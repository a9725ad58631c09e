import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, HEADINGS, hasPdftotext, pageOf, pdfPages, printToPdf } from '../../scripts/bench/html-print.js';
import { generateExample } from '../../scripts/generate-fixtures.js';
import { run } from '../../src/cli/run.js';
import type { Report } from '../../src/report/model.js';
import { captureIo, REPO_ROOT, tempDir } from '../support/tmp.js';

const NOW = '2026-11-20T12:00:00Z';
const present = existsSync(CHROMIUM);
const poppler = hasPdftotext();
if (!present) console.warn(`html-print.test.ts skipped: ${CHROMIUM} not found (install Debian's chromium package to print the HTML report).`);
else if (!poppler) console.warn('html-print.test.ts: PDF text checks skipped: pdftotext not found (install Debian poppler-utils).');

/**
 * Runs in the page: the character before each line break of every location in the findings and
 * spread tables (their text nodes walked character by character). A string, as it runs in the browser.
 */
const LINE_BREAKS = `(() => {
  const out = [];
  for (const cell of document.querySelectorAll('#findings-table td.loc, #spread-table li > .loc')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let top;
    let previous = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent || '';
      for (let i = 0; i < text.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getBoundingClientRect();
        if (top !== undefined && rect.top > top + 2) out.push(previous);
        top = rect.top;
        previous = text[i];
      }
    }
  }
  return out;
})()`;

/**
 * The example's HTML report, printed to PDF the way a user prints it from the browser (the footer
 * is the report's own CSS, no script-supplied template), then read back with pdftotext.
 */
describe.skipIf(!present)('printed HTML report of the example', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  let report: Report;
  let html: string;
  let pdf: string;
  let pages: string[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-html-print-'));
    await generateExample({ out: path.join(dir, 'case'), now: new Date(NOW) });
    const key = ['--plate-key-file', 'case/plate.key'];
    const classes = ['--class', 'travelers/**=traveler-image', '--class', 'lanes/**=vehicle-image', '--class', 'plates/**=plate-image'];
    const fp = captureIo(dir);
    expect((await run(['fingerprint', 'case/agency-data', '--out', 'agency.fp.json', ...key, ...classes], fp)).exitCode, fp.err()).toBe(0);
    const shipped = await readFile(path.join(REPO_ROOT, 'policies', 'border-lane-cameras.yaml'), 'utf8');
    await writeFile(path.join(dir, 'policy.yaml'), shipped.replace('../fixtures/example/generated/agency.fp.json', 'agency.fp.json'));
    const io = captureIo(dir);
    const args = ['audit', 'case/contractor-share', '--policy', 'policy.yaml', ...key, '--now', NOW, '--format', 'html', '--output', 'report.html'];
    expect((await run(args, io)).exitCode, io.err()).toBe(1);
    html = path.join(dir, 'report.html');
    // The report the page embeds: the digests and audit time the footer must show are its own.
    const data = /<script type="application\/json" id="custody-data">(.*?)<\/script>/s.exec(await readFile(html, 'utf8'));
    report = JSON.parse(data?.[1] ?? 'null') as Report;
    pdf = path.join(dir, 'report.pdf');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await printToPdf(browser, html, pdf);
    if (poppler) pages = pdfPages(pdf);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await cleanup?.();
  });

  it('prints as a PDF of a few pages', async () => {
    const bytes = await readFile(pdf, 'latin1');
    // Page objects in the PDF itself, so the count holds without poppler too.
    const count = bytes.match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
    expect(count).toBeGreaterThan(1);
    expect(count).toBeLessThanOrEqual(9);
    if (poppler) expect(pages).toHaveLength(count);
  });

  it.skipIf(!poppler)('puts the spread of copies on page 1-2 and the findings after it, on their own pages', () => {
    const spread = pageOf(pages, HEADINGS.spread);
    const clauses = pageOf(pages, HEADINGS.clauses);
    const findings = pageOf(pages, HEADINGS.findings);
    expect(spread).toBeGreaterThanOrEqual(1);
    expect(spread).toBeLessThanOrEqual(2);
    expect(clauses).toBeGreaterThanOrEqual(spread);
    expect(findings).toBeGreaterThan(clauses);
    // The findings page starts with them: nothing of the summary shares it.
    expect(pages[findings - 1]).not.toMatch(HEADINGS.clauses);
  });

  it.skipIf(!poppler)('carries "Page N of M", the policy and fingerprint digests and the audit time on every page', () => {
    expect(report.fingerprints.length).toBeGreaterThan(0);
    pages.forEach((text, i) => {
      const where = `page ${i + 1}`;
      expect(text, where).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(text, where).toContain(report.policy.digest);
      for (const fp of report.fingerprints) expect(text, where).toContain(fp.digest);
      expect(text, where).toContain(report.startedAt);
    });
  });

  it.skipIf(!poppler)('repeats each long table header, with its text, on the pages it continues to', () => {
    const findings = pageOf(pages, HEADINGS.findings);
    const coverage = pageOf(pages, HEADINGS.coverage);
    expect(coverage).toBeGreaterThan(findings + 1);
    for (let p = findings + 1; p < coverage; p++) expect(pages[p - 1], `page ${p}`).toMatch(/Severity\s+Location\s+Item\s+Violations/);
  });

  it.skipIf(!poppler)('words the evidence for an officer, without key=value pairs or JSON', () => {
    const text = pages.join('\n');
    expect(text).toMatch(/mode\s+0\d{3}:\s+world\s+can\s+read/);
    expect(text).not.toMatch(/allowed=|\{"group"/);
  });

  it('wraps long locations only after path separators', async () => {
    const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    const breaks = await page.evaluate<string[]>(LINE_BREAKS);
    await page.close();
    expect(breaks.length).toBeGreaterThan(0);
    expect(new Set(breaks)).toEqual(new Set(['/']));
  });
});
