#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:hostile`: peak RSS and wall time of `custody audit` on every hostile case, each as
 * its own process, against the budget in README "Limits" (issue #22 class 5).
 *
 *   node scripts/bench/hostile.js [--only <substring>] [--timeout <seconds>] [--cli <bin/custody.js>] [--out <name>]
 *
 * Cases: the hostile corpus of the test suite (test/support/hostile-corpus.ts: one audit per top-level
 * directory, one for the top-level hostile names, one for the whole corpus), a 2,000-deep directory
 * and 100,000 empty files (test/hostile), and generated cases for each bound: 8 progressive JPEGs
 * of 10,000 x 10,000 (refused from the header), 8 of 7,800 x 7,800 (decoded one at a time), a valid
 * 5,000 x 5,000 progressive JPEG of 2,648 scans that each walk the whole image, a 2 MB
 * progressive JPEG repeating one scan 32,000 times, 2 million malformed checksum rows, 8 sparse
 * 255 MiB `.jpg` files, a FIFO and /dev/zero as --fingerprints and as --plate-key-file, and a
 * catastrophic marker regex against a hostile EXIF value.
 *
 * Each audit runs under GNU time (`%e %M`: wall, peak RSS of the process tree) with --no-cache and
 * --jobs left at its default, is killed after --timeout seconds (a hang is a failed case), and its
 * exit code is checked against the one expected. Writes bench/results/hostile.md and hostile.json.
 * Inputs are generated under bench/work/hostile (git-ignored). Needs a build (npm run build).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machine } from './report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = path.join(root, 'bench', 'work', 'hostile');
const argv = process.argv.slice(2);
const option = (/** @type {string} */ name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
/** `--cli <path to bin/custody.js>` measures another build (an older commit, for before/after). */
const cli = path.resolve(option('--cli') ?? path.join(root, 'bin', 'custody.js'));
/** `--out <name>` writes bench/results/<name>.md and .json (default hostile). */
const outName = option('--out') ?? 'hostile';
const only = option('--only');
const TIMEOUT_S = Number(option('--timeout') ?? 300);
/** The documented budget (README "Limits"). */
const BUDGET_MIB = 1024;
const PLATE_KEY = 'hostile-suite-plate-key-0123456789abcdef';

/**
 * @typedef {object} Case
 * @property {string} name
 * @property {string} input what it is
 * @property {string[]} args custody arguments (cwd: the work folder)
 * @property {number[]} expect acceptable exit codes
 * @property {Record<string, string>} [env]
 * @property {(stdout: string, stderr: string) => string | undefined} [check] a problem, if any
 */

/**
 * @typedef {object} Result
 * @property {string} name
 * @property {string} input
 * @property {number} code
 * @property {number} wall seconds
 * @property {number} rssMiB
 * @property {boolean} timedOut
 * @property {string} verdict
 * @property {string} note
 */

await mkdir(work, { recursive: true });
const corpusModule = await bundleTestSupport();
const { cases, base } = await buildCases(corpusModule);
/** @type {Result[]} */
const results = [];
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const r = await runCase(c);
  results.push(r);
  console.log(`${r.verdict.padEnd(6)} ${r.name.padEnd(44)} exit ${String(r.code).padStart(3)}  ${r.wall.toFixed(2).padStart(7)} s  ${Math.round(r.rssMiB).toString().padStart(5)} MiB  ${r.note}`);
}
await writeResults(results);
// The corpus holds mode-000 files and directories: unlock before removing.
execFileSync('chmod', ['-R', 'u+rwx', base]);
execFileSync('rm', ['-rf', '--', base]);

/** Bundles the test suite's corpus builders (TypeScript) with esbuild, a dev dependency. */
async function bundleTestSupport() {
  const esbuild = await import('esbuild');
  const out = path.join(work, 'support.mjs');
  const entry = path.join(work, 'support-entry.ts');
  await writeFile(
    entry,
    [
      `export { buildHostileCorpus, deepDirectory, manyEmptyFiles } from ${JSON.stringify(path.join(root, 'test/support/hostile-corpus.ts'))};`,
      `export { longestProgression, progressiveJpeg, repeatFirstAcScan } from ${JSON.stringify(path.join(root, 'test/hostile/support/progressive.ts'))};`,
    ].join('\n'),
  );
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'warning' });
  return /** @type {typeof import('../../test/support/hostile-corpus.js') & typeof import('../../test/hostile/support/progressive.js')} */ (await import(pathToFileURL(out).href));
}

