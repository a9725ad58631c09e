// @ts-check
/**
 * Whole `custody audit` runs of the bench's image subset with one reference store, alternating two
 * environments (A B A B ...), measured by GNU time (CPU = user + sys of the whole process tree, peak
 * RSS). Made for what one process cannot show: an environment that must be set before node starts
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), or the CLI's own re-exec switched off and on. Each pair's
 * reports are compared without their run times; any difference is printed and counted.
 *
 *   node scripts/bench/audit-env-ab.js --set <store.cfs> [--a KEY=VALUE]... [--b KEY=VALUE]...
 *        [--unset-a KEY] [--unset-b KEY] [--rounds 3] [--jobs 8] [--images share/photos/camera-roll]
 *        [--build <checkout with bin/ and dist/>] [--out /tmp/audit-env-ab]
 *
 * Prints one line per run and a summary: median CPU, wall and peak RSS per side, and the CPU ratio
 * b/a (median of the per-pair ratios: each pair ran under the same machine load).
 */
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const all = (/** @type {string} */ name) => argv.flatMap((a, i) => (a === name && argv[i + 1] !== undefined ? [/** @type {string} */ (argv[i + 1])] : []));
const one = (/** @type {string} */ name, /** @type {string} */ fallback) => all(name).at(-1) ?? fallback;

const set = one('--set', '');
if (!set) {
  process.stderr.write('usage: audit-env-ab.js --set <store> [--a K=V]... [--b K=V]... [--unset-a K] [--unset-b K] [--rounds n] [--jobs n]\n');
  process.exit(2);
}
const rounds = Number(one('--rounds', '3'));
const jobs = one('--jobs', '8');
const build = path.resolve(one('--build', root));
const out = one('--out', '/tmp/audit-env-ab');
const tree = path.join(root, 'bench/work/tree-2f3e4db2e372');
const images = one('--images', 'share/photos/camera-roll');

/** The caller's environment with one side's settings applied. @param {'a' | 'b'} side */
function envOf(side) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, NO_COLOR: '1' };
  delete env['CUSTODY_PLATE_KEY']; // the key comes from the tree's key file, as in references.js
  for (const key of all(`--unset-${side}`)) delete env[key];
  for (const pair of all(`--${side}`)) {
    const at = pair.indexOf('=');
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

/** A JSON report without its run times, the only fields two runs of the same audit may differ in. */
async function withoutTimes(/** @type {string} */ file) {
  const report = JSON.parse(await readFile(file, 'utf8'));
  return JSON.stringify({ ...report, startedAt: undefined, finishedAt: undefined });
}
const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? /** @type {number} */ (s[mid]) : (/** @type {number} */ (s[mid - 1]) + /** @type {number} */ (s[mid])) / 2;
};

await mkdir(out, { recursive: true });
/** @type {Record<'a' | 'b', import('./measure.js').Measurement[]>} */
const runs = { a: [], b: [] };
let differ = 0;
for (let round = 1; round <= rounds; round++) {
  // The order flips every round, so neither side always runs first after the other's page cache.
  /** @type {('a' | 'b')[]} */
  const order = round % 2 ? ['a', 'b'] : ['b', 'a'];
  for (const side of order) {
    const report = path.join(out, `audit-${side}-${round}.json`);
    const args = [path.join(build, 'bin/custody.js'), 'audit', images, '--fingerprints', path.resolve(set), '--plate-key-file', 'plate.key'];
    args.push('--no-archives', '--no-cache', '--jobs', jobs, '--authorized', 'enclave/**', '--fail-on', 'none', '--format', 'json', '--output', report);
    const m = await measure(process.execPath, args, { cwd: tree, env: envOf(side) });
    if (m.code !== 0) throw new Error(`audit ${side} round ${round} failed (exit ${m.code}): ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    runs[side].push(m);
    process.stdout.write(`round ${round} ${side}: cpu ${m.cpu.toFixed(2)} s, wall ${m.wall.toFixed(2)} s, rss ${m.rssMiB.toFixed(0)} MiB, load ${m.load1.toFixed(2)}\n`);
  }
  const [a, b] = await Promise.all(['a', 'b'].map((side) => withoutTimes(path.join(out, `audit-${side}-${round}.json`))));
  if (a !== b) {
    differ++;
    process.stdout.write(`round ${round}: the two reports differ beyond their run times\n`);
  }
}
const ratios = runs.a.map((a, i) => /** @type {import('./measure.js').Measurement} */ (runs.b[i]).cpu / a.cpu);
const side = (/** @type {'a' | 'b'} */ s) =>
  `cpu ${median(runs[s].map((m) => m.cpu)).toFixed(2)} s, wall ${median(runs[s].map((m) => m.wall)).toFixed(2)} s, rss ${Math.max(...runs[s].map((m) => m.rssMiB)).toFixed(0)} MiB max`;
process.stdout.write(`a: ${side('a')}\nb: ${side('b')}\n`);
process.stdout.write(`cpu b/a per pair: ${ratios.map((r) => r.toFixed(3)).join(' ')}; median x${median(ratios).toFixed(3)}; reports differing: ${differ} of ${rounds} pairs (${os.loadavg()[0]?.toFixed(2)} load)\n`);
