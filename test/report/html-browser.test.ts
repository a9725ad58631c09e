import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../../src/report/html.js';
import { sampleReport } from '../support/sample-report.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) {
  console.warn(`html-browser.test.ts skipped: ${CHROMIUM} not found (install Debian's chromium package to run the HTML report in a real browser).`);
}
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

describe.skipIf(!present)('html reporter in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'custody-html-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, html(sampleReport(), { color: false, showWaived: true }));
    const url = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // Anything but the report file itself is recorded and refused: the page must need nothing else.
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      foreignRequests.push(route.request().url());
      return route.abort();
    });
    page.on('request', (req) => {
      if (req.url() !== url && !foreignRequests.includes(req.url())) foreignRequests.push(req.url());
    });
    await page.goto(url, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console error, no request and no dialog', async () => {
    await page.waitForTimeout(200);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('shows the verdict and the key numbers', async () => {
    await expect.poll(() => page.locator('#verdict .word').innerText()).toBe('VIOLATED');
    expect(await page.locator('[data-kpi="open"]').innerText()).toBe('9');
    expect(await page.locator('[data-kpi="waived"]').innerText()).toBe('1');
    // Five copies with location findings and one in an archive outside the enclave (waived: still outside).
    expect(await page.locator('[data-kpi="outside"]').innerText()).toBe('6');
    expect(await page.locator('[data-kpi="locations"]').innerText()).toBe('7');
    expect(await page.locator('[data-kpi="files-inspected"]').innerText()).toBe('12391');
    expect(await page.locator('[data-kpi="clauses-violated"]').innerText()).toBe('5 of 9');
    expect(await page.locator('#verdict').isVisible()).toBe(true);
  });

  it('lists each agency item once, with every copy and what each copy violates', async () => {
    const rows = page.locator('#spread-table tbody tr');
    expect(await rows.count()).toBe(4);
    const first = await rows.first().innerText();
    expect(first).toContain('lane3/2026-03-01/cap-000117.jpg');
    expect(first).toContain('corp-share/Marketing/lane3 photo (1).jpg');
    expect(first).toMatch(/LOC-1, PERM-1/);
    expect(first).toMatch(/ARC-1\s+waived/);
    expect(await rows.first().locator('.tag.inside').count()).toBe(1);
    expect(await rows.first().locator('.tag.outside').count()).toBe(2);
  });

  it('renders hostile names as text: no injected element, no script ran', async () => {
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    const cells = await page.locator('#findings-table td.loc').allInnerTexts();
    expect(cells).toContain('incoming/</script><script>alert(1)</script>.jpg');
    expect(cells.some((c) => c.includes('<img src=x onerror=alert(1)>') && c.includes('\\x1b]0;pwned'))).toBe(true);
    expect(dialogs).toEqual([]);
  });

  it('sorts a table when its header is clicked', async () => {
    const locations = () => page.locator('#findings-table tbody tr td:nth-child(2)').allInnerTexts();
    const before = await locations();
    await page.locator('#findings-table thead th:nth-child(2) button').click();
    const asc = await locations();
    expect(asc).toEqual([...before].sort((a, b) => a.localeCompare(b)));
    await page.locator('#findings-table thead th:nth-child(2) button').click();
    expect(await locations()).toEqual([...asc].reverse());
    expect(await page.locator('#findings-table thead th:nth-child(2)').getAttribute('aria-sort')).toBe('descending');
  });

  it('lists findings one row per location, and filters rows by text and by any severity in them', async () => {
    const visibleRows = () => page.locator('#findings-table tbody tr:not([hidden])').count();
    // Ten findings (the waived one shown) at eight locations.
    expect(await visibleRows()).toBe(8);
    const photo = page.locator('#findings-table tbody tr', { hasText: 'lane3 photo (1).jpg' });
    expect(await photo.count()).toBe(1);
    expect(await photo.locator('ul.violations li').count()).toBe(2);
    await page.getByLabel('Filter findings').fill('laptops/jdoe');
    expect(await visibleRows()).toBe(2);
    await page.getByLabel('Severity').selectOption('medium');
    expect(await visibleRows()).toBe(1);
    await page.getByLabel('Filter findings').fill('');
    expect(await visibleRows()).toBe(2);
    await page.getByLabel('Severity').selectOption('');
    expect(await visibleRows()).toBe(8);
  });

  it('writes a screenshot for CI artefacts', async () => {
    const out = path.join(repoRoot, 'test-output');
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, 'report.png'), fullPage: true });
    expect(existsSync(path.join(out, 'report.png'))).toBe(true);
  });
});
