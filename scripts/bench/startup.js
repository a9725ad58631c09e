// @ts-check
/**
 * The benchmark's start-up row: what custody costs before it reads the first byte of a tree.
 *
 *   node scripts/bench/startup.js [--runs <n>]   (alone: prints the figures as JSON)
 *
 * Contenders, each its own process, in alternating rounds so that a burst of load on a shared
 * machine falls on all of them alike; the median of each is kept:
 *   node -e 0                                   Node's own start, the floor
 *   custody --version                           custody's start-up
 *   custody audit <empty dir> --fingerprints    an audit of nothing (the audit's code loaded)
 *   custody audit <1-file tree> --fingerprints  one file walked and identified
 *   custody audit <1-file tree> --policy        the same, with a policy to load and validate
 * The small case is made in a temporary folder: one reference image fingerprinted (exact digests
 * only), the shipped policy pointed at that fingerprint file, and a one-file tree to audit.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, medianRun } from './measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * @typedef {object} Startup
 * @property {import('./measure.js').Measurement} node median `node -e 0`
 * @property {import('./measure.js').Measurement} version median `custody --version`
 * @property {Record<'empty' | 'oneFile' | 'oneFilePolicy', import('./measure.js').Measurement>} audits medians
 * @property {Record<string, number[]>} walls every run's wall time, by contender
 * @property {number} runs
 */

/**
 * Measures start-up, `runs` alternating rounds (5 at least: the median of fewer is one noisy run).
 * @param {{ runs: number, env: NodeJS.ProcessEnv }} options
 * @returns {Promise<Startup>}
 */
export async function measureStartup({ runs, env }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-bench-startup-'));
  try {
    const node = process.execPath;
    const bin = path.join(root, 'bin/custody.js');
    await mkdir(path.join(dir, 'agency'));
    await mkdir(path.join(dir, 'empty'));
    await mkdir(path.join(dir, 'one'));
    await cp(path.join(root, 'fixtures/pdq/bridge-640.jpg'), path.join(dir, 'agency/reference.jpg'));
    await writeFile(path.join(dir, 'one/notes.txt'), 'a file that is not agency data\n');
    // Every audit here keeps no cache: the row is about start-up, not about the re-audit cache.
    const common = ['--no-cache', '--fail-on', 'none', '--format', 'json', '--output'];
    const custody = (/** @type {string[]} */ args) => measure(node, [bin, ...args], { cwd: dir, env });
    const made = await custody(['fingerprint', 'agency', '--out', 'fp.json', '--no-perceptual']);
    if (made.code !== 0) throw new Error(`startup bench: fingerprint failed: ${made.stderr}`);
    const shipped = await readFile(path.join(root, 'policies/border-lane-cameras.yaml'), 'utf8');
    await writeFile(path.join(dir, 'policy.yaml'), shipped.replace('../fixtures/example/generated/agency.fp.json', 'fp.json'));
    const fingerprints = ['--fingerprints', 'fp.json', '--authorized', 'enclave/**'];
    /** @type {Record<string, () => Promise<import('./measure.js').Measurement>>} */
    const contenders = {
      node: () => measure(node, ['-e', '0'], { env }),
      version: () => custody(['--version']),
      empty: () => custody(['audit', 'empty', ...fingerprints, '--allow-empty', ...common, 'empty.json']),
      oneFile: () => custody(['audit', 'one', ...fingerprints, ...common, 'one.json']),
      oneFilePolicy: () => custody(['audit', 'one', '--policy', 'policy.yaml', ...common, 'policy.json']),
    };
    /** @type {Record<string, import('./measure.js').Measurement[]>} */
    const results = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    for (let round = 0; round < runs; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        const m = await run();
        // 0 clean, 1 the shipped policy's findings on the tree: anything else means the case is broken.
        if (m.code !== 0 && m.code !== 1) throw new Error(`startup bench: ${name} exited ${m.code}: ${m.stderr}`);
        results[name]?.push(m);
      }
    }
    const median = (/** @type {string} */ name) => medianRun(results[name] ?? []);
    return {
      node: median('node'),
      version: median('version'),
      audits: { empty: median('empty'), oneFile: median('oneFile'), oneFilePolicy: median('oneFilePolicy') },
      walls: Object.fromEntries(Object.entries(results).map(([name, ms]) => [name, ms.map((m) => m.wall)])),
      runs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The bench table's row for start-up: `custody --version` against `node -e 0`, the audits of an
 * empty and a one-file tree in the note.
 * @param {Startup} s
 * @returns {import('./report.js').Row}
 */
export function startupRow(s) {
  const f = (/** @type {number} */ seconds) => seconds.toFixed(2);
  const { empty, oneFile, oneFilePolicy } = s.audits;
  return {
    name: 'start-up (custody --version)',
    custody: s.version,
    baselineName: 'node -e 0',
    baseline: s.node,
    ratio: `${f(s.version.wall)} s (${f(s.version.wall - s.node.wall)} s over Node)`,
    target: '<= 0.5 s',
    verdict: s.version.wall <= 0.5 ? 'met' : 'missed',
    note:
      `median of ${s.runs} alternating rounds; audit of an empty folder ${f(empty.wall)} s, of a one-file tree ${f(oneFile.wall)} s ` +
      `(with the shipped policy ${f(oneFilePolicy.wall)} s), node -e 0 ${f(s.node.wall)} s; CPU: --version ${f(s.version.cpu)} s, node ${f(s.node.cpu)} s`,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const runs = i >= 0 ? Number(process.argv[i + 1]) : 7;
  const s = await measureStartup({ runs, env: { ...process.env, NO_COLOR: '1' } });
  const row = startupRow(s);
  process.stdout.write(`${JSON.stringify({ ratio: row.ratio, verdict: row.verdict, note: row.note, walls: s.walls }, null, 2)}\n`);
}
