#!/usr/bin/env node
// @ts-check
/**
 * Memory bound of reading the re-audit cache (issue #22, class 5): the peak RSS of an audit whose
 * cache file has been made a sparse 1.5 GiB file, against the same audit with its cache intact and
 * without a cache. The cache file is checked on its open descriptor and discarded unread when it is
 * over the cap, so the first figure should be the others' give or take a few MiB.
 *
 * Build first: npm run build
 * Run:         node scripts/bench/cache-bound.js [--size-gib 1.5]
 * Prints one JSON object (figures in MiB).
 */
import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from './measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { 'size-gib': { type: 'string', default: '1.5' } } });
const sizeBytes = Math.round(Number(values['size-gib']) * 1024 ** 3);

const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-cache-bound-'));
try {
  const tree = path.join(dir, 'tree');
  await mkdir(tree);
  for (let i = 0; i < 200; i++) await writeFile(path.join(tree, `note-${i}.txt`), `note ${i}\n`.repeat(50));
  // Stamps younger than the racy window (2 s) are not stored.
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const agency = path.join(dir, 'agency');
  await mkdir(agency);
  await writeFile(path.join(agency, 'record.txt'), 'an agency record\n');
  const fingerprint = await measure(process.execPath, [path.join(root, 'bin/custody.js'), 'fingerprint', 'agency', '--out', 'agency.fp.json'], { cwd: dir });
  if (fingerprint.code !== 0) throw new Error(`fingerprint: exit ${fingerprint.code}: ${fingerprint.stderr}`);
  const cacheDir = path.join(dir, 'cache');
  const audit = (/** @type {string[]} */ extra) =>
    measure(process.execPath, [path.join(root, 'bin/custody.js'), 'audit', 'tree', '-f', 'agency.fp.json', '--format', 'json', '--output', 'out.json', ...extra], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' } });
  const check = (/** @type {import('./measure.js').Measurement} */ m, /** @type {string} */ label) => {
    if (m.code !== 0) throw new Error(`${label}: exit ${m.code}: ${m.stderr}`);
    return m;
  };
  const noCache = check(await audit(['--no-cache']), 'no cache');
  check(await audit(['--cache', cacheDir]), 'cold');
  const warm = check(await audit(['--cache', cacheDir]), 'warm');
  const name = (await readdir(cacheDir)).find((n) => n.endsWith('.cache'));
  if (!name) throw new Error('no cache file was written');
  await truncate(path.join(cacheDir, name), sizeBytes);
  const sparse = check(await audit(['--cache', cacheDir]), 'sparse');
  console.log(
    JSON.stringify(
      {
        sparseCacheGiB: sizeBytes / 1024 ** 3,
        peakRssMiB: { noCache: noCache.rssMiB, warmCache: warm.rssMiB, sparseCache: sparse.rssMiB },
        sparseNotice: sparse.stderr.trim(),
        method: sparse.method,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
