#!/usr/bin/env node
// @ts-check
/**
 * Two builds of the perceptual index build (buildPdqIndex: entry list, hash pool, chunk tables) over
 * one loaded reference set, in one process: CPU time of each, alternating which goes first, and
 * their indexes compared byte for byte (entryView, pool, every chunk's starts and members), so a
 * speed change to the build is measured against its baseline and shown to build the same index.
 *
 *   node scripts/bench/index-ab.js --base <dir with dist/> --set <store> [--repeat 3]
 *
 * Both indexes of a pair are alive at once: at ten million references that is ~6 GB besides the
 * set (~2.4 GB).
 */
import path from 'node:path';
import { arg, cpuMs, distModule, root } from './builds.js';

const baseDir = arg('--base');
const setFile = arg('--set');
if (!baseDir || !setFile) {
  process.stderr.write('usage: index-ab.js --base <dir with dist/> --set <store> [--repeat n]\n');
  process.exit(2);
}
const repeat = Number(arg('--repeat') ?? 3);
const { loadFingerprints } = await distModule(root, 'references/load.js');
const builds = [
  { name: 'base', build: (await distModule(path.resolve(baseDir), 'identify/pdq/pdq-index.js')).buildPdqIndex, ms: /** @type {number[]} */ ([]) },
  { name: 'this', build: (await distModule(root, 'identify/pdq/pdq-index.js')).buildPdqIndex, ms: /** @type {number[]} */ ([]) },
];
const set = await loadFingerprints([setFile]);
const bytes = (/** @type {ArrayBufferView} */ a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
/** @param {any} a @param {any} b */
const sameIndex = (a, b) =>
  a.core === b.core &&
  bytes(a.entryView).equals(bytes(b.entryView)) &&
  bytes(a.hamming.pool).equals(bytes(b.hamming.pool)) &&
  a.hamming.starts.every((/** @type {Uint32Array} */ s, /** @type {number} */ c) => bytes(s).equals(bytes(b.hamming.starts[c]))) &&
  a.hamming.members.every((/** @type {Uint32Array} */ m, /** @type {number} */ c) => bytes(m).equals(bytes(b.hamming.members[c])));
let differ = 0;
for (let r = 0; r < repeat; r++) {
  /** @type {any[]} */
  const made = [];
  // Which build goes first alternates: the first of a pair may pay for memory the second reuses.
  for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
    const t = cpuMs();
    made[k] = builds[k]?.build(set.columns, set.tables, set.viewFile);
    builds[k]?.ms.push(cpuMs() - t);
  }
  const same = sameIndex(made[0], made[1]);
  if (!same) differ++;
  process.stdout.write(`run ${r + 1}: base ${builds[0]?.ms[r]?.toFixed(0)} ms, this ${builds[1]?.ms[r]?.toFixed(0)} ms CPU; indexes ${same ? 'identical' : 'DIFFER'}\n`);
}
const median = (/** @type {number[]} */ x) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)] ?? 0;
const [base, self] = builds.map((b) => median(b.ms));
process.stdout.write(`median CPU: base ${base?.toFixed(0)} ms, this ${self?.toFixed(0)} ms, ratio ${((self ?? 0) / (base ?? 1)).toFixed(3)}; ${differ} runs with different indexes\n`);
process.exitCode = differ > 0 ? 1 : 0;
