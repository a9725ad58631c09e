#!/usr/bin/env node
// @ts-check
/**
 * What the sub-image search (issue 19) costs an image with no agency content. Decodes and matches
 * unrelated images against the robustness bench's references twice per round, alternating: the
 * whole-image matcher alone (the baseline) and the audit's matcher (whole-image stages, then the
 * sub-image search when they find nothing). Reports the median over rounds of each total and the
 * ratio (process CPU time), with the share of images that had candidate regions and any claim (which would be false).
 *
 * Unrelated images: the camera photos of /work/shared/corpora/exif-samples/jpg (if present) and
 * synthetic scenes (vehicles, plates, portraits) from seeds no reference uses.
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/subimage-cost.js [--rounds 3] [--synthetic 24] [--corpus DIR] [--out FILE]
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    synthetic: { type: 'string', default: '24' },
    corpus: { type: 'string', default: '/work/shared/corpora/exif-samples/jpg' },
    out: { type: 'string', default: path.join(repo, 'bench', 'results', 'subimage-cost.json') },
  },
});
const scenes = await import('../synth/scenes.js');
const { generatePlates } = await import('../synth/plates.js');
const { buildReferences } = await import('../../dist/calibrate/references.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { PerceptualMatcher } = await import('../../dist/identify/pdq/matcher.js');
const { pdqIndexOfReferences } = await import('../../dist/identify/pdq/pdq-index.js');
const { SubImageMatcher } = await import('../../dist/identify/subimage/sub-image-matcher.js');
const { lowRes } = await import('../../dist/identify/subimage/low-res.js');
const { findRectangles } = await import('../../dist/identify/subimage/rectangles.js');

const plates = generatePlates({ seed: 20_261_019, count: 64 });
/** @param {number} i @param {number} seed */
const render = (i, seed) => {
  const plate = /** @type {string} */ (plates[i % plates.length]);
  if (i % 3 === 0) return scenes.vehicleCapture({ seed, cameraId: i % 2 ? 'L3-C07' : 'L4-C09', plate, timestamp: '2026-10-03T08:00:00.000Z' });
  if (i % 3 === 1) return scenes.plateCrop({ seed, plate });
  return scenes.travelerPortrait({ seed });
};
const refs = [];
for (let i = 0; i < 12; i++) refs.push({ id: `ref/${i}`, class: 'vehicle-image', bytes: await render(i, 1000 + i) });
const index = pdqIndexOfReferences(await buildReferences(refs));
const baseline = new PerceptualMatcher(index);
const audit = new SubImageMatcher(index);

/** @type {{ name: string, bytes: Uint8Array }[]} */
const images = [];
try {
  for (const f of (await readdir(values.corpus)).filter((f) => /\.jpe?g$/i.test(f)).sort()) images.push({ name: f, bytes: await readFile(path.join(values.corpus, f)) });
} catch {
  process.stderr.write(`no corpus at ${values.corpus}: synthetic scenes only\n`);
}
for (let i = 0; i < Number(values.synthetic); i++) images.push({ name: `synthetic/${i}`, bytes: await render(i, 3_000_000 + i) });

/** @type {{ name: string, bytes: Uint8Array }[]} */
const decodable = [];
let withCandidates = 0;
let claims = 0;
for (const image of images) {
  const d = await decodeImage(image.bytes, { maxImagePixels: 100_000_000 });
  if (!d.ok) continue;
  decodable.push(image);
  if (findRectangles(lowRes(d.image)).length > 0) withCandidates++;
  if (audit.match(d.image).kind === 'match') claims++;
}

/** @param {{ match: (image: any) => unknown }} matcher */
async function timeAll(matcher) {
  // Process CPU time, not wall time: on a shared machine the wall clock mostly measures the others.
  const t0 = process.cpuUsage();
  for (const image of decodable) {
    const d = await decodeImage(image.bytes, { maxImagePixels: 100_000_000 });
    if (d.ok) matcher.match(d.image);
  }
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}
/** @type {number[]} */
const before = [];
/** @type {number[]} */
const after = [];
for (let r = 0; r < Number(values.rounds); r++) {
  // Alternating, so a change in the machine's load falls on both alike.
  before.push(await timeAll(baseline));
  after.push(await timeAll(audit));
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const result = {
  benchmark: 'subimage-cost',
  images: decodable.length,
  withCandidateRegions: withCandidates,
  falseClaims: claims,
  rounds: Number(values.rounds),
  cpuMsPerImageBefore: Math.round((median(before) / decodable.length) * 100) / 100,
  cpuMsPerImageAfter: Math.round((median(after) / decodable.length) * 100) / 100,
  ratio: Math.round((median(after) / median(before)) * 1000) / 1000,
  target: 1.1,
};
await mkdir(path.dirname(values.out), { recursive: true });
await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `sub-image search on ${result.images} unrelated images (${withCandidates} with candidate regions, ${claims} claimed): ` +
    `${result.cpuMsPerImageBefore} -> ${result.cpuMsPerImageAfter} CPU-ms/image (decode + match), ratio ${result.ratio} (target <= ${result.target})\n`,
);
if (result.ratio > result.target || claims > 0) process.exitCode = 1;
