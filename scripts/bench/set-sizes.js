#!/usr/bin/env node
// @ts-check
/**
 * The audit's perceptual matcher over reference sets of many sizes, in one process: what an image
 * costs, and whether the bench's planted copies are still found, as the set grows from the bench's
 * ~150 real references to a million. The scale rows (references.js) measure 1M and 10M only; an
 * agency's set for one incident is 100,000-200,000 images, between them.
 *
 *   node scripts/bench/set-sizes.js [--sizes 20000,50000,100000,200000,500000,1000000] [--limit 80] [--repeat 2] [--out FILE.md]
 *
 * Each set is the bench's real references (bench/work/tree-STAR/out/fp-refs.json, written by
 * references.js or bench.js) plus synthetic distractors (distractors.js, seed 17, cached under
 * bench/work/references/ as references.js caches its own). The images are an even sample of the
 * share's camera roll (its planted copies among them), decoded once; every set's matcher matches
 * each image in turn, alternating per image, so that the machine's load falls on all alike (CPU
 * time of this process). Prints (and with --out writes) a Markdown table: CPU ms per image per set,
 * its ratio to the real set's, and every image whose outcome differs from the real set's (a copy
 * lost, a distractor claimed, or the same reference through another stored view).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { arg, cpuMs, distModule, root } from './builds.js';
import { cachedStore, distractorSource, writeStoreFile } from './distractors.js';

const sizes = (arg('--sizes') ?? '20000,50000,100000,200000,500000,1000000').split(',').map(Number);
const limit = Number(arg('--limit') ?? 80);
const repeat = Number(arg('--repeat') ?? 2);
const work = path.join(root, 'bench', 'work');
const tree = (await readdir(work)).filter((d) => d.startsWith('tree-')).map((d) => path.join(work, d))[0];
const fpFile = tree && path.join(tree, 'out', 'fp-refs.json');
if (!fpFile || !existsSync(fpFile)) {
  process.stderr.write('no bench tree with out/fp-refs.json: run npm run bench:scale (references.js) first\n');
  process.exit(2);
}
const real = JSON.parse(await readFile(fpFile, 'utf8'));

const { loadFingerprints } = await distModule(root, 'references/load.js');
const { buildPdqIndex } = await distModule(root, 'identify/pdq/pdq-index.js');
const { SubImageMatcher } = await distModule(root, 'identify/subimage/sub-image-matcher.js');
const { decodeImage } = await distModule(root, 'identify/image-decode.js');

/** @type {{ name: string, matcher: any, ms: number, outcomes: string[] }[]} */
const sets = [];
for (const size of [0, ...sizes]) {
  let file = fpFile;
  if (size > 0) {
    const made = await cachedStore({ dir: path.join(work, 'references'), kind: 'refs', count: size, seed: 17, realDigest: real.digest }, async (partial) => {
      process.stderr.write(`writing a store of ${size.toLocaleString('en')} distractors ...\n`);
      const started = performance.now();
      const made = await writeStoreFile(partial, distractorSource(real.references, size, 17), real.plates);
      return { ...made, seconds: (performance.now() - started) / 1000 };
    });
    file = made.file;
  }
  const index = await loadFingerprints([file]);
  const matcher = new SubImageMatcher(buildPdqIndex(index.columns, index.tables, index.viewFile));
  sets.push({ name: size === 0 ? `real (${index.count})` : `${index.count.toLocaleString('en')}`, matcher, ms: 0, outcomes: [] });
  process.stderr.write(`${sets.at(-1)?.name}: ${matcher.size} index entries\n`);
}

// Every transformed copy planted in the camera roll (the ones a matcher can lose), then an even
// sample of the rest (every k-th name) up to --limit.
const imagesDir = path.join(tree, 'share', 'photos', 'camera-roll');
const planted = new Set(
  JSON.parse(await readFile(path.join(tree, 'tree.json'), 'utf8'))
    .planted.transformed.filter((/** @type {string} */ p) => p.startsWith('photos/camera-roll/'))
    .map((/** @type {string} */ p) => path.basename(p)),
);
const listed = (await readdir(imagesDir)).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
const rest = listed.filter((f) => !planted.has(f));
const stride = Math.max(1, Math.floor(rest.length / Math.max(1, limit)));
const images = [];
for (const name of [...listed.filter((f) => planted.has(f)), ...rest.filter((_, i) => i % stride === 0).slice(0, limit)]) {
  const decoded = await decodeImage(await readFile(path.join(imagesDir, name)), { maxImagePixels: 100_000_000 });
  if (decoded.ok) images.push({ name, image: decoded.image });
}
process.stderr.write(`${images.length} images decoded\n`);

/** @param {any} o */
const describe = (o) => (o.kind === 'match' ? `${o.match.reference.id} ${o.match.transform}` : o.kind);
for (let r = 0; r < repeat; r++) {
  for (const { image, name } of images) {
    for (const set of sets) {
      const t = cpuMs();
      const outcome = set.matcher.match(image);
      set.ms += cpuMs() - t;
      if (r === 0) set.outcomes.push(`${name}: ${describe(outcome)}`);
    }
  }
}
const base = /** @type {(typeof sets)[number]} */ (sets[0]);
const perImage = (/** @type {(typeof sets)[number]} */ s) => s.ms / (images.length * repeat);
const lines = [
  `# The perceptual matcher by reference-set size (scripts/bench/set-sizes.js, ${new Date().toISOString()})`,
  '',
  `${images.length} images of the bench share's camera roll (${planted.size} planted transformed copies and ${images.length - planted.size} others), each matched by every set in turn (${repeat} round${repeat === 1 ? '' : 's'}); CPU of matching alone (no decode), load average ${os.loadavg()[0]?.toFixed(1)} at the end.`,
  '',
  '| references | index entries | CPU ms per image | vs the real set | outcomes differing from the real set\'s |',
  '| --- | --- | --- | --- | --- |',
];
for (const set of sets) {
  const differ = set.outcomes.flatMap((o, i) => (o === base.outcomes[i] ? [] : [`${o} (real set: ${base.outcomes[i]?.split(': ')[1]})`]));
  lines.push(`| ${set.name} | ${set.matcher.size.toLocaleString('en')} | ${perImage(set).toFixed(1)} | ${(perImage(set) / perImage(base)).toFixed(2)}x | ${differ.length === 0 ? '0' : `${differ.length}: ${differ.join('; ')}`} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
const out = arg('--out');
if (out) await writeFile(out, `${lines.join('\n')}\n`);
