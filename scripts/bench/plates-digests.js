#!/usr/bin/env node
// @ts-check
/**
 * Issue 17's plate row alone (references.js runs it after an hour of image stores): the audit of the
 * bench tree's plate records with a store of few (500) and one of many (10,000,000) plate digests,
 * built the way references.js builds them (its `--step build-plates`, cached by cachedStore), then
 * alternating audits (small, large, small, large, ...) and the medians of their CPU time and peak RSS.
 *   node scripts/bench/plates-digests.js --fingerprints <fp.json> [--stores <dir>] [--runs 3] [--custody <bin/custody.js>]
 *        [--plates 10000000] [--plates-small 500] [--seed 17] [--out <dir>]
 * The fingerprint file must be the bench tree's (`custody fingerprint agency --plate-key-file plate.key`),
 * whose plates the tree's records hold. Needs a build (dist/). Each audit is followed by a child that
 * splits the same work into its phases, CPU each (load the store, build the matcher, scan the
 * records), so that what grows with the digest count is named rather than guessed.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedStore } from './distractors.js';
import { measure } from './measure.js';
import { ensureTree, FULL } from './tree.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
if (argv[0] === '--step') {
  await phases(argv[1] ?? '', argv[2] ?? '', argv.slice(3));
  process.exit(0);
}
const option = (/** @type {string} */ name, /** @type {string} */ fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const log = (/** @type {string} */ line) => process.stderr.write(`bench:plates-digests: ${line}\n`);
const fpFile = path.resolve(option('--fingerprints', ''));
if (!argv.includes('--fingerprints')) {
  log('usage: plates-digests.js --fingerprints <fp.json> [--stores <dir>] [--runs 3] [--plates n] [--plates-small n] [--out <dir>]');
  process.exit(2);
}
const storeDir = path.resolve(option('--stores', path.join(root, 'bench/work/references')));
const out = path.resolve(option('--out', os.tmpdir()));
const bin = path.resolve(option('--custody', path.join(root, 'bin/custody.js')));
const runs = Number(option('--runs', '3'));
const seed = Number(option('--seed', '17'));
const sizes = { small: Number(option('--plates-small', '500')), large: Number(option('--plates', '10000000')) };

const tree = await ensureTree(path.join(root, 'bench/work'), FULL, log);
const real = JSON.parse(await readFile(fpFile, 'utf8'));
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NO_COLOR: '1' };
delete env['CUSTODY_PLATE_KEY'];
const references = path.join(root, 'scripts/bench/references.js');
/** @type {Record<string, string>} */
const stores = {};
for (const [name, count] of Object.entries(sizes)) {
  const built = await cachedStore({ dir: storeDir, kind: 'plates', count, seed, realDigest: real.digest }, async (file) => {
    log(`writing a store of ${count.toLocaleString('en')} plate digests ...`);
    const m = await measure(process.execPath, ['--max-old-space-size=8192', references, '--step', 'build-plates', fpFile, String(count), String(seed), file], { cwd: root, env });
    if (m.code !== 0) throw new Error(`building ${file} failed: ${m.stderr.trim().split('\n').slice(-5).join('\n')}`);
    return JSON.parse(m.stdout.trim());
  });
  stores[name] = built.file;
}

const recordDir = path.join('share', tree.records);
let bytes = 0;
for (const f of await readdir(path.join(tree.dir, recordDir))) bytes += (await stat(path.join(tree.dir, recordDir, f))).size;
/** @type {{ small: import('./measure.js').Measurement[], large: import('./measure.js').Measurement[] }} */
const measured = { small: [], large: [] };
/** @type {{ small: string[], large: string[] }} */
const phased = { small: [], large: [] };
for (let run = 0; run < runs; run++) {
  for (const name of /** @type {const} */ (['small', 'large'])) {
    const report = path.join(out, `plates-digests-${name}.json`);
    const args = ['audit', recordDir, '--fingerprints', stores[name] ?? '', '--plate-key-file', 'plate.key', '--no-archives', '--no-cache', '--authorized', 'enclave/**', '--fail-on', 'none', '--format', 'json', '--output', report];
    const m = await measure(process.execPath, [bin, ...args], { cwd: tree.dir, env });
    if (m.code !== 0) throw new Error(`audit with the ${name} set failed: ${m.stderr.trim()}`);
    measured[name].push(m);
    const files = (await readdir(path.join(tree.dir, recordDir))).map((f) => path.join(tree.dir, recordDir, f));
    const split = await measure(process.execPath, [self, '--step', stores[name] ?? '', path.join(tree.dir, 'plate.key'), ...files], { cwd: root, env });
    const phase = split.code === 0 ? split.stdout.trim() : `phases failed: ${split.stderr.trim().split('\n').at(-1)}`;
    phased[name].push(phase);
    log(`run ${run + 1} ${name}: ${m.cpu.toFixed(2)} CPU-s, ${m.wall.toFixed(2)} s, ${m.rssMiB.toFixed(0)} MiB (load ${os.loadavg()[0]?.toFixed(2)}); phases ${phase}`);
  }
}
const median = (/** @type {number[]} */ v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
const cpu = { small: median(measured.small.map((m) => m.cpu)), large: median(measured.large.map((m) => m.cpu)) };
const ratios = measured.small.map((s, i) => (measured.large[i]?.cpu ?? Number.NaN) / s.cpu);
const rss = Math.max(...measured.large.map((m) => m.rssMiB));
const line = {
  sizes,
  mb: bytes / 1e6,
  cpu,
  ratio: cpu.large / cpu.small,
  pairRatios: ratios.map((r) => Number(r.toFixed(3))),
  largeRssMiB: Math.round(rss),
  phases: phased,
  verdict: cpu.large / cpu.small <= 1.2 && rss <= 1024 ? 'met' : 'missed',
};
process.stdout.write(`${JSON.stringify(line)}\n`);

/**
 * The child: the audit's plate work in its phases, CPU seconds each, one JSON line.
 * @param {string} store @param {string} keyFile @param {string[]} files
 */
async function phases(store, keyFile, files) {
  const dist = (/** @type {string} */ p) => new URL(`../../dist/${p}`, import.meta.url).href;
  const { loadFingerprints } = await import(dist('references/load.js'));
  const { agencyPlateMatcher } = await import(dist('identify/plates/agency-matcher.js'));
  const { scanPlates } = await import(dist('identify/plates/scan.js'));
  const { loadPlateKey } = await import(dist('identify/plates/key.js'));
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let at = cpu();
  const index = await loadFingerprints([store]);
  const load = cpu() - at;
  at = cpu();
  const matcher = agencyPlateMatcher(index, loadPlateKey({ keyFile, env: {} }));
  const build = cpu() - at;
  at = cpu();
  let records = 0;
  for (const file of files) records += (await scanPlates(createReadStream(file, { highWaterMark: 1 << 20 }), matcher)).records;
  const scan = cpu() - at;
  const round = (/** @type {number} */ v) => Number(v.toFixed(3));
  process.stdout.write(`${JSON.stringify({ load: round(load), build: round(build), scan: round(scan), records, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) })}\n`);
}
