#!/usr/bin/env node
// @ts-check
/**
 * Two builds of the sub-image search (issue 19) in one process, on the images subimage-cost.js
 * measures (unrelated: camera corpus, the bench tree's camera roll, synthetic scenes) and on
 * copies of the twelve references that only the sub-image search finds (the robustness bench's
 * sub-image and warp cases of references 0-11): per image, alternating which build goes first, each
 * build's audit matcher (SubImageMatcher) and the whole-image matcher alone (PerceptualMatcher, the
 * baseline); process CPU time. Prints, per build, the sub-image search's added cost on the unrelated
 * images as a share of decode + whole-image matching (what subimage-cost.js reports as ratio - 1),
 * and every image whose SubImageSearch.find(image, best) result differs between the builds
 * (deep-equal of reference, distance, transform, geometry, method).
 *
 * `--base` is a directory holding the baseline's dist/ (e.g. a copy of dist/ built at the commit
 * before the change); the candidate is this checkout's dist/.
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/subimage-ab.js --base DIR [--rounds 3] [--synthetic 24] [--photos 60] [--copies] [--corpus DIR] [--tree DIR]
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    synthetic: { type: 'string', default: '24' },
    photos: { type: 'string', default: '60' },
    copies: { type: 'boolean', default: false },
    corpus: { type: 'string', default: path.join(repo, '..', 'shared', 'corpora', 'exif-samples', 'jpg') },
    tree: { type: 'string' },
  },
});
if (!values.base) {
  process.stderr.write('usage: subimage-ab.js --base <dir with dist/> [--rounds n] [--copies]\n');
  process.exit(2);
}
const { render, twelveReferences } = await import('./subimage-refs.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** One build's matchers over the twelve references (its own modules and kernels). @param {string} dir */
async function buildOf(dir) {
  const module = (/** @type {string} */ rel) => import(pathToFileURL(path.join(dir, 'dist', rel)).href);
  const { PerceptualMatcher } = await module('identify/pdq/matcher.js');
  const { SubImageMatcher, SUBIMAGE_ALIGNED_THRESHOLD } = await module('identify/subimage/sub-image-matcher.js');
  const { SubImageSearch } = await module('identify/subimage/sub-image-search.js');
  const { pdqIndexOfReferences } = await module('identify/pdq/pdq-index.js');
  const { buildReferences } = await module('calibrate/references.js');
  const refs = [];
  for (let i = 0; i < 12; i++) refs.push({ id: `ref/${i}`, class: 'vehicle-image', bytes: await render(i, 1000 + i) });
  const index = pdqIndexOfReferences(await buildReferences(refs));
  const whole = new PerceptualMatcher(index);
  const search = new SubImageSearch(whole, whole.hamming, { alignedThreshold: SUBIMAGE_ALIGNED_THRESHOLD });
  return { dir, whole, audit: new SubImageMatcher(index), search, wholeMs: 0, auditMs: 0 };
}
await twelveReferences();

/** @type {{ name: string, unrelated: boolean, bytes: Uint8Array }[]} */
const sources = [];
if (existsSync(values.corpus))
  for (const f of (await readdir(values.corpus, { recursive: true })).filter((f) => /\.jpe?g$/i.test(f)).sort())
    sources.push({ name: f, unrelated: true, bytes: await readFile(path.join(values.corpus, f)) });
const work = path.join(repo, 'bench', 'work');
const tree = values.tree ?? (existsSync(work) ? (await readdir(work)).filter((d) => d.startsWith('tree-')).map((d) => path.join(work, d))[0] : undefined);
const roll = tree && path.join(tree, 'share', 'photos', 'camera-roll');
if (roll && existsSync(roll))
  for (const f of (await readdir(roll)).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, Number(values.photos)))
    sources.push({ name: f, unrelated: true, bytes: await readFile(path.join(roll, f)) });
for (let i = 0; i < Number(values.synthetic); i++) sources.push({ name: `synthetic/${i}`, unrelated: true, bytes: await render(i, 3_000_000 + i) });
if (values.copies) {
  const { SUBIMAGE_CASES, applySubimageCase } = await import('./robustness-subimage.js');
  const { WARP_CASES, applyWarpCase } = await import('./robustness-warp.js');
  for (let i = 0; i < 12; i++) {
    const base = await render(i, 1000 + i);
    for (const c of SUBIMAGE_CASES) sources.push({ name: `ref/${i}/${c.name}`, unrelated: false, bytes: await applySubimageCase(c, base) });
    for (const c of WARP_CASES) sources.push({ name: `ref/${i}/${c.name}`, unrelated: false, bytes: await applyWarpCase(c, base) });
  }
}
const images = [];
for (const s of sources) {
  const d = await decodeImage(s.bytes, { maxImagePixels: 100_000_000 });
  if (d.ok) images.push({ ...s, image: d.image });
}
const unrelated = images.filter((x) => x.unrelated);

const builds = [await buildOf(path.resolve(values.base)), await buildOf(repo)];
/** @param {any} found */
const describe = (found) => found && { reference: found.match.reference.id, distance: found.match.distance, transform: found.match.transform, geometry: found.geometry, method: found.method };
let differ = 0;
let foundCount = 0;
for (const x of images) {
  const [a, b] = builds.map((build) => describe(build.search.find(x.image, true)));
  if (a) foundCount++;
  if (!isDeepStrictEqual(a, b)) {
    differ++;
    process.stdout.write(`differs: ${x.name}: base=${JSON.stringify(a)} | this=${JSON.stringify(b)}\n`);
  }
}
let decodeMs = 0;
for (let r = 0; r < Number(values.rounds); r++) {
  for (const [i, x] of unrelated.entries()) {
    if (r === 0) {
      const t = cpuMs();
      await decodeImage(x.bytes, { maxImagePixels: 100_000_000 });
      decodeMs += cpuMs() - t;
    }
    const order = (i + r) % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      let t = cpuMs();
      build.whole.match(x.image);
      build.wholeMs += cpuMs() - t;
      t = cpuMs();
      build.audit.match(x.image);
      build.auditMs += cpuMs() - t;
    }
  }
}
const n = unrelated.length * Number(values.rounds);
const decodePer = decodeMs / unrelated.length;
process.stdout.write(`${images.length} images (${unrelated.length} unrelated), ${foundCount} found by the base search, ${differ} results differ; decode ${decodePer.toFixed(2)} CPU-ms/image\n`);
for (const [k, build] of builds.entries()) {
  const whole = build.wholeMs / n;
  const added = (build.auditMs - build.wholeMs) / n;
  process.stdout.write(
    `  ${k === 0 ? 'base' : 'this'}: whole-image ${whole.toFixed(2)}, sub-image search +${added.toFixed(2)} CPU-ms/image: ` +
      `+${((100 * added) / (decodePer + whole)).toFixed(0)}% of decode + whole-image match\n`,
  );
}
const [base, self] = builds;
if (base && self) process.stdout.write(`  added cost this/base: ${((self.auditMs - self.wholeMs) / (base.auditMs - base.wholeMs)).toFixed(3)}\n`);
