#!/usr/bin/env node
// @ts-check
/**
 * The figure issue 19 names: what the sub-image search adds to whole audits of images with no agency
 * content. Audits the bench share's camera-roll photos that tree.json does not list as planted, with
 * this checkout's build and with a copy of it whose audit skips the sub-image search, alternating
 * (with, without, with, ...), each a fresh process with --no-cache; CPU (user + sys, GNU time) per
 * image, median of the rounds, and the same for an audit of an empty list (the fixed start-up cost).
 *
 * The audit has no switch to turn the search off, and src/ keeps no bench code, so the copy is made
 * here: dist/ copied to a temporary folder, SubImageMatcher.match's one call of the search replaced
 * by `undefined` in the bundle the CLI runs and in the library (the script stops if it is not
 * found), and the bundle's V8 code cache trained again as the build does. Both reports must list the
 * same assets (none claimed by the search on these photos), which the script checks.
 *
 * Build first: npm run build
 * Run:         node scripts/bench/subimage-audit.js [--rounds 3] [--limit 500] [--jobs 1] [--tree DIR] [--build DIR] [--base DIR]
 *              --build DIR: a checkout whose bin/ and dist/ are measured instead of this one's
 *              --base DIR: another checkout (bin/, dist/, package.json; e.g. the build before a change)
 *                audited with its search in the same alternation, so that before and after share one run
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { arg, root, treeFingerprints, unrelatedCameraRoll } from './builds.js';
import { measure } from './measure.js';

const rounds = Number(arg('--rounds') ?? 3);
const limit = Number(arg('--limit') ?? 500);
const jobs = arg('--jobs') ?? '1';
const build = path.resolve(arg('--build') ?? root);
const base = arg('--base');
const { tree, folder, names } = await unrelatedCameraRoll(limit);
const fingerprints = treeFingerprints(tree, 'subimage-audit.js');
const files = names.map((f) => path.join(folder, f));

const tmp = await mkdtemp(path.join(os.tmpdir(), 'custody-subimage-audit-'));
// The build without the search: bin/, package.json, node_modules (linked) and a patched dist/.
const without = path.join(tmp, 'without');
await mkdir(without);
// Dereferenced: a build whose dist/ (or a file in it) is a symlink would otherwise be copied as the
// link, and the patch below would write through it into that build (it once patched a base copy).
await cp(path.join(build, 'dist'), path.join(without, 'dist'), { recursive: true, dereference: true });
await cp(path.join(build, 'bin'), path.join(without, 'bin'), { recursive: true, dereference: true });
await cp(path.join(build, 'package.json'), path.join(without, 'package.json'), { dereference: true });
await symlink(path.join(root, 'node_modules'), path.join(without, 'node_modules'));
// The CLI runs its bundle (dist/bin/custody.cjs, where esbuild may rename the variable) and its
// chunks, not dist/identify/: the call is replaced in every built file that has it.
const call = /const (found\d*) = this\.search\.find\(image\);/g;
let patched = 0;
for (const file of await readdir(path.join(without, 'dist'), { recursive: true })) {
  if (!/\.c?js$/.test(file)) continue;
  const at = path.join(without, 'dist', file);
  const source = await readFile(at, 'utf8');
  if (!call.test(source)) continue;
  await writeFile(at, source.replace(call, 'const $1 = undefined;'));
  patched++;
}
if (patched < 2) throw new Error(`the sub-image search's call was replaced in ${patched} files (the bundle and the library at least); update this script`);
// The patched bundle no longer matches its V8 code cache: train one for it as the build does, so
// both builds start alike (scripts/code-cache.js, run from the copy with the fixtures it uses).
await mkdir(path.join(without, 'scripts'));
await cp(path.join(root, 'scripts', 'code-cache.js'), path.join(without, 'scripts', 'code-cache.js'));
await symlink(path.join(root, 'fixtures'), path.join(without, 'fixtures'));
execFileSync(process.execPath, [path.join(without, 'scripts', 'code-cache.js')], { stdio: 'ignore' });

const list = path.join(tmp, 'files.txt');
await writeFile(list, `${files.join('\n')}\n`);
const empty = path.join(tmp, 'empty.txt');
await writeFile(empty, '');
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NO_COLOR: '1' };
delete env['CUSTODY_PLATE_KEY'];
const args = (/** @type {string} */ from, /** @type {string} */ out) => [
  'audit', '--files-from', from, '--fingerprints', fingerprints, '--plate-key-file', path.join(tree, 'plate.key'),
  '--no-cache', '--jobs', jobs, '--fail-on', 'none', '--format', 'json', '--output', out,
];
/** @type {Record<string, string>} */
const builds = { with: build, without, ...(base && { base: path.resolve(base) }) };
/** @type {Record<string, { audit: number[], empty: number[] }>} */
const cpu = Object.fromEntries(Object.keys(builds).map((k) => [k, { audit: [], empty: [] }]));
/** @type {Record<string, string>} */
const assets = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, dir] of Object.entries(builds)) {
    const out = path.join(tmp, `${name}.json`);
    const run = await measure(process.execPath, [path.join(dir, 'bin', 'custody.js'), ...args(list, out)], { cwd: tmp, env });
    if (run.code !== 0) throw new Error(`${name}: exit ${run.code}: ${run.stderr}`);
    cpu[name]?.audit.push(run.cpu);
    assets[name] = JSON.stringify(JSON.parse(await readFile(out, 'utf8')).assets);
    const idle = await measure(process.execPath, [path.join(dir, 'bin', 'custody.js'), ...args(empty, path.join(tmp, 'empty.json'))], { cwd: tmp, env });
    cpu[name]?.empty.push(idle.cpu);
    process.stderr.write(`round ${r + 1} ${name}: ${run.cpu.toFixed(2)} s CPU (empty list ${idle.cpu.toFixed(2)} s), load ${run.load1.toFixed(1)}\n`);
  }
}
if (Object.values(assets).some((a) => a !== assets['with'])) throw new Error('the audits list different assets');
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const perImage = (/** @type {string} */ k, net = false) => ((median(cpu[k]?.audit ?? []) - (net ? median(cpu[k]?.empty ?? []) : 0)) / files.length) * 1000;
process.stdout.write(`${files.length} unrelated camera-roll photos, --jobs ${jobs}, ${rounds} alternating rounds, assets identical (${JSON.parse(assets['with'] ?? '[]').length})\n`);
for (const k of Object.keys(builds))
  process.stdout.write(`  ${k === 'base' ? 'base, with' : k} the sub-image search: ${perImage(k).toFixed(2)} CPU-ms/image (${perImage(k, true).toFixed(2)} after the empty audit's start-up)\n`);
const ratio = (/** @type {string} */ k) => `${(perImage(k) / perImage('without')).toFixed(3)}x (${(perImage(k, true) / perImage('without', true)).toFixed(3)}x after start-up)`;
process.stdout.write(`  ratio: ${ratio('with')}${base ? `; base: ${ratio('base')}` : ''}\n`);
await rm(tmp, { recursive: true, force: true });
