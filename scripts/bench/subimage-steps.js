#!/usr/bin/env node
// @ts-check
/**
 * Where the sub-image search's time goes on images with no agency content (issue 19): per
 * unrelated image (the same sets as subimage-cost.js), each step of SubImageSearch timed alone,
 * alternating within each round: the whole-image matcher (the baseline), the low-resolution plane,
 * the rectangle finders, the rough gate of their candidates, the quad candidates (edges and lines),
 * and the quad, turn-back and screen searches on candidates found once. Also how often each step
 * has anything to do (images with candidates, with a rough distance inside a gate).
 * Process CPU time, median over rounds, per image.
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/subimage-steps.js [--rounds 3] [--synthetic 24] [--photos 60] [--corpus DIR] [--tree DIR]
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    synthetic: { type: 'string', default: '24' },
    photos: { type: 'string', default: '60' },
    corpus: { type: 'string', default: path.join(repo, '..', 'shared', 'corpora', 'exif-samples', 'jpg') },
    tree: { type: 'string' },
  },
});
const { render, twelveReferences } = await import('./subimage-refs.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { PerceptualMatcher } = await import('../../dist/identify/pdq/matcher.js');
const { HammingIndex } = await import('../../dist/identify/pdq/hamming-index.js');
const { searchPlan } = await import('../../dist/identify/pdq/match-settings.js');
const { GATE_RADIUS, RoughGate } = await import('../../dist/identify/subimage/rough-gate.js');
const { SUBIMAGE_ALIGNED_THRESHOLD } = await import('../../dist/identify/subimage/sub-image-matcher.js');
const { QuadSearch } = await import('../../dist/identify/subimage/quad-search.js');
const { quadCandidates } = await import('../../dist/identify/subimage/quad-candidates.js');
const { lowRes } = await import('../../dist/identify/subimage/low-res.js');
const { TurnBack } = await import('../../dist/identify/subimage/turn-back.js');
const { ScreenSearch } = await import('../../dist/identify/subimage/screen-search.js');
const { REGION_FINDERS } = await import('../../dist/identify/subimage/sub-image-search.js');
const { findRectangles } = await import('../../dist/identify/subimage/rectangles.js');

const index = await twelveReferences();
const baseline = new PerceptualMatcher(index);
const hamming = new HammingIndex(index.hamming);
const plan = searchPlan(hamming.size);
const inside = new PerceptualMatcher(index, { alignedThreshold: SUBIMAGE_ALIGNED_THRESHOLD });
const gated = { ...plan, radius: Math.min(plan.radius, GATE_RADIUS) };
const quads = new QuadSearch(inside, hamming, gated);
const turns = new TurnBack(inside, hamming, gated);
const screens = new ScreenSearch(inside, hamming, gated);
const gate = new RoughGate(baseline.hamming);

/** @type {{ name: string, bytes: Uint8Array }[]} */
const sources = [];
if (existsSync(values.corpus))
  for (const f of (await readdir(values.corpus, { recursive: true })).filter((f) => /\.jpe?g$/i.test(f)).sort())
    sources.push({ name: f, bytes: await readFile(path.join(values.corpus, f)) });
const work = path.join(repo, 'bench', 'work');
const tree = values.tree ?? (existsSync(work) ? (await readdir(work)).filter((d) => d.startsWith('tree-')).map((d) => path.join(work, d))[0] : undefined);
const roll = tree && path.join(tree, 'share', 'photos', 'camera-roll');
if (roll && existsSync(roll))
  for (const f of (await readdir(roll)).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, Number(values.photos)))
    sources.push({ name: f, bytes: await readFile(path.join(roll, f)) });
for (let i = 0; i < Number(values.synthetic); i++) sources.push({ name: `synthetic/${i}`, bytes: await render(i, 3_000_000 + i) });

/** @type {{ name: string, bytes: Uint8Array, image: any, plane: any, regions: any[], quads: any[] }[]} */
const images = [];
for (const s of sources) {
  const d = await decodeImage(s.bytes, { maxImagePixels: 100_000_000 });
  if (!d.ok) continue;
  const plane = lowRes(d.image);
  const regions = REGION_FINDERS.flatMap((/** @type {any} */ f) => f(d.image, plane));
  images.push({ name: s.name, bytes: s.bytes, image: d.image, plane, regions, quads: quadCandidates(plane) });
}
const n = images.length;
const withRegions = images.filter((x) => x.regions.length > 0).length;
const withQuads = images.filter((x) => x.quads.length > 0).length;

/** @param {(x: (typeof images)[number]) => unknown} run */
function cpu(run) {
  const t0 = process.cpuUsage();
  for (const x of images) run(x);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}
/** @type {Record<string, (x: (typeof images)[number]) => unknown>} */
const steps = {
  decode: () => 0,
  wholeImage: (x) => baseline.match(x.image),
  lowRes: (x) => lowRes(x.image),
  rectangles: (x) => findRectangles(x.plane),
  // The gate samples the plane the whole-image matcher leaves resident: match first, as the audit does.
  wholeThenGate: (x) => {
    baseline.match(x.image);
    for (const c of x.regions) gate.near(x.image, c.region);
  },
  quadCandidates: (x) => quadCandidates(x.plane),
  quadSearch: (x) => quads.find(x.image, x.plane, false, x.quads),
  turnBack: (x) => turns.find(x.image, x.plane),
  screens: (x) => screens.find(x.image, x.plane, false, x.quads),
};
/** @type {Record<string, number[]>} */
const times = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
for (let r = 0; r < Number(values.rounds); r++) {
  const t0 = process.cpuUsage();
  for (const x of images) await decodeImage(x.bytes, { maxImagePixels: 100_000_000 });
  const t = process.cpuUsage(t0);
  times.decode?.push((t.user + t.system) / 1000);
  for (const [k, run] of Object.entries(steps)) if (k !== 'decode') times[k]?.push(cpu(run));
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
process.stdout.write(`${n} unrelated images, ${withRegions} with rectangle candidates, ${withQuads} with quad candidates (${images.reduce((s, x) => s + x.quads.length, 0)} quads)\n`);
for (const [k, xs] of Object.entries(times)) process.stdout.write(`  ${k}: ${(median(xs) / n).toFixed(3)} CPU-ms/image\n`);
