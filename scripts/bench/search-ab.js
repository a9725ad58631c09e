#!/usr/bin/env node
// @ts-check
/**
 * Two builds' HammingIndex searches over the same chunk tables, in one process: CPU per search of
 * each at the depths the matcher's searches use (1 bit deep in every chunk: the crop grid's, the
 * trim views', the first stage's shallow search; each chunk's own value: the orientation probe's
 * turns; 1 and 0 in alternate chunks: the sub-image gate's turned orientations), alternating which
 * goes first per round, and the visits of both compared (same entries, distances and order).
 *
 *   node scripts/bench/search-ab.js --base <dir with dist/> [--entries 3000000] [--rounds 10] [--queries 1000]
 *
 * The tables are built once by this checkout's build over random hashes (3 million: a million
 * references' core views; 30 million for ten million, ~2.6 GB), so both builds read the same memory
 * and only their search code differs. Random queries meet almost nothing within the radius, as
 * almost every search of an audit does; a few near ones (stored hashes with 3 bits flipped) make
 * visits to compare. Run it under GLIBC_TUNABLES=glibc.malloc.hugetlb=1, as large audits relaunch.
 */
import path from 'node:path';
import { arg, distModule, root, xorshift } from './builds.js';

const baseDir = arg('--base');
if (!baseDir) {
  process.stderr.write('usage: search-ab.js --base <dir with dist/> [--entries n] [--rounds n] [--queries n]\n');
  process.exit(2);
}
const entries = Number(arg('--entries') ?? 3_000_000);
const rounds = Number(arg('--rounds') ?? 10);
const queryCount = Number(arg('--queries') ?? 1000);
const RADIUS = 80;

const mine = await distModule(root, 'identify/pdq/hamming-index.js');
const base = await distModule(path.resolve(baseDir), 'identify/pdq/hamming-index.js');
const { sharedU32 } = await distModule(root, 'identify/pdq/hamming-tables.js');

// The same hashes every run.
const random = xorshift(12345);
const pool = sharedU32(entries * 8);
for (let i = 0; i < pool.length; i++) pool[i] = random();
const tables = mine.buildHammingTables(pool);
const builds = [
  { name: 'base', index: new base.HammingIndex(tables) },
  { name: 'this', index: new mine.HammingIndex(tables) },
];
const queries = Array.from({ length: queryCount }, () => Uint32Array.from({ length: 8 }, random));
for (let i = 0; i < queryCount / 5; i++) {
  const near = pool.slice((i * 7919 % entries) * 8, (i * 7919 % entries) * 8 + 8);
  near[i % 8] = (near[i % 8] ^ 0x10101) >>> 0;
  queries.push(near);
}
/** @type {Record<string, number | number[]>} */
const depths = { 'depth 1': 1, 'depth 0': 0, 'gate 1/0': tables.widths.map((/** @type {number} */ _, /** @type {number} */ c) => (c % 2 === 0 ? 1 : 0)) };

for (const [label, depth] of Object.entries(depths)) {
  const visits = builds.map(({ index }) => {
    /** @type {number[]} */
    const out = [];
    for (const q of queries) index.search(q, RADIUS, (/** @type {number} */ e, /** @type {number} */ d) => out.push(e, d), depth);
    return out.join(',');
  });
  if (visits[0] !== visits[1]) throw new Error(`${label}: the builds' visits differ`);
}

/** @type {Record<string, { base: number[], this: number[] }>} */
const us = {};
for (let round = 0; round < rounds; round++) {
  for (const [label, depth] of Object.entries(depths)) {
    for (const { name, index } of round % 2 === 0 ? builds : [...builds].reverse()) {
      const started = process.cpuUsage();
      for (const q of queries) index.search(q, RADIUS, () => {}, depth);
      const used = process.cpuUsage(started);
      const row = (us[label] ??= { base: [], this: [] });
      (name === 'base' ? row.base : row.this).push((used.user + used.system) / queries.length);
    }
  }
}
const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;
console.log(`${entries} random hashes, ${queries.length} queries, radius ${RADIUS}, ${rounds} alternating rounds; visits identical`);
for (const [label, row] of Object.entries(us)) {
  const ratios = row.this.map((v, i) => v / (row.base[i] ?? NaN));
  console.log(`${label}: base ${median(row.base).toFixed(1)} us, this ${median(row.this).toFixed(1)} us per search (CPU), x${median(ratios).toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
}
