// @ts-check
/**
 * The bench's plate-scan row, before against after (issue 20: large record files scanned on worker
 * threads): two builds of custody run the row's command on the tree's records folder, alternating
 * with `rg -c '[A-Z0-9]{7}'` over the same files (A rg B A rg B ...), wall and CPU (user+sys) each,
 * medians of the runs; then the reports are compared byte for byte with their times blanked.
 *
 *   node scripts/bench/plate-threads-ab.js <before custody.js> <after custody.js> [runs=3] [out=/tmp/plate-ab]
 *
 * Run it from the repository (it finds the bench tree under bench/work/); it writes only under `out`.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [before, after, runsArg, outArg] = process.argv.slice(2);
if (!before || !after) {
  process.stderr.write('usage: plate-threads-ab.js <before custody.js> <after custody.js> [runs] [out]\n');
  process.exit(2);
}
const runs = Number(runsArg ?? 3);
const out = outArg ?? '/tmp/plate-ab';
await mkdir(out, { recursive: true });
const work = path.join(root, 'bench/work');
const treeName = (await readdir(work)).find((name) => name.startsWith('tree-'));
if (!treeName) throw new Error('no bench tree under bench/work (run scripts/bench.js once)');
const treeDir = path.join(work, treeName);
const tree = JSON.parse(await readFile(path.join(treeDir, 'tree.json'), 'utf8'));
const recordDir = path.join('share', tree.records);
const files = (await readdir(path.join(treeDir, recordDir))).sort().map((f) => path.join(recordDir, f));
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: path.join(out, 'cache') };
delete env['CUSTODY_PLATE_KEY'];

/** @param {string} bin @param {string} report */
const custody = (bin, report) =>
  measure(
    process.execPath,
    [bin, 'audit', recordDir, '--fingerprints', 'out/fp-full.json', '--plate-key-file', path.join(treeDir, 'plate.key'), '--no-archives', '--no-cache', '--authorized', 'enclave/**', '--fail-on', 'none', '--format', 'json', '--output', report],
    { cwd: treeDir, env },
  );

/** @type {Record<string, { wall: number, cpu: number }[]>} */
const results = { before: [], after: [], rg: [] };
for (let run = 0; run < runs; run++) {
  for (const [side, bin] of /** @type {const} */ ([
    ['before', before],
    ['after', after],
  ])) {
    const m = await custody(bin, path.join(out, `${side}-${run}.json`));
    if (m.code !== 0) throw new Error(`${side} exited ${m.code}: ${m.stderr}`);
    results[side]?.push(m);
    const r = await measure('rg', ['-c', '[A-Z0-9]{7}', ...files], { cwd: treeDir });
    results.rg?.push(r);
    process.stderr.write(`run ${run} ${side}: wall ${m.wall.toFixed(2)} cpu ${m.cpu.toFixed(2)}; rg wall ${r.wall.toFixed(2)} cpu ${r.cpu.toFixed(2)} (load ${os.loadavg()[0]?.toFixed(1)})\n`);
  }
}
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const summary = Object.fromEntries(Object.entries(results).map(([side, ms]) => [side, { wall: median(ms.map((m) => m.wall)), cpu: median(ms.map((m) => m.cpu)) }]));
for (const [side, s] of Object.entries(summary)) process.stdout.write(`${side}: median wall ${s.wall.toFixed(2)} s, cpu ${s.cpu.toFixed(2)} s\n`);
const b = summary.before;
const a = summary.after;
const rg = summary.rg;
if (a && b && rg) {
  process.stdout.write(`after/before: wall x${(a.wall / b.wall).toFixed(3)}, cpu x${(a.cpu / b.cpu).toFixed(3)}\n`);
  process.stdout.write(`vs rg wall: before ${(b.wall / rg.wall).toFixed(2)}x, after ${(a.wall / rg.wall).toFixed(2)}x\n`);
}
// Outcomes: every report, times blanked, against the first before-report.
/** @param {string} file */
const blanked = async (file) => {
  const report = JSON.parse(await readFile(path.join(out, file), 'utf8'));
  report.startedAt = '';
  report.finishedAt = '';
  return JSON.stringify(report);
};
const reference = await blanked('before-0.json');
let differ = 0;
for (let run = 0; run < runs; run++) for (const side of ['before', 'after']) if ((await blanked(`${side}-${run}.json`)) !== reference) differ++;
process.stdout.write(`reports differing from before-0 (times blanked): ${differ} of ${2 * runs}\n`);
