#!/usr/bin/env node
// @ts-check
/**
 * Two builds' HammingIndex over the same hashes in one process: CPU per search of each, alternating
 * rounds, and every search's visits (entry and distance, in order) compared, so that a change to the
 * index's layout or loops is measured against its baseline and shown to visit the same entries in
 * the same order. Searches are those a matching thread makes most: 1 bit deep in every chunk
 * (crop grid, trim views, gate) at 63 bits, and the first stage's plan depths at its radius.
 *
 *   node scripts/bench/probe-ab.js --base <dir with dist/> [--hashes 3000000] [--queries 3000] [--repeat 5] [--kinds shallow,plan]
 *
 * Hashes are seeded random, a third of them copies of others with 36-80 bits flipped (as the bench's
 * derived references are); queries are random or a stored hash with 4-40 bits flipped.
 */
import path from 'node:path';
import { arg, cpuMs, distModule, root, xorshift } from './builds.js';

const baseDir = arg('--base');
if (!baseDir) {
  process.stderr.write('usage: probe-ab.js --base <dir with dist/> [--hashes n] [--queries n] [--repeat n]\n');
  process.exit(2);
}
const hashes = Number(arg('--hashes') ?? 3_000_000);
const queries = Number(arg('--queries') ?? 3000);
const repeat = Number(arg('--repeat') ?? 5);
/** `shallow` (1 bit deep), `plan` (the first stage's depths) or both. */
const kinds = (arg('--kinds') ?? 'shallow,plan').split(',');

const next = xorshift(12345);
/** `hash` with `count` random bits flipped (a copy). @param {Uint32Array} hash @param {number} count */
const flipped = (hash, count) => {
  const out = Uint32Array.from(hash);
  for (let b = 0; b < count; b++) {
    const bit = next() % 256;
    out[bit >>> 5] = (/** @type {number} */ (out[bit >>> 5]) ^ (1 << (bit & 31))) >>> 0;
  }
  return out;
};
const pool = new Uint32Array(new SharedArrayBuffer(hashes * 32));
for (let i = 0; i < hashes; i++) {
  if (i % 3 === 2) pool.set(flipped(pool.subarray((i - 1) * 8, i * 8), 36 + (next() % 45)), i * 8);
  else for (let w = 0; w < 8; w++) pool[i * 8 + w] = next();
}
const asks = Array.from({ length: queries }, (_, i) => {
  if (i % 2 === 0) return Uint32Array.from({ length: 8 }, next);
  const at = (next() % hashes) * 8;
  return flipped(pool.subarray(at, at + 8), 4 + (next() % 37));
});

const builds = [];
for (const [name, dir] of [
  ['base', path.resolve(baseDir)],
  ['this', root],
]) {
  const { HammingIndex, buildHammingTables } = await distModule(/** @type {string} */ (dir), 'identify/pdq/hamming-index.js');
  const { searchPlan } = await distModule(/** @type {string} */ (dir), 'identify/pdq/match-settings.js');
  const t = cpuMs();
  const index = new HammingIndex(buildHammingTables(pool));
  process.stderr.write(`${name}: tables ${(cpuMs() - t).toFixed(0)} ms CPU\n`);
  builds.push({ name, index, plan: searchPlan(hashes), ms: /** @type {number[]} */ ([]) });
}

/** Every search of the round, visits as one list per search. @param {any} build */
function round(build) {
  /** @type {number[][]} */
  const visits = [];
  const t = cpuMs();
  for (const q of asks) {
    /** @type {number[]} */
    const shallow = [];
    if (kinds.includes('shallow')) build.index.search(q, 63, (/** @type {number} */ e, /** @type {number} */ d) => shallow.push(e, d), 1);
    /** @type {number[]} */
    const deep = [];
    if (kinds.includes('plan')) build.index.search(q, build.plan.radius, (/** @type {number} */ e, /** @type {number} */ d) => deep.push(e, d), build.plan.depth);
    visits.push(shallow, deep);
  }
  build.ms.push((cpuMs() - t) / queries);
  return visits;
}

let differ = 0;
for (let r = 0; r < repeat; r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0];
  /** @type {number[][][]} */
  const got = [];
  for (const k of order) got[k] = round(builds[k]);
  const a = /** @type {number[][]} */ (got[0]);
  const b = /** @type {number[][]} */ (got[1]);
  const different = a.filter((v, i) => v.join() !== b[i]?.join()).length;
  differ += different;
  process.stdout.write(`round ${r + 1}: base ${builds[0]?.ms[r]?.toFixed(3)} ms, this ${builds[1]?.ms[r]?.toFixed(3)} ms per query; ${different} searches differ\n`);
}
const median = (/** @type {number[]} */ x) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)] ?? 0;
const [base, self] = builds.map((b) => median(b.ms));
process.stdout.write(`median: base ${base?.toFixed(3)} ms, this ${self?.toFixed(3)} ms, ratio ${((self ?? 0) / (base ?? 1)).toFixed(3)}; ${differ} searches differ\n`);
process.exitCode = differ > 0 ? 1 : 0;
