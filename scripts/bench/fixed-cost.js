#!/usr/bin/env node
// @ts-check
/**
 * An audit's fixed cost, before against after (issue #20): the benchmark's exact-only and warm
 * re-audit rows and an audit of an empty folder, for two builds of custody, in alternating runs.
 *
 *   node scripts/bench/fixed-cost.js --before <dir> --after <dir> [--runs 7] [--out /tmp/fixed-cost]
 *
 * `<dir>` holds a build: bin/custody.js and dist/bin/ (copy a worktree's bin, dist/bin, package.json
 * and a node_modules link to keep a "before"). The bench tree must exist (npm run bench makes it);
 * its fingerprints are made once under --out, with the "before" build, exactly as scripts/bench.js
 * makes them. Each round runs every case with the before build, then the after build (order swapped
 * every other round), so a burst of load on the shared machine falls on both alike; medians of CPU
 * (user + sys, the whole process tree) and wall are compared. Every report is compared with the
 * before build's of the same case, run times taken out: a speed-up that changes an answer fails.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';
import { ensureTree, FULL } from './tree.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {string | undefined} */ fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const before = path.resolve(option('--before', '') ?? '');
const after = path.resolve(option('--after', root) ?? root);
const runs = Number(option('--runs', '7'));
const out = path.resolve(option('--out', path.join(os.tmpdir(), 'custody-fixed-cost')) ?? '');
if (!option('--before', undefined)) {
  process.stderr.write('usage: fixed-cost.js --before <dir> [--after <dir>] [--runs n] [--out dir]\n');
  process.exit(2);
}
const { dir: tree, imageSubset } = await ensureTree(path.join(root, 'bench/work'), FULL, (line) => process.stderr.write(`fixed-cost: ${line}\n`));
const jobs = Math.max(4, os.availableParallelism() * 4);
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NO_COLOR: '1' };
delete env['CUSTODY_PLATE_KEY'];
env['XDG_CACHE_HOME'] = await mkdtemp(path.join(os.tmpdir(), 'custody-fixed-cost-xdg-'));
await mkdir(path.join(out, 'empty'), { recursive: true });
const custody = (/** @type {string} */ build, /** @type {string[]} */ args) => measure(process.execPath, [path.join(build, 'bin/custody.js'), ...args], { cwd: tree, env });
const key = ['--plate-key-file', 'plate.key'];
const report = (/** @type {string} */ file) => ['--authorized', 'enclave/**', '--fail-on', 'none', '--format', 'json', '--output', file];
const fpExact = path.join(out, 'fp-exact.json');
const fpFull = path.join(out, 'fp-full.json');
for (const args of [
  ['fingerprint', 'agency', '--out', fpExact, '--no-perceptual', '--exclude', 'plate-reads/**'],
  ['fingerprint', 'agency', '--out', fpFull, ...key, '--class', 'vehicles/**=vehicle-image', '--class', 'plates/**=plate-image', '--class', 'travelers/**=traveler-image'],
]) {
  const made = await custody(before, args);
  if (made.code !== 0) throw new Error(`fingerprint failed: ${made.stderr}`);
}
const subset = path.join('share', imageSubset);
const warmArgs = (/** @type {string} */ cache, /** @type {string} */ file) => ['audit', subset, '--fingerprints', fpFull, ...key, '--no-archives', '--jobs', String(jobs), '--cache', cache, ...report(file)];
// Each build's warm cache is made once by a cold run of that build (its code digest keys the cache).
/** @type {Record<string, string>} */
const warmCache = {};
for (const [name, build] of /** @type {const} */ ([['before', before], ['after', after]])) {
  const cache = path.join(out, `warm-cache-${name}`);
  warmCache[name] = cache;
  await rm(cache, { recursive: true, force: true });
  const cold = await custody(build, warmArgs(cache, path.join(out, `cold-${name}.json`)));
  if (cold.code !== 0) throw new Error(`cold audit failed (${name}): ${cold.stderr}`);
}

/** @type {Record<string, (build: string, name: string) => Promise<import('./measure.js').Measurement>>} */
const cases = {
  empty: (build, name) => custody(build, ['audit', path.join(out, 'empty'), '--fingerprints', fpExact, '--allow-empty', '--no-cache', ...report(path.join(out, `empty-${name}.json`))]),
  exact: async (build, name) => {
    const cold = await mkdtemp(path.join(os.tmpdir(), 'custody-fixed-cost-exact-'));
    try {
      return await custody(build, ['audit', 'share', '--fingerprints', fpExact, '--no-archives', '--cache', cold, ...report(path.join(out, `exact-${name}.json`))]);
    } finally {
      await rm(cold, { recursive: true, force: true });
    }
  },
  warm: (build, name) => custody(build, warmArgs(warmCache[name] ?? '', path.join(out, `warm-${name}.json`))),
};
const withoutTimes = async (/** @type {string} */ file) => JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), startedAt: undefined, finishedAt: undefined });
/** @type {Record<string, { cpu: number[], wall: number[] }>} */
const results = {};
let identical = true;
for (let round = 0; round < runs; round++) {
  const order = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  for (const [name, run] of Object.entries(cases)) {
    for (const side of order) {
      const m = await run(side === 'before' ? before : after, side);
      if (m.code !== 0 && m.code !== 1) throw new Error(`${name} (${side}) exited ${m.code}: ${m.stderr}`);
      const entry = (results[`${name} ${side}`] ??= { cpu: [], wall: [] });
      entry.cpu.push(m.cpu);
      entry.wall.push(m.wall);
    }
    const same = (await withoutTimes(path.join(out, `${name}-before.json`))) === (await withoutTimes(path.join(out, `${name}-after.json`)));
    if (!same) process.stderr.write(`fixed-cost: ${name} reports DIFFER (round ${round + 1})\n`);
    identical &&= same;
  }
}
const coldSame = (await withoutTimes(path.join(out, 'cold-after.json'))) === (await withoutTimes(path.join(out, 'warm-after.json')));
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const lines = [`fixed cost, ${runs} alternating rounds, load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} at end`];
for (const name of Object.keys(cases)) {
  const b = results[`${name} before`];
  const a = results[`${name} after`];
  if (!a || !b) continue;
  const [bc, ac, bw, aw] = [median(b.cpu), median(a.cpu), median(b.wall), median(a.wall)];
  lines.push(`${name.padEnd(6)} CPU ${bc.toFixed(3)} -> ${ac.toFixed(3)} s (${(bc / ac).toFixed(2)}x)  wall ${bw.toFixed(3)} -> ${aw.toFixed(3)} s (${(bw / aw).toFixed(2)}x)`);
}
lines.push(`reports before/after identical apart from run times: ${identical ? 'yes' : 'NO'}; after's warm report equals its cold one: ${coldSame ? 'yes' : 'NO'}`);
process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(results)}\n`);
await rm(env['XDG_CACHE_HOME'], { recursive: true, force: true });
