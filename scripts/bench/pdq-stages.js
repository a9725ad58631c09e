#!/usr/bin/env node
// @ts-check
/**
 * Where a perceptual match's time goes, per stage, with a small and a large reference set in one
 * process (issue #17's per-image gap): decodes the images once, then matches each against each set,
 * alternating, and reports per image the first stage (matcher minus crop stage), the crop stage, how
 * many images reach it, index searches and candidates compared, and what each image matched.
 *
 *   node scripts/bench/pdq-stages.js --set <fp.json|store> [--set <store> ...] --images <dir> [--limit 80] [--repeat 1] [--subimage]
 *
 * With --subimage, each set is matched as the audit does (SubImageMatcher: the whole-image stages,
 * then the sub-image search for what they leave unmatched), and the sub-image search's share is
 * reported apart; the stage figures then cover the whole-image stages only.
 *
 * Needs a build (dist/). Single-threaded (the matcher itself, as one matching thread runs it).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const all = (/** @type {string} */ name) => argv.flatMap((a, i) => (a === name ? [argv[i + 1] ?? ''] : []));
const option = (/** @type {string} */ name, /** @type {number} */ fallback) => Number(all(name)[0] ?? fallback);
const sets = all('--set');
const imagesDir = all('--images')[0];
if (sets.length === 0 || !imagesDir) {
  process.stderr.write('usage: pdq-stages.js --set <file> [--set <file> ...] --images <dir> [--limit n] [--repeat n]\n');
  process.exit(2);
}
// CPU time of this process (the machine is shared: wall time would count other processes' turns).
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const limit = option('--limit', 80);
const repeat = option('--repeat', 1);

const { loadFingerprints } = await import(path.join(root, 'dist/references/load.js'));
const { buildPdqIndex } = await import(path.join(root, 'dist/identify/pdq/pdq-index.js'));
const { PerceptualMatcher } = await import(path.join(root, 'dist/identify/pdq/matcher.js'));
const { HammingIndex } = await import(path.join(root, 'dist/identify/pdq/hamming-index.js'));
const { decodeImage } = await import(path.join(root, 'dist/identify/image-decode.js'));
const { SubImageMatcher } = await import(path.join(root, 'dist/identify/subimage/sub-image-matcher.js'));
const { SubImageSearch } = await import(path.join(root, 'dist/identify/subimage/sub-image-search.js'));
const subimage = argv.includes('--subimage');

// Counters the patched methods fill: time in the crop stage, searches and candidates per stage.
const counters = { searchMs: 0, cropMs: 0, cropRuns: 0, searches: 0, visits: 0, cropSearches: 0, cropVisits: 0, inCrop: false, subMs: 0, subSearches: 0, inSub: false };
const find = SubImageSearch.prototype.find;
SubImageSearch.prototype.find = function (/** @type {any[]} */ ...args) {
  const t = cpuMs();
  counters.inSub = true;
  try {
    return find.apply(this, args);
  } finally {
    counters.inSub = false;
    counters.subMs += cpuMs() - t;
  }
};
const align = PerceptualMatcher.prototype.alignCrops;
PerceptualMatcher.prototype.alignCrops = function (/** @type {any[]} */ ...args) {
  if (counters.inSub) return align.apply(this, args);
  const t = cpuMs();
  counters.inCrop = true;
  try {
    return align.apply(this, args);
  } finally {
    counters.inCrop = false;
    counters.cropMs += cpuMs() - t;
    counters.cropRuns++;
  }
};
const search = HammingIndex.prototype.search;
HammingIndex.prototype.search = function (/** @type {any} */ query, /** @type {number} */ radius, /** @type {Function} */ visit, /** @type {number} */ depth) {
  if (counters.inSub) {
    counters.subSearches++;
    return search.call(this, query, radius, visit, depth);
  }
  if (counters.inCrop) counters.cropSearches++;
  else counters.searches++;
  const t = cpuMs();
  try {
    return search.call(this, query, radius, visit, depth);
  } finally {
    if (!counters.inCrop) counters.searchMs += cpuMs() - t;
  }
};

