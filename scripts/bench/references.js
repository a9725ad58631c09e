#!/usr/bin/env node
// @ts-check
/**
 * The agency-scale reference-set rows of `npm run bench:scale` (issue #17 targets), in one run so
 * that every ratio shares its conditions.
 *
 *   node scripts/bench/references.js [--refs <n>] [--refs-10m <n>] [--no-10m] [--plates <n>]
 *        [--plates-small <n>] [--jobs <n>] [--seed <n>] [--quick] [--no-robustness] [--robustness-per-kind <n>]
 *        [--robustness-hard <n>] [--image-rounds <n>] [--results <name>]
 *   node scripts/bench/references.js --render   (the Markdown again from the last run's JSON)
 *   (npm run bench:scale -- --references-only passes its arguments here)
 *
 * On the main bench's share (scripts/bench/tree.js, full size unless --quick), each measured as its
 * own process (scripts/bench/measure.js: wall, CPU, peak RSS):
 *   - `custody fingerprint` of the agency folder (references per second per CPU-second), whose set
 *     (~150 real references) every store below starts from;
 *   - stores of --refs (1,000,000) and --refs-10m (10,000,000) references: the real ones plus
 *     synthetic distractors (scripts/bench/distractors.js), cached under bench/work/references/;
 *   - store load alone (dist's loadFingerprints) for each set;
 *   - `custody audit` of the share's image subset (photos/camera-roll) with each set: per-image
 *     cost against the real set's, and whether the same planted copies are found; the sets'
 *     loads and audits alternate over --image-rounds rounds (3; 1 with --quick), medians reported;
 *   - the robustness bench (scripts/bench/robustness.js) without and with --refs distractors derived
 *     from its own references: recall and precision;
 *   - the plate scan of the share's large records with --plates-small (500) and --plates (10,000,000)
 *     digests, the real agency digests among them: MB/s and peak RSS.
 * Writes bench/results/scale-references.md and .json (--results <name>: <name>.md and .json, so that
 * a partial run, e.g. --no-10m, does not replace the whole run's page) and prints the table. Needs a build, and disk
 * for the cached stores: ~890 bytes per reference (the bench's references carry 20 PDQ views each),
 * so ~0.9 GB at 1M (twice: the robustness bench has its own) and ~9 GB at 10M; 32 bytes per plate
 * digest. A step that fails (a crash, or a set too large for this build) is recorded as failed in
 * its row and the run goes on; the run then exits 1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedStore, DISTRACTOR_PREFIX, distractorSource, plateSetOf, writeStoreFile } from './distractors.js';
import { measure, measureMethod } from './measure.js';
import { targetRows, toMarkdown } from './references-report.js';
import { machine } from './report.js';
import { ensureTree, FULL, QUICK } from './tree.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const log = (/** @type {string} */ line) => process.stderr.write(`bench:references: ${line}\n`);
const readJson = async (/** @type {string} */ file) => JSON.parse(await readFile(file, 'utf8'));
// Store builds (10 million plate digests are strings until the writer sorts them) and the robustness
// bench's workers get room; the load step and the audits get node's default heap, as custody does.
const BIG_HEAP = '--max-old-space-size=8192';
// Alternating rounds of the two plate scans (and their empty-tree audits); each figure is the median.
const PLATE_ROUNDS = 3;

if (argv[0] === '--step') await step(argv[1] ?? '', argv.slice(2));
else if (argv[0] === '--render') await render();
else await main();

/** The results' file name under bench/results/, without extension (--results). */
function resultsName() {
  const i = argv.indexOf('--results');
  const name = i >= 0 ? (argv[i + 1] ?? '') : 'scale-references';
  if (!/^[\w.-]+$/.test(name)) throw new Error(`--results takes a file name, not ${JSON.stringify(name)}`);
  return name;
}

/** The Markdown again from the last run's JSON (after a change to the page's layout). */
async function render() {
  const results = path.join(root, 'bench/results', resultsName());
  const result = await readJson(`${results}.json`);
  const md = toMarkdown(result, targetRows(result), resultsName());
  await writeFile(`${results}.md`, md);
  process.stdout.write(md);
}

