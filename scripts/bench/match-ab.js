#!/usr/bin/env node
// @ts-check
/**
 * Two builds of the audit's perceptual matcher (SubImageMatcher: whole-image stages, then the
 * sub-image search) on the same images and the same reference set, in one process: a speed change
 * measured against its baseline in the same run, and checked to leave every outcome as it was.
 *
 *   node scripts/bench/match-ab.js --base <dir> --set <fp.json|store> --images <dir> [--limit 80] [--repeat 2] [--outcomes <file>]
 *
 * `--base` is a directory holding the baseline's dist/ (e.g. a copy of dist/ built at the commit
 * before the change); the candidate is this checkout's dist/. Images are decoded once (this
 * checkout's decoder), then matched by each build in turn, alternating per image so that the
 * machine's load (it is shared) falls on both alike; CPU time of this process, not wall time.
 * Prints CPU ms per image of each, their ratio, and every image whose outcome differs (reference,
 * distance and transform). The builds' own modules (and WebAssembly kernels) are separate instances.
 * With `--outcomes`, also counts the images each build matches and writes every image's two outcomes
 * there as JSON: a check on copies of agency images (every copy the base finds, found by this build
 * with the same reference) reads them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { arg, cpuMs, distModule, root, sampleImages } from './builds.js';

const baseDir = arg('--base');
const setFile = arg('--set');
const imagesDir = arg('--images');
if (!baseDir || !setFile || !imagesDir) {
  process.stderr.write('usage: match-ab.js --base <dir with dist/> --set <file> --images <dir> [--limit n] [--repeat n]\n');
  process.exit(2);
}
const limit = Number(arg('--limit') ?? 80);
const repeat = Number(arg('--repeat') ?? 2);

/** A SubImageMatcher of the build under `dir` over `file`, and how long its load and index took. @param {string} dir @param {string} file */
async function matcherOf(dir, file) {
  const module = (/** @type {string} */ rel) => distModule(dir, rel);
  const { loadFingerprints } = await module('references/load.js');
  const { buildPdqIndex } = await module('identify/pdq/pdq-index.js');
  const { SubImageMatcher } = await module('identify/subimage/sub-image-matcher.js');
  const t = cpuMs();
  const index = await loadFingerprints([file]);
  const loaded = cpuMs();
  const matcher = new SubImageMatcher(buildPdqIndex(index.columns, index.tables, index.viewFile));
  process.stderr.write(`${dir}: ${index.count} references, ${matcher.size} entries; load ${(loaded - t).toFixed(0)} ms, index ${(cpuMs() - loaded).toFixed(0)} ms CPU\n`);
  return matcher;
}

// An even sample of the folder (every k-th name), as pdq-stages.js takes it.
const images = await sampleImages(root, imagesDir, limit);
process.stderr.write(`${images.length} images decoded\n`);

const builds = [
  // `references`: each image's matched reference id (undefined: no match), kept apart from the printed outcome.
  { name: 'base', matcher: await matcherOf(path.resolve(baseDir), setFile), ms: 0, outcomes: /** @type {string[]} */ ([]), references: /** @type {(string | undefined)[]} */ ([]) },
  { name: 'this', matcher: await matcherOf(root, setFile), ms: 0, outcomes: /** @type {string[]} */ ([]), references: /** @type {(string | undefined)[]} */ ([]) },
];
/** @param {any} o */
const describe = (o) => (o.kind === 'match' ? `${o.match.reference.id} ${o.match.distance} ${o.match.transform}` : o.kind);
for (let r = 0; r < repeat; r++) {
  for (const [i, { image }] of images.entries()) {
    // Which build goes first alternates too: the first to match an image pays for its cold caches.
    const order = (i + r) % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) {
      const t = cpuMs();
      const outcome = b.matcher.match(image);
      b.ms += cpuMs() - t;
      if (r === 0) {
        b.outcomes[i] = describe(outcome);
        b.references[i] = outcome.kind === 'match' ? outcome.match.reference.id : undefined;
      }
    }
  }
}
const n = images.length * repeat;
const [base, self] = builds;
if (!base || !self) throw new Error('two builds expected');
process.stdout.write(`${path.basename(setFile)}: base ${(base.ms / n).toFixed(1)} ms/image, this ${(self.ms / n).toFixed(1)} ms/image (x${(self.ms / base.ms).toFixed(3)}), ${images.length} images x ${repeat}\n`);
let differ = 0;
for (const [i, { name }] of images.entries()) {
  if (base.outcomes[i] === self.outcomes[i]) continue;
  differ++;
  process.stdout.write(`differs: ${name}: base=${base.outcomes[i]} | this=${self.outcomes[i]}\n`);
}
process.stdout.write(`${differ} of ${images.length} outcomes differ\n`);
const outcomesFile = arg('--outcomes');
if (outcomesFile) {
  let lost = 0;
  let moved = 0;
  for (const [i] of images.entries()) {
    const [was, now] = [base.references[i], self.references[i]];
    if (was !== undefined && now === undefined) lost++;
    else if (was !== undefined && now !== was) moved++;
  }
  const found = (/** @type {(string | undefined)[]} */ references) => references.filter((id) => id !== undefined).length;
  process.stdout.write(`matched: base ${found(base.references)}, this ${found(self.references)} of ${images.length}; lost by this ${lost}, given another reference ${moved}\n`);
  const rows = images.map(({ name }, i) => ({ name, base: base.outcomes[i], this: self.outcomes[i] }));
  await writeFile(outcomesFile, `${JSON.stringify(rows, null, 1)}\n`);
}
