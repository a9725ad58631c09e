#!/usr/bin/env node
// @ts-check
/**
 * What the searches for pictures off the axes (issue 19: the quad search for turned and skewed
 * pictures, subimage/quad-*.ts; turn-back for straightened ones, turn-back.ts; the screen search,
 * screen-search.ts) add to an image with no agency content, in one run: per unrelated image,
 * alternating in each round, the decode, the whole-image matcher alone (the baseline), then each
 * search alone on the low-resolution plane the rectangle search already made (so the plane is not
 * charged twice). Reports process CPU time, median over rounds, per image, the ratio (baseline +
 * turn-back) / baseline without and with the decode, how many images had quad or turn candidates,
 * and any claim (which would be false).
 *
 * Unrelated images: the camera photos of ../shared/corpora/exif-samples/jpg beside the checkout (if
 * present), synthetic scenes (vehicles, plates, portraits, and the same turned by a few degrees)
 * from seeds no reference uses, and some of them straightened by a few degrees: the turn-back's own
 * hard negatives.
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/off-axis-cost.js [--rounds 3] [--synthetic 24] [--corpus DIR] [--out FILE]
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    synthetic: { type: 'string', default: '24' },
    corpus: { type: 'string', default: path.join(repo, '..', 'shared', 'corpora', 'exif-samples', 'jpg') },
    out: { type: 'string', default: path.join(repo, 'bench', 'results', 'off-axis-cost.json') },
  },
});
const { render, twelveReferences } = await import('./subimage-refs.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { PerceptualMatcher } = await import('../../dist/identify/pdq/matcher.js');
const { HammingIndex } = await import('../../dist/identify/pdq/hamming-index.js');
const { searchPlan } = await import('../../dist/identify/pdq/match-settings.js');
const { GATE_RADIUS } = await import('../../dist/identify/subimage/rough-gate.js');
const { SUBIMAGE_ALIGNED_THRESHOLD } = await import('../../dist/identify/subimage/sub-image-matcher.js');
const { QuadSearch } = await import('../../dist/identify/subimage/quad-search.js');
const { quadCandidates } = await import('../../dist/identify/subimage/quad-candidates.js');
const { lowRes } = await import('../../dist/identify/subimage/low-res.js');
const { TurnBack } = await import('../../dist/identify/subimage/turn-back.js');
const { ScreenSearch } = await import('../../dist/identify/subimage/screen-search.js');

const index = await twelveReferences();
const baseline = new PerceptualMatcher(index);
const hamming = new HammingIndex(index.hamming);
const plan = searchPlan(hamming.size);
const inside = new PerceptualMatcher(index, { alignedThreshold: SUBIMAGE_ALIGNED_THRESHOLD });
const quads = new QuadSearch(inside, hamming, { ...plan, radius: Math.min(plan.radius, GATE_RADIUS) });
const turns = new TurnBack(inside, hamming, { ...plan, radius: Math.min(plan.radius, GATE_RADIUS) });
const screens = new ScreenSearch(inside, hamming, { ...plan, radius: Math.min(plan.radius, GATE_RADIUS) });

/** @type {{ name: string, bytes: Uint8Array }[]} */
const sources = [];
try {
  for (const f of (await readdir(values.corpus)).filter((f) => /\.jpe?g$/i.test(f)).sort()) sources.push({ name: f, bytes: await readFile(path.join(values.corpus, f)) });
} catch {
  process.stderr.write(`no corpus at ${values.corpus}: synthetic scenes only\n`);
}
for (let i = 0; i < Number(values.synthetic); i++) {
  const bytes = await render(i, 3_000_000 + i);
  sources.push({ name: `synthetic/${i}`, bytes });
  // Turned non-agency scenes: the search's own hard negatives, which do reach the rough hash.
  if (i % 4 === 0) sources.push({ name: `synthetic/${i}-turned`, bytes: await sharp(bytes).rotate(i % 8 ? 5 : -3, { background: '#000' }).jpeg().toBuffer() });
  if (i % 4 === 1) sources.push({ name: `synthetic/${i}-straightened`, bytes: await straightened(bytes, i % 8 === 1 ? 4 : -7) });
}