/** @param {Awaited<ReturnType<typeof bundleTestSupport>>} support */
async function buildCases(support) {
  const sharp = (await import('sharp')).default;
  const base = await mkdtemp(path.join(work, 'run-'));
  // The agency: three reference images and a plate export, fingerprinted by the CLI itself.
  const agencyDir = path.join(base, 'agency');
  await mkdir(path.join(agencyDir, 'lanes'), { recursive: true });
  /** @type {Buffer[]} */
  const images = [];
  for (let i = 0; i < 3; i++) {
    const bytes = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 + i } } }).jpeg().toBuffer();
    images.push(bytes);
    await writeFile(path.join(agencyDir, 'lanes', `lane-${i}.jpg`), bytes);
  }
  const plateCsv = 'plate,seen_at,lane\nABC1234,2026-11-01T10:00:00Z,1\nXYZ9876,2026-11-02T10:00:00Z,2\nKLM4455,2026-11-03T10:00:00Z,3\n';
  await writeFile(path.join(agencyDir, 'reads.csv'), plateCsv);
  const fingerprintFile = path.join(base, 'agency.fp.json');
  execFileSync(process.execPath, [cli, 'fingerprint', agencyDir, '--out', fingerprintFile], { env: { ...process.env, CUSTODY_PLATE_KEY: PLATE_KEY }, stdio: 'ignore' });
  const corpus = await support.buildHostileCorpus(base, { dir: agencyDir, fingerprintFile, images, plateCsv });
  const audit = (/** @type {string[]} */ ...args) => ['audit', ...args, '-f', fingerprintFile, '--authorized', 'enclave/**', '--format', 'json', '--no-cache', '-q'];
  /** @type {Case[]} */
  const list = [];
  const tops = [...new Set(corpus.cases.map((c) => c.location.split('/')[0] ?? ''))].filter((t) => corpus.cases.some((c) => c.location.startsWith(`${t}/`)));
  for (const top of tops.sort()) {
    const kinds = [...new Set(corpus.cases.filter((c) => c.location.startsWith(`${top}/`)).map((c) => c.kind))].join(', ');
    list.push({ name: `corpus/${JSON.stringify(top).slice(1, -1)}`, input: `hostile corpus: ${kinds}`, args: audit(path.join(corpus.root, top)), expect: [0, 1, 3] });
  }
  list.push({ name: 'corpus/top-level names', input: 'hostile names (terminal, formula, bidi) holding agency copies', args: [...audit(corpus.root), '--exclude', '*/**'], expect: [0, 1, 3] });
  list.push({ name: 'corpus (whole)', input: `the whole hostile corpus, ${corpus.cases.length} cases`, args: audit(corpus.root), expect: [1, 3] });

  const deep = path.join(base, 'deep');
  const depth = await support.deepDirectory(deep, images[0] ?? Buffer.alloc(0));
  list.push({ name: 'deep directory', input: `${depth} nested directories`, args: audit(deep), expect: [0, 1, 3] });
  const flat = path.join(base, 'flat');
  await support.manyEmptyFiles(flat, 100_000);
  list.push({ name: '100,000 empty files', input: '100,000 empty .jpg in one directory', args: audit(flat), expect: [0] });

  // 8 progressive JPEGs over the memory limit (issue: 8 x 590 KB took 4.76 GiB).
  const bigProgressive = await support.progressiveJpeg(10_000, 10_000);
  const over = path.join(base, 'progressive-10k');
  await mkdir(over, { recursive: true });
  for (let i = 0; i < 8; i++) await writeFile(path.join(over, `p${i}.jpg`), bigProgressive);
  list.push({ name: '8 progressive 10000x10000', input: `8 x ${kib(bigProgressive)} KiB, 573 MiB of coefficients each`, args: audit(over), expect: [3], check: coverage('decode-limit', 8) });
  // 8 progressive JPEGs just under it: decoded, one at a time.
  const nearProgressive = await support.progressiveJpeg(7_800, 7_800);
  const near = path.join(base, 'progressive-7800');
  await mkdir(near, { recursive: true });
  for (let i = 0; i < 8; i++) await writeFile(path.join(near, `p${i}.jpg`), nearProgressive);
  list.push({ name: '8 progressive 7800x7800', input: `8 x ${kib(nearProgressive)} KiB, 348 MiB of coefficients each (admitted)`, args: audit(near), expect: [0], check: coverage('decode-limit', 0) });
  // One ~2 MB progressive JPEG repeating a scan (issue: 108-153 s).
  const scans = path.join(base, 'progressive-scans');
  await mkdir(scans, { recursive: true });
  const repeated = support.repeatFirstAcScan(await support.progressiveJpeg(4_000, 4_000), 32_000);
  await writeFile(path.join(scans, 'many-scans.jpg'), repeated);
  const valid = support.longestProgression(await support.progressiveJpeg(5_000, 5_000), 5_000, 5_000);
  await writeFile(path.join(scans, 'longest-progression.jpg'), valid);
  list.push({ name: 'progressive, 2,648 valid scans', input: `${kib(valid)} KiB, 5000x5000, every scan walks the image`, args: audit(scans, '--include', 'longest-progression.jpg'), expect: [3], check: coverage('decode-limit', 1) });
  list.push({ name: 'progressive, 32,000 scans', input: `${kib(repeated)} KiB, 4000x4000`, args: audit(scans, '--include', 'many-scans.jpg'), expect: [3], check: coverage('decode-limit', 1) });
  // 8 sparse 255 MiB .jpg files (issue: 2.18 GiB).
  const sparse = path.join(base, 'sparse');
  await mkdir(sparse, { recursive: true });
  for (let i = 0; i < 8; i++) {
    const file = path.join(sparse, `s${i}.jpg`);
    await writeFile(file, images[0] ?? Buffer.alloc(0));
    await truncate(file, 255 * 2 ** 20);
  }
  list.push({ name: '8 sparse 255 MiB .jpg', input: 'a JPEG head, then zeros (no disk use)', args: audit(sparse), expect: [0, 1, 3] });
  // 2 million malformed checksum rows (issue: 2.54 GiB).
  const rows = path.join(base, 'malformed.sha256');
  await writeRows(rows, 2_000_000);
  list.push({ name: '2,000,000 malformed checksum rows', input: 'sha256sum list, every row but the first malformed', args: audit('-m', rows), expect: [3], check: coverage('manifest-row', 101) });
  // Files named by flags.
  const fifo = path.join(base, 'fp.fifo');
  execFileSync('mkfifo', [fifo]);
  const empty = path.join(base, 'empty');
  await mkdir(empty, { recursive: true });
  const oneLine = (/** @type {string} */ _out, /** @type {string} */ err) => (err.trim().split('\n').length === 1 ? undefined : `stderr has ${err.trim().split('\n').length} lines`);
  list.push({ name: '--fingerprints FIFO', input: 'a FIFO nobody writes', args: ['audit', empty, '-f', fifo], expect: [2], check: oneLine });
  list.push({ name: '--fingerprints /dev/zero', input: 'endless zeros', args: ['audit', empty, '-f', '/dev/zero'], expect: [2], check: oneLine });
  list.push({ name: '--plate-key-file /dev/zero', input: 'endless zeros', args: ['audit', empty, '-f', fingerprintFile, '--plate-key-file', '/dev/zero'], expect: [2], check: oneLine });
  list.push({ name: '--plate-key-file FIFO', input: 'a FIFO nobody writes', args: ['audit', empty, '-f', fingerprintFile, '--plate-key-file', fifo], expect: [2], check: oneLine });
  // A catastrophic marker regex against a hostile EXIF value (issue: past 90 s).
  const redos = path.join(base, 'redos');
  await mkdir(redos, { recursive: true });
  await writeFile(path.join(redos, 'hostile-exif.jpg'), await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).jpeg().withExif({ IFD0: { Artist: `${'a'.repeat(48)}b` } }).toBuffer());
  const policy = path.join(base, 'redos-policy.yaml');
  await writeFile(policy, redosPolicy(fingerprintFile));
  list.push({ name: 'marker regex (a+)+$ on hostile EXIF', input: 'Artist = 48 a and a b', args: ['audit', redos, '--policy', policy, '--format', 'json', '--no-cache', '-q'], expect: [3], check: coverage('metadata-limit', 1) });
  return { cases: list, base };
}

