#!/usr/bin/env node
// @ts-check
/**
 * The README's demo: renders the synthetic example case, fingerprints the agency's reference data,
 * then audits the contractor's share against policies/border-lane-cameras.yaml.
 *
 *   npm run example [-- <extra audit flags, e.g. --format html --output report.html>]
 *
 * Exit code: 0 when the audit found violations (exit 1: the planted ones) and said so, so that npm does
 * not print a failure for a demo that worked; any other audit exit code is passed on.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../dist/cli/run.js';
import { generateExample } from './generate-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'fixtures/example/generated');
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: root };

process.stderr.write('custody example: rendering the synthetic case into fixtures/example/generated ...\n');
await generateExample({ out, now: new Date() });

const key = ['--plate-key-file', 'fixtures/example/generated/plate.key'];
const fingerprint = await run(
  [
    'fingerprint', 'fixtures/example/generated/agency-data', '--out', 'fixtures/example/generated/agency.fp.json', ...key,
    '--class', 'travelers/**=traveler-image', '--class', 'lanes/**=vehicle-image', '--class', 'plates/**=plate-image',
  ],
  io,
);
if (fingerprint.exitCode !== 0) process.exit(fingerprint.exitCode);

process.stderr.write('custody example: auditing fixtures/example/generated/contractor-share ...\n\n');
const audit = await run(
  ['audit', 'fixtures/example/generated/contractor-share', '--policy', 'policies/border-lane-cameras.yaml', ...key, ...process.argv.slice(2)],
  io,
);
if (audit.exitCode === 1) {
  process.stderr.write('\ncustody example: `custody audit` exited 1 (violations at or above --fail-on), as the planted copies require.\n');
} else {
  process.exitCode = audit.exitCode;
}