/** @type {{ name: string, bytes: Uint8Array, image: import('../../dist/identify/pdq/borders.js').PixelImage, plane: import('../../dist/identify/subimage/low-res.js').LowRes }[]} */
const images = [];
let withCandidates = 0;
let claims = 0;
for (const s of sources) {
  const d = await decodeImage(s.bytes, { maxImagePixels: 100_000_000 });
  if (!d.ok) continue;
  const plane = lowRes(d.image);
  images.push({ name: s.name, bytes: s.bytes, image: d.image, plane });
  if (quadCandidates(plane).length > 0) withCandidates++;
  if (quads.find(d.image, plane) || turns.find(d.image, plane, true) || screens.find(d.image, plane, true)) claims++;
}

/** @param {(x: (typeof images)[number]) => unknown} run */
async function cpu(run) {
  // Process CPU time, not wall time: on a shared machine the wall clock mostly measures the others.
  const t0 = process.cpuUsage();
  for (const x of images) await run(x);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
}
/** @type {number[]} */
const base = [];
/** @type {number[]} */
const quad = [];
/** @type {number[]} */
const decode = [];
/** @type {number[]} */
const turn = [];
/** @type {number[]} */
const screen = [];
for (let r = 0; r < Number(values.rounds); r++) {
  decode.push(await cpu((x) => decodeImage(x.bytes, { maxImagePixels: 100_000_000 })));
  base.push(await cpu((x) => baseline.match(x.image)));
  quad.push(await cpu((x) => quads.find(x.image, x.plane)));
  turn.push(await cpu((x) => turns.find(x.image, x.plane)));
  screen.push(await cpu((x) => screens.find(x.image, x.plane)));
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const perImage = (/** @type {number[]} */ xs) => Math.round((median(xs) / images.length) * 100) / 100;
const result = {
  benchmark: 'off-axis-cost',
  images: images.length,
  withQuadCandidates: withCandidates,
  falseClaims: claims,
  rounds: Number(values.rounds),
  wholeImageCpuMsPerImage: perImage(base),
  quadSearchCpuMsPerImage: perImage(quad),
  turnBackCpuMsPerImage: perImage(turn),
  screenSearchCpuMsPerImage: perImage(screen),
  decodeCpuMsPerImage: perImage(decode),
  /** (whole-image match + turn-back) / whole-image match. */
  ratio: Math.round(((median(base) + median(turn)) / median(base)) * 1000) / 1000,
  /** The same with the decode in both, as subimage-cost.js measures the audit's per-image cost. */
  ratioWithDecode: Math.round(((median(decode) + median(base) + median(turn)) / (median(decode) + median(base))) * 1000) / 1000,
};
await mkdir(path.dirname(values.out), { recursive: true });
await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `off-axis searches on ${result.images} unrelated images (${claims} claimed): whole-image matcher ${result.wholeImageCpuMsPerImage} CPU-ms/image, quad search +${result.quadSearchCpuMsPerImage}, ` +
    `turn-back +${result.turnBackCpuMsPerImage}, screen search +${result.screenSearchCpuMsPerImage} (turn-back ratio ${result.ratio}; with the decode, ${result.decodeCpuMsPerImage} ms, in both: ${result.ratioWithDecode})\n`,
);
if (claims > 0) process.exitCode = 1;

/** Turned by `angle` degrees and cropped to the largest rectangle of its shape inside, scaled back. @param {Buffer} bytes @param {number} angle */
async function straightened(bytes, angle) {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const turned = await sharp(bytes).rotate(angle).toBuffer({ resolveWithObject: true });
  const a = (Math.abs(angle) * Math.PI) / 180;
  const f = Math.min(width / (width * Math.cos(a) + height * Math.sin(a)), height / (width * Math.sin(a) + height * Math.cos(a)));
  const w = Math.floor(f * width);
  const h = Math.floor(f * height);
  return sharp(turned.data).extract({ left: Math.round((turned.info.width - w) / 2), top: Math.round((turned.info.height - h) / 2), width: w, height: h }).resize(width, height).jpeg({ quality: 85 }).toBuffer();
}
