#!/usr/bin/env node
// @ts-check
/**
 * What the sub-image search (issue 19) costs an image with no agency content. Decodes and matches
 * unrelated images against the robustness bench's references twice per round, alternating: the
 * whole-image matcher alone (the baseline) and the audit's matcher (whole-image stages, then the
 * sub-image search when they find nothing). Reports the median over rounds of each total and the
 * ratio (process CPU time), with the share of images that had candidate regions and any claim (which would be false).
 *
 * Unrelated images, in three groups whose ratios are also reported apart:
 * - `camera`: the camera photos under ../shared/corpora/exif-samples/jpg beside the checkout (recursively; if present);
 * - `bench`: the bench tree's non-agency photos (bench/work/tree-STAR/share/photos/camera-roll, the first
 *   --photos of them by name; if the tree has been generated);
 * - `synthetic`: scenes from the references' generator (vehicles by the same lane cameras, plate
 *   crops, portraits) from seeds no reference uses: hard negatives, framed like the references.
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/subimage-cost.js [--rounds 3] [--synthetic 24] [--photos 60] [--corpus DIR] [--tree DIR] [--out FILE]
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    synthetic: { type: 'string', default: '24' },
    photos: { type: 'string', default: '60' },
    corpus: { type: 'string', default: path.join(repo, '..', 'shared', 'corpora', 'exif-samples', 'jpg') },
    tree: { type: 'string' },
    out: { type: 'string', default: path.join(repo, 'bench', 'results', 'subimage-cost.json') },
  },
});
const { render, twelveReferences } = await import('./subimage-refs.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { PerceptualMatcher } = await import('../../dist/identify/pdq/matcher.js');
const { SubImageMatcher } = await import('../../dist/identify/subimage/sub-image-matcher.js');
const { lowRes } = await import('../../dist/identify/subimage/low-res.js');
const { REGION_FINDERS } = await import('../../dist/identify/subimage/sub-image-search.js');

const index = await twelveReferences();
const baseline = new PerceptualMatcher(index);
const audit = new SubImageMatcher(index);

/** @type {{ name: string, group: string, bytes: Uint8Array }[]} */
const images = [];
if (existsSync(values.corpus)) {
  for (const f of (await readdir(values.corpus, { recursive: true })).filter((f) => /\.jpe?g$/i.test(f)).sort())
    images.push({ name: f, group: 'camera', bytes: await readFile(path.join(values.corpus, f)) });
} else process.stderr.write(`no corpus at ${values.corpus}\n`);
const work = path.join(repo, 'bench', 'work');
const tree = values.tree ?? (existsSync(work) ? (await readdir(work)).filter((d) => d.startsWith('tree-')).map((d) => path.join(work, d))[0] : undefined);
const roll = tree && path.join(tree, 'share', 'photos', 'camera-roll');
if (roll && existsSync(roll)) {
  for (const f of (await readdir(roll)).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, Number(values.photos)))
    images.push({ name: f, group: 'bench', bytes: await readFile(path.join(roll, f)) });
} else process.stderr.write('no bench tree (npm run bench generates one): no bench photos\n');
for (let i = 0; i < Number(values.synthetic); i++) images.push({ name: `synthetic/${i}`, group: 'synthetic', bytes: await render(i, 3_000_000 + i) });

/** @type {{ name: string, group: string, bytes: Uint8Array }[]} */
const decodable = [];
let withCandidates = 0;
let claims = 0;
for (const image of images) {
  const d = await decodeImage(image.bytes, { maxImagePixels: 100_000_000 });
  if (!d.ok) continue;
  decodable.push(image);
  const plane = lowRes(d.image);
  if (REGION_FINDERS.some((/** @type {any} */ find) => find(d.image, plane).length > 0)) withCandidates++;
  if (audit.match(d.image).kind === 'match') claims++;
}

const groups = [...new Set(decodable.map((i) => i.group))];
/** @param {{ match: (image: any) => unknown }} matcher @returns {Promise<Record<string, number>>} CPU ms per group */
async function timeAll(matcher) {
  /** @type {Record<string, number>} */
  const ms = Object.fromEntries(groups.map((g) => [g, 0]));
  for (const image of decodable) {
    // Process CPU time, not wall time: on a shared machine the wall clock mostly measures the others.
    const t0 = process.cpuUsage();
    const d = await decodeImage(image.bytes, { maxImagePixels: 100_000_000 });
    if (d.ok) matcher.match(d.image);
    const t = process.cpuUsage(t0);
    ms[image.group] = (ms[image.group] ?? 0) + (t.user + t.system) / 1000;
  }
  return ms;
}
/** @type {Record<string, number>[]} */
const before = [];
/** @type {Record<string, number>[]} */
const after = [];
for (let r = 0; r < Number(values.rounds); r++) {
  // Alternating, so a change in the machine's load falls on both alike.
  before.push(await timeAll(baseline));
  after.push(await timeAll(audit));
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const sum = (/** @type {Record<string, number>} */ r, /** @type {string[]} */ gs) => gs.reduce((s, g) => s + (r[g] ?? 0), 0);
/** @param {string[]} gs */
const row = (gs) => {
  const n = decodable.filter((i) => gs.includes(i.group)).length;
  const b = median(before.map((r) => sum(r, gs)));
  const a = median(after.map((r) => sum(r, gs)));
  return { images: n, cpuMsPerImageBefore: Math.round((b / n) * 100) / 100, cpuMsPerImageAfter: Math.round((a / n) * 100) / 100, ratio: Math.round((a / b) * 1000) / 1000 };
};
const result = {
  benchmark: 'subimage-cost',
  ...row(groups),
  withCandidateRegions: withCandidates,
  falseClaims: claims,
  rounds: Number(values.rounds),
  byGroup: Object.fromEntries(groups.map((g) => [g, row([g])])),
  target: 1.1,
};
await mkdir(path.dirname(values.out), { recursive: true });
await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `sub-image search on ${result.images} unrelated images (${withCandidates} with candidate regions, ${claims} claimed): ` +
    `${result.cpuMsPerImageBefore} -> ${result.cpuMsPerImageAfter} CPU-ms/image (decode + match), ratio ${result.ratio} (target <= ${result.target})\n` +
    Object.entries(result.byGroup)
      .map(([g, r]) => `  ${g}: ${r.images} images, ${r.cpuMsPerImageBefore} -> ${r.cpuMsPerImageAfter} CPU-ms/image, ratio ${r.ratio}\n`)
      .join(''),
);
if (result.ratio > result.target || claims > 0) process.exitCode = 1;
