#!/usr/bin/env node
// @ts-check
/**
 * The matcher's CPU per image (as match-ab.js measures it: SubImageMatcher.match, in process) under
 * two environments that must be set before node starts (GLIBC_TUNABLES=glibc.malloc.hugetlb=1 for
 * the index's huge pages). One process cannot compare those, so each side is a child process that
 * loads the store once and matches the images; the children alternate (A B B A A B ...). Loading
 * is left out of the figure: only the matching, which is what the tables' pages act on.
 *
 *   node scripts/bench/match-env-ab.js --set <store> --images <dir> [--limit 80] [--repeat 2]
 *        [--rounds 3] [--b KEY=VALUE]...            (A is the caller's environment)
 *
 * Prints each child's ms per image, peak RSS (VmHWM), and the median of the per-pair ratios b/a,
 * and whether every child gave the same outcomes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, cpuMs, distModule, root, sampleImages } from './builds.js';

const argv = process.argv.slice(2);
const setFile = arg('--set');
const imagesDir = arg('--images');
if (!setFile || !imagesDir) {
  process.stderr.write('usage: match-env-ab.js --set <store> --images <dir> [--limit n] [--repeat n] [--rounds n] [--b K=V]...\n');
  process.exit(2);
}
const limit = Number(arg('--limit') ?? 80);
const repeat = Number(arg('--repeat') ?? 2);

if (argv.includes('--child')) {
  const { loadFingerprints } = await distModule(root, 'references/load.js');
  const { buildPdqIndex } = await distModule(root, 'identify/pdq/pdq-index.js');
  const { SubImageMatcher } = await distModule(root, 'identify/subimage/sub-image-matcher.js');
  const index = await loadFingerprints([setFile]);
  const matcher = new SubImageMatcher(buildPdqIndex(index.columns, index.tables, index.viewFile));
  const images = await sampleImages(root, imagesDir, limit);
  /** @type {string[]} */
  const outcomes = [];
  let ms = 0;
  for (let r = 0; r < repeat; r++) {
    for (const [i, { image }] of images.entries()) {
      const t = cpuMs();
      const o = matcher.match(image);
      ms += cpuMs() - t;
      if (r === 0) outcomes[i] = o.kind === 'match' ? `${o.match.reference.id} ${o.match.distance} ${o.match.transform}` : o.kind;
    }
  }
  const status = readFileSync('/proc/self/status', 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  const huge = Number(/AnonHugePages:\s+(\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? NaN) / 1024;
  process.stdout.write(`${JSON.stringify({ msPerImage: ms / (images.length * repeat), hwm, huge, outcomes: outcomes.join('\n') })}\n`);
  process.exit(0);
}

const rounds = Number(arg('--rounds') ?? 3);
const bPairs = argv.flatMap((a, i) => (a === '--b' && argv[i + 1] ? [/** @type {string} */ (argv[i + 1])] : []));
const envB = { ...process.env };
for (const pair of bPairs) envB[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
const self = fileURLToPath(import.meta.url);
/** @param {NodeJS.ProcessEnv} env */
const child = (env) =>
  JSON.parse(execFileSync(process.execPath, ['--max-old-space-size=8192', self, ...argv, '--child'], { env, cwd: root, maxBuffer: 1 << 26, encoding: 'utf8' }).trim());
const ratios = [];
/** @type {Set<string>} */
const outcomeSets = new Set();
for (let round = 1; round <= rounds; round++) {
  const first = round % 2 === 1 ? 'a' : 'b';
  /** @type {Record<string, any>} */
  const got = {};
  for (const side of first === 'a' ? ['a', 'b'] : ['b', 'a']) {
    got[side] = child(side === 'a' ? process.env : envB);
    outcomeSets.add(got[side].outcomes);
    process.stdout.write(`round ${round} ${side}: ${got[side].msPerImage.toFixed(2)} ms/image, VmHWM ${got[side].hwm.toFixed(0)} MiB, AnonHugePages ${got[side].huge.toFixed(0)} MiB\n`);
  }
  ratios.push(got['b'].msPerImage / got['a'].msPerImage);
}
const sorted = [...ratios].sort((x, y) => x - y);
process.stdout.write(
  `${path.basename(setFile)}: b/a per pair ${ratios.map((r) => r.toFixed(3)).join(' ')}; median x${sorted[Math.floor(sorted.length / 2)]?.toFixed(3)}; ${outcomeSets.size === 1 ? 'every child gave the same outcomes' : `${outcomeSets.size} different outcome lists`}\n`,
);
