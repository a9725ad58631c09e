#!/usr/bin/env node
// @ts-check
/**
 * Issue 20's rule for speed work: "the bench's audit reports byte-identical (apart from times) before
 * and after each speed change". This runs the bench's audits with two builds on the same share and
 * compares their JSON reports with the run times taken out:
 *   - exact-only (fingerprints without perceptual hashes, --no-archives), as the exact-only row;
 *   - the image subset (full fingerprints, plate key, --no-archives), as the image rows;
 *   - the large plate records, as the plate-scan row;
 *   - the synthetic S3 inventory (2M rows unless --rows), as a manifest audit;
 *   - the whole share with every detector and archives, as the full-audit row.
 * Each build makes its own fingerprints (so a change that moves a hash shows up too), each audit runs
 * with an empty re-audit cache, and the fingerprint files are compared as well.
 *
 *   node scripts/bench/same-outcomes.js --base <checkout with dist/> [--candidate <checkout>] [--rows N] [--only name,...]
 *
 * The candidate defaults to this checkout. Needs the bench share (npm run bench generates it) and the
 * synthetic inventory (made here if missing). Writes under bench/work/same-outcomes/; prints one line
 * per audit and exits 1 when any report differs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureTree, FULL } from './tree.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({ options: { base: { type: 'string' }, candidate: { type: 'string', default: root }, rows: { type: 'string', default: '2000000' }, only: { type: 'string' } } });
if (!values.base) {
  process.stderr.write('usage: same-outcomes.js --base <checkout> [--candidate <checkout>] [--rows N] [--only name,...]\n');
  process.exit(2);
}
const builds = { base: path.resolve(values.base), candidate: path.resolve(values.candidate) };
for (const dir of Object.values(builds)) if (!existsSync(path.join(dir, 'dist/bin/run.js'))) throw new Error(`${dir} has no build (dist/bin/run.js)`);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

const work = path.join(root, 'bench/work');
const tree = await ensureTree(work, FULL, log);
const inventory = path.join(work, `inventory-${values.rows}-8-parts`);
if (!existsSync(path.join(inventory, 'manifest.json'))) {
  const { writeSyntheticInventory } = await import('./synthetic-inventory.js');
  await writeSyntheticInventory(inventory, Number(values.rows), 6, 8);
}
const out = path.join(work, 'same-outcomes');
await mkdir(out, { recursive: true });
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NO_COLOR: '1' };
delete env['CUSTODY_PLATE_KEY'];

/** Runs one build's custody in the tree's folder; exit codes 0, 1 and 3 are outcomes, others failures. */
function custody(/** @type {string} */ build, /** @type {string[]} */ args) {
  const run = spawnSync(process.execPath, [path.join(build, 'bin/custody.js'), ...args], { cwd: tree.dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (![0, 1, 3].includes(run.status ?? -1)) throw new Error(`custody ${args[0]} (${build}) exited ${run.status}: ${run.stderr.slice(0, 2000)}`);
}

const key = ['--plate-key-file', tree.plateKey];
const classes = ['--class', 'vehicles/**=vehicle-image', '--class', 'plates/**=plate-image', '--class', 'travelers/**=traveler-image'];
const audit = ['--authorized', 'enclave/**', '--fail-on', 'none', '--format', 'json'];
const subset = path.join('share', tree.imageSubset);
/** @type {Record<string, (fp: { exact: string, full: string }) => string[]>} */
const audits = {
  exact: (fp) => ['share', '--fingerprints', fp.exact, '--no-archives'],
  images: (fp) => [subset, '--fingerprints', fp.full, ...key, '--no-archives'],
  plates: (fp) => [path.join('share', tree.records), '--fingerprints', fp.full, ...key, '--no-archives'],
  inventory: (fp) => ['--manifest', path.join(inventory, 'manifest.json'), '--fingerprints', fp.full, ...key],
  full: (fp) => ['share', '--fingerprints', fp.full, ...key],
};

/** A JSON report without its run times, the only fields two runs of the same audit may differ in. */
async function withoutTimes(/** @type {string} */ file) {
  const report = JSON.parse(await readFile(file, 'utf8'));
  return JSON.stringify({ ...report, startedAt: undefined, finishedAt: undefined }, null, 1);
}
/** A fingerprint file without its creation time. */
async function fingerprintWithoutTime(/** @type {string} */ file) {
  return (await readFile(file, 'utf8')).replace(/"(createdAt|created)"\s*:\s*"[^"]*"/g, '');
}
/** The first line where two texts differ, for the message. */
function firstDifference(/** @type {string} */ a, /** @type {string} */ b) {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) return `line ${i + 1}: ${String(la[i]).slice(0, 160)} | ${String(lb[i]).slice(0, 160)}`;
  return 'no line differs';
}

let differ = 0;
/** @type {Record<string, { exact: string, full: string }>} */
const fingerprints = {};
for (const [side, build] of Object.entries(builds)) {
  const dir = path.join(out, side);
  await mkdir(dir, { recursive: true });
  const fp = { exact: path.join(dir, 'fp-exact.json'), full: path.join(dir, 'fp-full.json') };
  log(`${side}: fingerprints ...`);
  custody(build, ['fingerprint', 'agency', '--out', fp.exact, '--no-perceptual', '--exclude', 'plate-reads/**']);
  custody(build, ['fingerprint', 'agency', '--out', fp.full, ...key, ...classes]);
  fingerprints[side] = fp;
}
for (const kind of /** @type {const} */ (['exact', 'full'])) {
  const [a, b] = [await fingerprintWithoutTime(fingerprints['base']?.[kind] ?? ''), await fingerprintWithoutTime(fingerprints['candidate']?.[kind] ?? '')];
  process.stdout.write(`fingerprints ${kind}: ${a === b ? 'identical' : `DIFFER (${firstDifference(a, b)})`}\n`);
  if (a !== b) differ += 1;
}
for (const [name, args] of Object.entries(audits)) {
  if (only && !only.has(name)) continue;
  const reports = [];
  for (const [side, build] of Object.entries(builds)) {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'custody-same-'));
    const report = path.join(out, side, `${name}.json`);
    const started = Date.now();
    const fp = fingerprints[side];
    if (!fp) throw new Error(`no fingerprints for ${side}`);
    custody(build, ['audit', ...args(fp), '--cache', cache, ...audit, '--output', report]);
    log(`${side}: ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await rm(cache, { recursive: true, force: true });
    reports.push(await withoutTimes(report));
  }
  const [a = '', b = ''] = reports;
  const assets = JSON.parse(b).assets?.length ?? '?';
  process.stdout.write(`${name}: ${a === b ? `identical (${assets} assets)` : `DIFFER (${firstDifference(a, b)})`}\n`);
  if (a !== b) differ += 1;
}
process.exitCode = differ === 0 ? 0 : 1;