/** @param {string} reason @param {number} count */
function coverage(reason, count) {
  return (/** @type {string} */ stdout) => {
    try {
      const report = JSON.parse(stdout);
      const n = report.coverage.filter((/** @type {{ reason: string }} */ c) => c.reason === reason).length;
      return n === count ? undefined : `${n} ${reason} entries, expected ${count}`;
    } catch {
      return 'no JSON report';
    }
  };
}

/** @param {Buffer} b */
function kib(b) {
  return Math.round(b.length / 1024);
}

/** @param {string} file @param {number} count */
async function writeRows(file, count) {
  const out = createWriteStream(file);
  out.write(`SHA256 (photos/one.jpg) = ${'a'.repeat(64)}\n`);
  const bad = 'z'.repeat(64);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${bad}  ?row-${i}.jpg\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** @param {string} fingerprintFile */
function redosPolicy(fingerprintFile) {
  return [
    'version: 1',
    'contract:',
    '  id: BENCH-1',
    '  title: Hostile bench',
    '  agency: Bench agency',
    '  clauses:',
    '    - id: H.1',
    '      title: Agency images stay in the enclave',
    'assets:',
    `  fingerprints: [${JSON.stringify(fingerprintFile)}]`,
    '  markers:',
    '    - field: Artist',
    '      matches: "^(a+)+$"',
    '      asset: vehicle-image',
    'protocols:',
    '  - id: P-1',
    '    clause: H.1',
    '    title: Location',
    '    severity: high',
    '    require:',
    '      kind: location',
    '',
  ].join('\n');
}

/**
 * Runs one case under GNU time, killed after the timeout.
 * @param {Case} c
 * @returns {Promise<Result>}
 */
async function runCase(c) {
  const timeFile = path.join(work, 'time.txt');
  await rm(timeFile, { force: true });
  const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, process.execPath, cli, ...c.args], {
    cwd: work,
    env: { ...process.env, CUSTODY_PLATE_KEY: PLATE_KEY, ...c.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  /** @type {Buffer[]} */ const out = [];
  /** @type {Buffer[]} */ const err = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  let timedOut = false;
  const started = performance.now();
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, TIMEOUT_S * 1000);
  const [code] = await once(child, 'close');
  clearTimeout(timer);
  const elapsed = (performance.now() - started) / 1000;
  const [wall = elapsed, kibRss = NaN] = existsSync(timeFile) ? (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)?.split(' ').map(Number) ?? [] : [];
  const stdout = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  const problems = [];
  if (timedOut) problems.push(`killed after ${TIMEOUT_S} s`);
  else if (!c.expect.includes(code)) problems.push(`exit ${code}, expected ${c.expect.join('/')}`);
  if (!timedOut && /\n\s+at /.test(stderr)) problems.push('stack trace on stderr');
  const checked = timedOut ? undefined : c.check?.(stdout, stderr);
  if (checked) problems.push(checked);
  const rssMiB = kibRss / 1024;
  if (rssMiB > BUDGET_MIB) problems.push(`peak RSS over the ${BUDGET_MIB} MiB budget`);
  return { name: c.name, input: c.input, code: timedOut ? -1 : code, wall, rssMiB, timedOut, verdict: problems.length === 0 ? 'ok' : 'FAIL', note: problems.join('; ') };
}

/** @param {Result[]} results */
async function writeResults(results) {
  const dir = path.join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const peak = results.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a), results[0] ?? { rssMiB: 0, name: 'none' });
  const slowest = results.reduce((a, b) => (b.wall > a.wall ? b : a), results[0] ?? { wall: 0, name: 'none' });
  const failed = results.filter((r) => r.verdict !== 'ok');
  const env = machine({});
  const lines = [
    '# Hostile-input budget (`npm run bench:hostile`)',
    '',
    `Build measured: ${path.relative(root, cli)}. Each case is one \`custody audit\` process (default settings, \`--no-cache\`), measured by GNU time; budget ${BUDGET_MIB} MiB peak RSS (README "Limits").`,
    `Machine: ${env.nproc} cores (${env.cpu}), ${env.memory}; node ${env.node}; ${env.sharp}; load average ${os.loadavg()[0]?.toFixed(1)} at the end.`,
    '',
    `**Peak RSS: ${Math.round(peak.rssMiB)} MiB** (${peak.name}). **Slowest case: ${slowest.wall.toFixed(1)} s** (${slowest.name}). ${failed.length === 0 ? 'Every case within budget and with its expected outcome.' : `${failed.length} case(s) failed: ${failed.map((f) => f.name).join(', ')}.`}`,
    '',
    '| case | input | exit | wall (s) | peak RSS (MiB) | verdict |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...results.map((r) => `| ${r.name} | ${r.input} | ${r.timedOut ? 'killed' : r.code} | ${r.wall.toFixed(2)} | ${Math.round(r.rssMiB)} | ${r.verdict}${r.note ? `: ${r.note}` : ''} |`),
    '',
  ];
  await writeFile(path.join(dir, `${outName}.md`), lines.join('\n'));
  await writeFile(path.join(dir, `${outName}.json`), `${JSON.stringify({ budgetMiB: BUDGET_MIB, machine: env, peak: { name: peak.name, rssMiB: peak.rssMiB }, slowest: { name: slowest.name, wall: slowest.wall }, results }, null, 2)}\n`);
  console.log(`\npeak RSS ${Math.round(peak.rssMiB)} MiB (${peak.name}); slowest ${slowest.wall.toFixed(1)} s (${slowest.name}); ${failed.length} failed`);
  if (failed.length > 0) process.exitCode = 1;
}
