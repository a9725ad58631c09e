#!/usr/bin/env node
// @ts-check
/**
 * Issue 21's cost target, before against after: what --read-plates adds to whole audits of photos
 * without plates, for two builds in one run. Each round runs, for the base build then this one, the
 * audit without --read-plates and with it (base plain, base read, new plain, new read, and again),
 * each a process of its own timed in CPU (user + sys, GNU time); the summary gives each build's
 * median CPU both ways and its ratio read / plain, and the ratio of the two builds' added CPU. Then
 * the reports of the reading audits are compared with their times blanked (an exact change leaves
 * them the same; a change that is not names the photos whose outcome moved).
 *
 * It audits the folders plates-in-images.js lays out (run that once first): its agency fingerprints
 * (two perceptual references, so both audits decode every photo, and the bench's plate digests) and
 * its `unrelated` folder.
 *
 *   node scripts/bench/plate-cost-ab.js --base OTHER/bin/custody.js [--folder unrelated] [--runs 5] [--out /tmp/plate-cost-ab]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './builds.js';
import { measure } from './measure.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    folder: { type: 'string', default: 'unrelated' },
    runs: { type: 'string', default: '5' },
    out: { type: 'string', default: '/tmp/plate-cost-ab' },
  },
});
if (!values.base) throw new Error('give --base OTHER/bin/custody.js (a build to compare this one with)');
const work = path.join(root, 'bench', 'work', 'plates-in-images');
const out = path.resolve(values.out);
mkdirSync(out, { recursive: true });
// The bench key of plates-in-images.js, under which its agency digests were made.
const env = { ...process.env, NO_COLOR: '1', CUSTODY_PLATE_KEY: 'plates-in-images-bench-key-0123456789' };
const builds = { base: path.resolve(values.base), new: path.join(root, 'bin', 'custody.js') };

/** @type {Record<string, { plain: number[], read: number[] }>} */
const cpu = { base: { plain: [], read: [] }, new: { plain: [], read: [] } };
for (let run = 0; run < Number(values.runs); run++) {
  for (const [name, bin] of Object.entries(builds)) {
    for (const mode of /** @type {const} */ (['plain', 'read'])) {
      const args = [bin, 'audit', values.folder, '-f', 'agency.fp.json', '--format', 'json', '--no-cache', '--authorized', 'enclave/**'];
      const m = await measure(process.execPath, mode === 'read' ? [...args, '--read-plates'] : args, { cwd: work, env });
      // 0 clean, 1 findings, 3 incomplete (photos that cannot be decoded are recorded in coverage).
      if (![0, 1, 3].includes(m.code)) throw new Error(`${name} ${mode}: exit ${m.code}: ${m.stderr}`);
      if (mode === 'read') writeFileSync(path.join(out, `${name}-${run}.json`), m.stdout);
      cpu[name]?.[mode].push(m.cpu);
      console.log(`run ${run} ${name} ${mode} cpu ${m.cpu.toFixed(2)} s load ${m.load1.toFixed(1)}`);
    }
  }
}

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const summary = Object.fromEntries(
  Object.entries(cpu).map(([name, { plain, read }]) => {
    // The ratio of each round's pair, then their median: a round's two audits ran next to each other.
    const ratios = plain.map((p, i) => (read[i] ?? 0) / p);
    return [name, { plainS: median(plain), readS: median(read), ratio: Math.round(median(ratios) * 1000) / 1000, addedS: Math.round((median(read) - median(plain)) * 100) / 100 }];
  }),
);
console.log(JSON.stringify(summary));
console.log(`added CPU new / base: ${((summary.new?.addedS ?? 0) / (summary.base?.addedS ?? 1)).toFixed(3)}`);

/** A reading audit's report with its times blanked, as one line per asset and coverage entry. @param {string} file */
const outcomes = (file) => {
  const report = JSON.parse(readFileSync(path.join(out, file), 'utf8'));
  report.startedAt = '';
  report.finishedAt = '';
  return report;
};
const reference = outcomes('base-0.json');
let differ = 0;
for (let run = 0; run < Number(values.runs); run++) {
  for (const name of ['base', 'new']) if (JSON.stringify(outcomes(`${name}-${run}.json`)) !== JSON.stringify(reference)) differ++;
}
console.log(`reading reports differing from base-0 (times blanked): ${differ} of ${2 * Number(values.runs)}`);
if (differ > 0) {
  const key = (/** @type {{ location: string }} */ a) => JSON.stringify(a);
  const before = new Set([...(reference.assets ?? []), ...(reference.coverage ?? [])].map(key));
  const after = outcomes('new-0.json');
  const now = new Set([...(after.assets ?? []), ...(after.coverage ?? [])].map(key));
  for (const k of before) if (!now.has(k)) console.log(`  only before: ${k}`);
  for (const k of now) if (!before.has(k)) console.log(`  only after:  ${k}`);
}