/** One child-process step; prints one JSON line. @param {string} name @param {string[]} args */
async function step(name, args) {
  const started = performance.now();
  const [file = '', count = '0', seed = '0', out = ''] = args;
  if (name === 'load') {
    const { loadFingerprints } = await import('../../dist/references/load.js');
    const loading = performance.now(); // the store's load alone, not importing custody's modules
    const index = await loadFingerprints([file]);
    const ms = performance.now() - loading;
    // What an audit then builds before its first image: the perceptual index (shared by its threads).
    const { buildPdqIndex } = await import('../../dist/identify/pdq/pdq-index.js');
    const building = performance.now();
    const pdq = buildPdqIndex(index.columns, index.tables, index.viewFile);
    const indexMs = performance.now() - building;
    const line = { ms, indexMs, entries: pdq.entryView.length, references: index.count, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  if (name === 'audit') {
    // custody's audit (the library's auditWith, which the CLI calls with the same options), in this
    // process, so that its threads can be told apart. The store is loaded before the first image
    // (its reads run on libuv's pool: 5 CPU-s off the main thread at ten million references), so the
    // split starts when the first image is done: from then on the main thread walks, builds the index
    // (on the first match) and dispatches, and every other thread (matching threads, decoders, file
    // reads, V8's helpers) works on images. Started by the runner in the environment custody would
    // relaunch itself in (huge pages for a large store). Writes the report as `--format json` does.
    const [cwd = '', store = '', subset = '', jobs = '8', report = ''] = args;
    const { auditWith, renderReport } = await import('../../dist/index.js');
    const before = threadTicks();
    /** @type {{ process: number, main: number } | undefined} */
    let scanning;
    const audit = await auditWith({
      cwd,
      roots: [subset],
      fingerprints: [store],
      plateKeyFile: 'plate.key',
      archives: false,
      jobs: Number(jobs),
      authorized: ['enclave/**'],
      progress: { onItem: () => void (scanning ??= threadTicks()) },
    });
    const after = threadTicks();
    await writeFile(report, renderReport('json', audit));
    const offMain = (/** @type {{ process: number, main: number }} */ t) => t.process - t.main;
    const line =
      after && before && scanning
        ? { processCpu: after.process - before.process, mainCpu: after.main - before.main, offMainCpu: offMain(after) - offMain(scanning), offMainBeforeScan: offMain(scanning) - offMain(before) }
        : {};
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  const set = await readJson(file);
  const made =
    name === 'build-refs'
      ? await writeStoreFile(out, distractorSource(set.references, Number(count), Number(seed)), set.plates)
      : await writeStoreFile(out, () => set.references, plateSetOf(set.plates, Number(count), Number(seed)));
  process.stdout.write(`${JSON.stringify({ ...made, seconds: (performance.now() - started) / 1000 })}\n`);
}

/** The kernel's clock ticks per second (USER_HZ), in which /proc counts CPU time (a function: steps run before module constants are set). */
function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * CPU seconds (user + system) of this whole process, threads that ended included, and of its main
 * thread alone, from the kernel's per-process and per-thread counters (Linux; undefined elsewhere).
 * Both are counted in clock ticks, so their difference is the other threads' CPU.
 */
function threadTicks() {
  const hz = clockTicks();
  const ticks = (/** @type {string} */ file) => {
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / hz; // utime, stime: fields 14 and 15 of proc(5)
  };
  try {
    return { process: ticks('/proc/self/stat'), main: ticks('/proc/thread-self/stat') };
  } catch {
    return undefined;
  }
}

async function main() {
  const option = (/** @type {string} */ name, /** @type {number} */ fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const quick = argv.includes('--quick');
  const sizes = {
    refs: option('--refs', 1_000_000),
    refs10m: argv.includes('--no-10m') ? 0 : option('--refs-10m', 10_000_000),
    plates: option('--plates', 10_000_000),
    platesSmall: option('--plates-small', 500),
  };
  const seed = option('--seed', 17);
  const imageRounds = option('--image-rounds', quick ? 1 : 3);
  const jobs = option('--jobs', Math.max(4, os.availableParallelism() * 4)); // as the main bench's image row
  // robustness.js's own defaults (--quick: 4 and 20).
  const robustnessSize = ['--per-kind', String(option('--robustness-per-kind', quick ? 4 : 10)), '--hard', String(option('--robustness-hard', quick ? 20 : 100))];
  if (!existsSync(path.join(root, 'dist/references/store-write.js'))) {
    log('dist/ is missing: build first with "npx tsc -p tsconfig.build.json"');
    process.exit(2);
  }
  const { hugePageEnvironment, processFacts } = await import('../../dist/cli/relaunch.js');
  os.setPriority(Math.max(os.getPriority(), 10)); // every child inherits it: the machine is shared
  const description = { ...machine({}), nice: os.getPriority() };
  const tree = await ensureTree(path.join(root, 'bench/work'), quick ? QUICK : FULL, log);
  const storeDir = path.join(root, 'bench/work/references');
  const out = path.join(tree.dir, 'out');
  await mkdir(out, { recursive: true });
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, NO_COLOR: '1' };
  delete env['CUSTODY_PLATE_KEY']; // the key comes from the tree's key file, never from the caller
  const custody = (/** @type {string[]} */ args) => measure(process.execPath, [path.join(root, 'bin/custody.js'), ...args], { cwd: tree.dir, env });
  const child = (/** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ stepEnv = env) =>
    measure(process.execPath, [...(args[0] === 'load' || args[0] === 'audit' ? [] : [BIG_HEAP]), self, '--step', ...args], { cwd: root, env: stepEnv });
  /** @type {Record<string, any>} */
  const rows = {};

  // (g) Fingerprinting, which also makes the real set every store starts from.
  log(`fingerprinting ${tree.stats.references} agency references ...`);
  const fpFile = path.join(out, 'fp-refs.json');
  const fp = await custody(['fingerprint', 'agency', '--out', fpFile, '--plate-key-file', 'plate.key', '--class', 'vehicles/**=vehicle-image', '--class', 'plates/**=plate-image', '--class', 'travelers/**=traveler-image']);
  if (fp.code !== 0) throw new Error(`custody fingerprint failed (exit ${fp.code}): ${fp.stderr.trim()}`);
  const real = await readJson(fpFile);
  const images = real.references.filter((/** @type {any} */ r) => r.pdq?.length).length;
  rows.fingerprint = { run: strip(fp), references: real.references.length, images, perSecond: real.references.length / fp.wall, perCpuSecond: real.references.length / fp.cpu };

  /** A cached store, built by a measured child step when missing. @param {'refs' | 'plates'} kind @param {number} count @param {string} base @param {string} digest */
  const store = (kind, count, base, digest) =>
    cachedStore({ dir: storeDir, kind, count, seed, realDigest: digest }, async (file) => {
      log(`writing a store of ${count.toLocaleString('en')} ${kind === 'refs' ? 'synthetic references' : 'plate digests'} ...`);
      const m = await child([kind === 'refs' ? 'build-refs' : 'build-plates', base, String(count), String(seed), file]);
      if (m.code !== 0) throw new Error(`building ${file} failed: ${lastLines(m)}`);
      return { ...JSON.parse(m.stdout.trim()), wall: m.wall, rssMiB: m.rssMiB };
    });
  const refsStore = await store('refs', sizes.refs, fpFile, real.digest);
  /** @type {Record<string, import('./distractors.js').BuiltStore | { file: string }>} */
  const sets = { real: { file: fpFile }, refs: refsStore };
  if (sizes.refs10m > 0) sets['refs10m'] = await store('refs', sizes.refs10m, fpFile, real.digest);
  const plateStores = { small: await store('plates', sizes.platesSmall, fpFile, real.digest), large: await store('plates', sizes.plates, fpFile, real.digest) };

  // (d) Store load alone; (a)-(c) the image subset audited with each set.
  const subset = path.join('share', tree.imageSubset);
  const planted = [...tree.planted.exact, ...tree.planted.transformed].filter((p) => p.startsWith(`${tree.imageSubset}/`));
  /** @type {Set<string> | undefined} */
  let realAssets;
  // The sets alternate over imageRounds rounds (one set's audits in a burst of machine load would
  // otherwise decide its ratio alone); each figure is the median of its set's rounds.
  /** @type {Record<string, { loads: import('./measure.js').Measurement[], audits: import('./measure.js').Measurement[] }>} */
  const runsOf = Object.fromEntries(Object.keys(sets).map((name) => [name, { loads: [], audits: [] }]));
  for (let round = 1; round <= imageRounds; round++) {
    for (const [name, set] of Object.entries(sets)) {
      log(`round ${round}/${imageRounds}: loading and auditing with the ${name} set (load ${os.loadavg()[0]?.toFixed(2)}) ...`);
      const runs = /** @type {{ loads: import('./measure.js').Measurement[], audits: import('./measure.js').Measurement[] }} */ (runsOf[name]);
      // The load step in the environment the audit's custody runs in (relaunched with huge pages
      // for a large store, src/cli/relaunch.ts), so that the audit less the load is matching alone.
      const audited = hugePageEnvironment(processFacts(['audit', subset, '--fingerprints', set.file], env, tree.dir)) ?? env;
      runs.loads.push(await child(['load', set.file], audited));
      const report = path.join(out, `refs-audit-${name}${round === 1 ? '' : `-${round}`}.json`);
      runs.audits.push(await child(['audit', tree.dir, set.file, subset, String(jobs), report], audited));
    }
  }
  for (const [name, set] of Object.entries(sets)) {
    const { loads, audits } = /** @type {{ loads: import('./measure.js').Measurement[], audits: import('./measure.js').Measurement[] }} */ (runsOf[name]);
    const failedLoad = loads.find((m) => m.code !== 0);
    const failedAudit = audits.find((m) => m.code !== 0);
    const report = path.join(out, `refs-audit-${name}.json`);
    const found = failedAudit ? undefined : await assetsFound(report, planted, tree.imageSubset);
    // Every round must find the same assets: a difference would be a nondeterministic matcher.
    for (let round = 2; found && round <= imageRounds; round++) {
      const again = await assetsFound(path.join(out, `refs-audit-${name}-${round}.json`), planted, tree.imageSubset);
      if ([...again.assets].join('\n') !== [...found.assets].join('\n')) throw new Error(`the ${name} set's round ${round} found other assets than its round 1`);
    }
    realAssets ??= found?.assets;
    const inProcess = (/** @type {string} */ key) => median(loads.map((m) => JSON.parse(m.stdout.trim())[key]));
    rows[name] = {
      set: 'bytes' in set ? { ...set, file: path.relative(root, set.file) } : { file: path.relative(root, set.file), references: real.references.length },
      load: failedLoad
        ? { run: strip(failedLoad), error: lastLines(failedLoad) }
        : { run: medianRun(loads), ...JSON.parse(/** @type {import('./measure.js').Measurement} */ (loads[0]).stdout.trim()), ms: inProcess('ms'), indexMs: inProcess('indexMs') },
      audit: failedAudit ? { run: strip(failedAudit), error: lastLines(failedAudit) } : { run: medianRun(audits), ...threadsOf(audits) },
      rounds: audits.map((a, i) => ({ auditCpu: a.cpu, loadCpu: /** @type {import('./measure.js').Measurement} */ (loads[i]).cpu, ...threadsOf([a]), load1: a.load1 })),
      ...(found && {
        images: found.filesSeen, plantedFound: found.plantedFound, planted: planted.length, distractorHits: found.distractorHits,
        lost: realAssets ? [...realAssets].filter((a) => !found.assets.has(a)) : [], gained: realAssets ? [...found.assets].filter((a) => !realAssets?.has(a)) : [],
      }),
    };
    for (const lost of rows[name].lost ?? []) log(`  ${name}: lost ${lost}`);
  }

  // (f) Plate scan of the large records with few and with millions of digests. The scan's own cost is
  // the audit's minus that of the same audit of an empty tree with the same store (start-up, store
  // load and report: a fixed cost per audit, reported apart), as the matching rows subtract the load;
  // the two sets alternate over PLATE_ROUNDS rounds and each figure is the median.
  const recordDir = path.join('share', tree.records);
  let recordBytes = 0;
  for (const f of await readdir(path.join(tree.dir, recordDir))) recordBytes += (await stat(path.join(tree.dir, recordDir, f))).size;
  const emptyDir = path.join(out, 'empty-share');
  await mkdir(emptyDir, { recursive: true });
  // One small file without plates: an audit of nothing at all is incomplete (exit 3) by design.
  await writeFile(path.join(emptyDir, 'notes.txt'), 'Handover notes: nothing to declare.\n');
  /** @type {Record<string, { scans: import('./measure.js').Measurement[], empties: import('./measure.js').Measurement[], report: string }>} */
  const plateRuns = {};
  for (let round = 0; round < PLATE_ROUNDS; round++) {
    for (const [name, set] of Object.entries(plateStores)) {
      log(`plate scan with the ${name} plate set (${set.plates.toLocaleString('en')} digests), round ${round + 1} of ${PLATE_ROUNDS} ...`);
      const runs = (plateRuns[name] ??= { scans: [], empties: [], report: path.join(out, `refs-plates-${name}.json`) });
      const plateAudit = (/** @type {string} */ dir, /** @type {string} */ report) =>
        custody(['audit', dir, '--fingerprints', set.file, '--plate-key-file', 'plate.key', '--no-archives', '--no-cache', '--authorized', 'enclave/**', '--fail-on', 'none', '--format', 'json', '--output', report]);
      runs.empties.push(await plateAudit(emptyDir, path.join(out, `refs-plates-${name}-empty.json`)));
      runs.scans.push(await plateAudit(recordDir, runs.report));
    }
  }
  for (const [name, set] of Object.entries(plateStores)) {
    const { scans, empties, report } = plateRuns[name] ?? { scans: [], empties: [], report: '' };
    const failed = [...scans, ...empties].find((m) => m.code !== 0);
    const scan = medianRun(scans);
    const fixedCost = medianRun(empties);
    const assets = failed ? undefined : (await readJson(report)).assets.length;
    rows[`plates-${name}`] = {
      set: { ...set, file: path.relative(root, set.file) },
      run: scan,
      fixed: fixedCost,
      rounds: scans.length,
      bytes: recordBytes,
      mbPerSecond: recordBytes / 1e6 / scan.wall,
      scanCpu: scan.cpu - fixedCost.cpu,
      scanWall: scan.wall - fixedCost.wall,
      assets,
      ...(failed ? { error: lastLines(failed) } : {}),
    };
  }

  // (e) The robustness bench without and with distractors derived from its own references, then with
  // the 1M set's store itself (derived from other references: nothing near a copy's own reference).
  if (!argv.includes('--no-robustness')) rows.robustness = await robustness(storeDir, sizes.refs, seed, robustnessSize, child, refsStore.file);

  const result = { date: new Date().toISOString(), quick, sizes, seed, jobs, imageRounds, measureMethod: measureMethod(), machine: description, loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))), subset, rows };
  const targets = targetRows(result);
  const results = path.join(root, 'bench/results', resultsName());
  await mkdir(path.dirname(results), { recursive: true });
  await writeFile(`${results}.json`, `${JSON.stringify({ ...result, targets }, null, 2)}\n`);
  const md = toMarkdown(result, targets, resultsName());
  await writeFile(`${results}.md`, md);
  process.stdout.write(md);
  log(`wrote ${path.relative(root, results)}.md and .json`);
  // A missed target is a finding; a step that did not run to the end is a broken bench.
  if (targets.some((t) => t.verdict === 'failed')) process.exitCode = 1;
}

/**
 * Robustness recall and precision without and with `count` distractors derived from the bench's own
 * references (the main bench's references are other images: they would not be near its queries).
 * @param {string} storeDir @param {number} count @param {number} seed @param {string[]} options robustness.js's size options
 * @param {(args: string[]) => Promise<import('./measure.js').Measurement>} child
 * @param {string} unrelated a store of as many references derived from other images (the --refs set's):
 *   its distractors are near none of the bench's references, so no near-duplicate opens a deeper probe
 *   or passes a region through the gate, as the derived ones always do (a reviewer's finding).
 */
async function robustness(storeDir, count, seed, options, child, unrelated) {
  const script = path.join(root, 'scripts/bench/robustness.js');
  const run = (/** @type {string[]} */ args) => measure(process.execPath, [BIG_HEAP, script, ...options, ...args], { cwd: root });
  const refsFile = path.join(storeDir, `robustness-refs-${options.join('')}.json`);
  log('fingerprinting the robustness references ...');
  const made = await run(['--references-out', refsFile]);
  if (made.code !== 0) throw new Error(`robustness --references-out failed: ${lastLines(made)}`);
  const base = await readJson(refsFile);
  const built = await cachedStore({ dir: storeDir, kind: 'refs', count, seed, realDigest: base.digest }, async (file) => {
    log(`writing a store of ${count.toLocaleString('en')} distractors of the robustness references ...`);
    const m = await child(['build-refs', refsFile, String(count), String(seed), file]);
    if (m.code !== 0) throw new Error(`building ${file} failed: ${lastLines(m)}`);
    return JSON.parse(m.stdout.trim());
  });
  /** @type {Record<string, any>} */
  const runs = {};
  for (const [name, extra] of /** @type {const} */ ([['without', []], ['with', ['--distractors', built.file]], ['unrelated', ['--distractors', unrelated]]])) {
    log(`robustness bench ${name} distractors (load ${os.loadavg()[0]?.toFixed(2)}) ...`);
    const file = path.join(storeDir, `robustness-${name}.json`);
    const m = await run(['--out', file, ...extra]);
    // Exit 1 means a robustness target was missed: the figures still stand.
    const r = m.code <= 1 && existsSync(file) ? await readJson(file) : undefined;
    runs[name] = r
      ? {
          run: strip(m),
          recall: r.targets.overallRecall.value,
          precision: r.targets.precision.value,
          classRecall: Object.fromEntries(r.byClass.classes.map((/** @type {any} */ c) => [c.class, c.recall])),
          misses: r.misses.length,
          // The audit's own matcher at its thresholds (robustness-audit.js), which probes a large index shallower.
          audit: { recall: r.audit.recall, precision: r.audit.precision, misses: r.audit.misses.length, missed: r.audit.misses.map((/** @type {any} */ x) => `${x.case}/${x.kind}`) },
          cpuSecondsPerImage: r.throughput.cpuSecondsPerImage,
          queries: r.throughput.queries,
        }
      : { run: strip(m), error: lastLines(m) };
  }
  return { options: options.join(' '), store: { ...built, file: path.relative(root, built.file) }, unrelatedStore: path.relative(root, unrelated), ...runs };
}

/**
 * What an audit's JSON report found: assets as `location reference`, planted copies found, and hits on distractors.
 * @param {string} file @param {readonly string[]} planted @param {string} subset
 */
async function assetsFound(file, planted, subset) {
  /** @type {import('../../src/report/model.js').Report} */
  const report = await readJson(file);
  const locations = new Set(report.assets.map((a) => a.location));
  return {
    filesSeen: report.summary.filesSeen,
    assets: new Set(report.assets.map((a) => `${a.location} ${a.reference ?? '-'}`)),
    plantedFound: planted.filter((p) => locations.has(p.slice(subset.length + 1)) || locations.has(p)).length,
    distractorHits: report.assets.filter((a) => a.reference?.startsWith(DISTRACTOR_PREFIX)).length,
  };
}

/**
 * The in-process audit step's thread split (see `threadTicks`), medians over its runs: `mainCpu`, the
 * main thread's CPU over the whole audit; `offMainCpu`, every other thread's from the first image done
 * to the end (images: matching threads, decoders, reads); `offMainBeforeScan`, theirs before it (the
 * store's reads). Empty without /proc, or when a run failed (its row says so).
 * @param {import('./measure.js').Measurement[]} runs
 */
function threadsOf(runs) {
  const lines = runs.map((m) => {
    try {
      return m.code === 0 ? JSON.parse(m.stdout.trim().split('\n').at(-1) || '{}') : {};
    } catch {
      return {};
    }
  });
  if (lines.length === 0 || lines.some((l) => l.offMainCpu === undefined)) return {};
  return { mainCpu: median(lines.map((l) => l.mainCpu)), offMainCpu: median(lines.map((l) => l.offMainCpu)), offMainBeforeScan: median(lines.map((l) => l.offMainBeforeScan)) };
}

/** @param {import('./measure.js').Measurement} m */
function strip(m) {
  return { wall: m.wall, cpu: m.cpu, rssMiB: m.rssMiB, code: m.code, load1: m.load1 };
}

/** Each figure of {@link strip} the median over the runs (the runs of one step, alternated with another's). @param {import('./measure.js').Measurement[]} runs */
function medianRun(runs) {
  return { wall: median(runs.map((m) => m.wall)), cpu: median(runs.map((m) => m.cpu)), rssMiB: Math.max(...runs.map((m) => m.rssMiB)), code: Math.max(...runs.map((m) => m.code)), load1: median(runs.map((m) => m.load1)) };
}

/** The median of some figures (the upper one of an even count). @param {number[]} v */
function median(v) {
  return [...v].sort((a, b) => a - b)[v.length >> 1] ?? Number.NaN;
}

/** @param {import('./measure.js').Measurement} m */
function lastLines(m) {
  return `exit ${m.code}: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`;
}
