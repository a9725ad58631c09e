#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:hides`: where contractor networks keep data (issue #18), in one run. A synthetic
 * contractor tree (scripts/bench/hides-plant.js, cached under bench/work/hides-<hash>/) holds agency
 * pictures and plate reads planted in every kind the issue lists, with negatives of each kind; one
 * `custody audit` of the share and one `custody audit --git` of the two repositories are scored
 * (scripts/bench/hides-score.js): found/planted per kind, false claims, files inspected or in coverage.
 * Writes bench/results/hides.md and hides.json; exits 1 when a kind misses its targets.
 * Needs a build (npm run build) and the Debian tools the kinds are made with: gs, 7zz, xz, bzip2,
 * zstd, ffmpeg, heif-enc, git.
 * Run: node scripts/bench/hides.js [--seed N] [--refs N (agency references per class, default 8)]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureHidesTree } from './hides-plant.js';
import { score, toMarkdown } from './hides-score.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {number} */ fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const log = (/** @type {string} */ line) => process.stderr.write(`bench:hides: ${line}\n`);

const params = { seed: option('--seed', 18), refsPerKind: option('--refs', 8), othersPerKind: 6 };
const tree = await ensureHidesTree(path.join(root, 'bench/work'), params, log);
log(`${tree.reused ? 'reusing' : 'generated'} ${path.relative(root, tree.dir)}: ${tree.planted.length} files planted`);
const out = path.join(tree.dir, 'out');
await mkdir(out, { recursive: true });
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NO_COLOR: '1' };
delete env['CUSTODY_PLATE_KEY']; // the key comes from the tree's key file

/** The built CLI in the tree's folder; wall seconds, exit code, the last stderr lines. @param {string[]} args */
function custody(args) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [path.join(root, 'bin/custody.js'), ...args], { cwd: tree.dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { code: run.status, seconds: Number(seconds.toFixed(1)), stderr: run.stderr.trim().split('\n').slice(-3).join(' | ') };
}

const classes = ['--class', 'vehicles/**=vehicle-image', '--class', 'plates/**=plate-image', '--class', 'travelers/**=traveler-image'];
const fp = custody(['fingerprint', 'agency', '--out', 'out/fp.json', '--plate-key-file', 'plate.key', ...classes]);
if (fp.code !== 0) throw new Error(`custody fingerprint failed (exit ${fp.code}): ${fp.stderr}`);
const common = ['-f', 'out/fp.json', '--plate-key-file', 'plate.key', '--authorized', 'enclave/**', '--no-cache', '--fail-on', 'none', '--format', 'json'];
log('auditing the share ...');
const shareRun = custody(['audit', 'share', ...common, '--output', 'out/share.json']);
log(`share: exit ${shareRun.code} in ${shareRun.seconds} s; auditing the git repositories ...`);
const gitRun = custody(['audit', '--git', 'repos/pos', '--git', 'repos/neg', ...common, '--output', 'out/git.json']);
log(`git: exit ${gitRun.code} in ${gitRun.seconds} s`);
// Exit 3 (incomplete) still writes a full report; 2 is a broken run.
for (const [name, r] of /** @type {const} */ ([['share', shareRun], ['git', gitRun]])) if (r.code === 2 || r.code === null) throw new Error(`custody audit (${name}) failed: ${r.stderr}`);
const reports = [JSON.parse(await readFile(path.join(out, 'share.json'), 'utf8')), JSON.parse(await readFile(path.join(out, 'git.json'), 'utf8'))];

const result = score(tree.planted, reports);
// Every item the audits saw was either inspected or left uninspected with a coverage entry saying why.
const accounted = reports.every((r) => r.summary.filesSeen === r.summary.filesInspected + r.summary.filesSkipped && r.summary.filesSkipped <= r.coverage.filter((/** @type {{ incomplete?: boolean }} */ c) => c.incomplete).length);
const meta = {
  date: new Date().toISOString(),
  tree: `${path.relative(root, tree.dir)} (seed ${params.seed}, ${tree.references} agency references, ${tree.planted.length} files planted, ${tree.planted.filter((/** @type {{ negative: boolean }} */ p) => p.negative).length} of them negatives)`,
  audits: `share: exit ${shareRun.code}, ${shareRun.seconds} s, ${reports[0].summary.filesSeen} files seen, ${reports[0].summary.filesInspected} inspected, ${reports[0].coverage.length} coverage entries; git: exit ${gitRun.code}, ${gitRun.seconds} s, ${reports[1].summary.filesSeen} blobs seen, ${reports[1].coverage.length} coverage entries`,
  accounted: `${accounted ? 'yes' : '**no**'}: every item seen was inspected or is in coverage (share: ${reports[0].summary.filesSkipped} not inspected, git: ${reports[1].summary.filesSkipped})`,
  machine: `${os.cpus().length} cores, load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`,
};
const md = toMarkdown(result, meta);
await mkdir(path.join(root, 'bench/results'), { recursive: true });
await writeFile(path.join(root, 'bench/results/hides.md'), md);
await writeFile(path.join(root, 'bench/results/hides.json'), `${JSON.stringify({ ...meta, params, runs: { fingerprint: fp, share: shareRun, git: gitRun }, ...result }, null, 2)}\n`);
process.stdout.write(md);
log('wrote bench/results/hides.md and .json');
process.exitCode = accounted && result.rows.every((r) => r.met) ? 0 : 1;