// An even sample of the folder (every k-th name), so that edited copies and camera photos both come in.
const listed = (await readdir(imagesDir)).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
const only = all('--only');
const stride = Math.max(1, Math.floor(listed.length / limit));
const names = only.length > 0 ? only : listed.filter((_, i) => i % stride === 0).slice(0, limit);
const images = [];
for (const name of names) {
  const decoded = await decodeImage(await readFile(path.join(imagesDir, name)), { maxImagePixels: 100_000_000 });
  if (decoded.ok) images.push({ name, image: decoded.image });
}
process.stderr.write(`${images.length} images decoded\n`);

/** @type {any[]} */
const matchers = [];
for (const file of sets) {
  const t = cpuMs();
  const index = await loadFingerprints([file]);
  const loaded = cpuMs();
  const pdq = buildPdqIndex(index.columns, index.tables, index.viewFile);
  const matcher = subimage ? new SubImageMatcher(pdq) : new PerceptualMatcher(pdq);
  process.stderr.write(`${path.basename(file)}: ${index.count} references, ${matcher.size} entries; load ${(loaded - t).toFixed(0)} ms, index ${(cpuMs() - loaded).toFixed(0)} ms\n`);
  matchers.push({ file: path.basename(file), matcher, totals: { ms: 0, searchMs: 0, cropMs: 0, cropRuns: 0, searches: 0, cropSearches: 0, subMs: 0, subSearches: 0 }, outcomes: /** @type {string[]} */ ([]), perImage: /** @type {number[][]} */ ([]) });
}

for (let r = 0; r < repeat; r++) {
  for (const [i, { image }] of images.entries()) {
    // Alternating sets per image, so that the machine's load falls on both alike.
    for (const m of matchers) {
      Object.assign(counters, { searchMs: 0, cropMs: 0, cropRuns: 0, searches: 0, cropSearches: 0, subMs: 0, subSearches: 0 });
      const t = cpuMs();
      const outcome = m.matcher.match(image);
      const ms = cpuMs() - t;
      m.totals.ms += ms;
      m.totals.cropMs += counters.cropMs;
      m.totals.searchMs += counters.searchMs;
      m.totals.cropRuns += counters.cropRuns;
      m.totals.searches += counters.searches;
      m.totals.cropSearches += counters.cropSearches;
      m.totals.subMs += counters.subMs;
      m.totals.subSearches += counters.subSearches;
      (m.perImage[i] ??= []).push(ms, counters.cropMs);
      if (r === 0) m.outcomes.push(outcome.kind === 'match' ? `${outcome.match.reference.id} ${outcome.match.distance} ${outcome.match.transform}` : outcome.kind);
    }
  }
}

const n = images.length * repeat;
const base = matchers[0];
for (const m of matchers) {
  const t = m.totals;
  const whole = t.ms - t.subMs;
  const sub = subimage ? `; sub-image search ${(t.subMs / n).toFixed(1)} ms (${(t.subSearches / n).toFixed(1)} searches per image)` : '';
  process.stdout.write(
    `${m.file}: ${(t.ms / n).toFixed(1)} ms/image (x${(t.ms / (base?.totals.ms ?? t.ms)).toFixed(2)}); whole-image ${(whole / n).toFixed(1)} ms (x${(whole / ((base?.totals.ms ?? t.ms) - (base?.totals.subMs ?? t.subMs))).toFixed(2)})${sub}; first stage ${((whole - t.cropMs) / n).toFixed(1)} ms (${(t.searchMs / n).toFixed(1)} of it in index searches), ` +
      `crop stage ${(t.cropMs / n).toFixed(1)} ms averaged (${t.cropRuns / repeat} of ${images.length} images, ${(t.cropMs / Math.max(1, t.cropRuns)).toFixed(0)} ms each); ` +
      `searches ${(t.searches / n).toFixed(1)} + ${(t.cropSearches / n).toFixed(1)} per image\n`,
  );
}
const differ = images.filter((_, i) => matchers.some((m) => m.outcomes[i] !== base?.outcomes[i]));
for (const { name } of differ) {
  const i = images.findIndex((im) => im.name === name);
  process.stdout.write(`differs: ${name}: ${matchers.map((m) => `${m.file}=${m.outcomes[i]}`).join(' | ')}\n`);
}
if (argv.includes('--per-image'))
  for (const [i, { name }] of images.entries())
    process.stdout.write(`${name} ${matchers.map((m) => `${m.perImage[i]?.map((/** @type {number} */ v) => v.toFixed(0)).join('/')} ${m.outcomes[i]}`).join(' | ')}\n`);
