#!/usr/bin/env node
// @ts-check
/**
 * CI artefact (issue 6): renders the shipped example's HTML report and takes a screenshot of it in
 * Debian's chromium (never a downloaded browser). Writes test-output/example-report.{html,png}.
 *
 *   node scripts/screenshot-example.js
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { run } from '../dist/cli/run.js';
import { generateExample } from './generate-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test-output');
await mkdir(out, { recursive: true });
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: root };
const generated = 'fixtures/example/generated';
await generateExample({ out: path.join(root, generated), now: new Date() });
const key = ['--plate-key-file', `${generated}/plate.key`];
const classes = ['--class', 'travelers/**=traveler-image', '--class', 'lanes/**=vehicle-image', '--class', 'plates/**=plate-image'];
const fp = await run(['fingerprint', `${generated}/agency-data`, '--out', `${generated}/agency.fp.json`, ...key, ...classes], io);
if (fp.exitCode !== 0) process.exit(fp.exitCode);
const html = path.join(out, 'example-report.html');
const audit = await run(['audit', `${generated}/contractor-share`, '--policy', 'policies/border-lane-cameras.yaml', ...key, '--format', 'html', '--output', html], io);
if (audit.exitCode !== 1) throw new Error(`expected violations (exit 1) from the example audit, got ${audit.exitCode}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(html).href);
  await page.screenshot({ path: path.join(out, 'example-report.png'), fullPage: true });
} finally {
  await browser.close();
}
process.stderr.write(`custody: wrote ${path.relative(root, path.join(out, 'example-report.png'))}\n`);
