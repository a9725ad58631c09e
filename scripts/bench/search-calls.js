#!/usr/bin/env node
// @ts-check
/**
 * Where an audit's index searches go, per caller (issue #17's per-image cost at a million
 * references): matches each image as the audit does (SubImageMatcher: whole-image stages, then the
 * sub-image search) and counts, per calling function, radius and probe depth, the searches per
 * image, their time, and the entries each visits.
 *
 *   node scripts/bench/search-calls.js --set <fp.json|store> --images <dir> [--limit 60] [--build <dir>]
 *
 * `--build` is a directory holding another build's dist/ (default this checkout's). The caller is
 * read from a stack trace taken outside the timed part; times are wall (hrtime) per search, so on a
 * loaded machine they are inflated alike and only their shares compare; the process's CPU per image
 * is printed beside them. HammingIndex.deepen (which continues a counted search) is counted on a line of its own.
 */
import { cpuMs, indexCaller, profiledMatcher, sampleImages } from './builds.js';

const { build, module, matcher, imagesDir, limit } = await profiledMatcher('search-calls.js', 60);
const { HammingIndex } = await module('identify/pdq/hamming-index.js');

/** @type {Map<string, { calls: number, ms: number, visits: number }>} */
const stats = new Map();
/**
 * Runs one index call with a visitor that counts its visits, and adds its calls, time and visits
 * to `key`'s figures.
 * @param {string} key @param {(e: number, d: number) => void} visit @param {(counted: (e: number, d: number) => void) => void} run
 */
function timed(key, visit, run) {
  let visits = 0;
  const started = process.hrtime.bigint();
  run((e, d) => {
    visits++;
    visit(e, d);
  });
  const s = stats.get(key) ?? { calls: 0, ms: 0, visits: 0 };
  s.calls++;
  s.ms += Number(process.hrtime.bigint() - started) / 1e6;
  s.visits += visits;
  stats.set(key, s);
}

const search = HammingIndex.prototype.search;
/** @param {Uint32Array} query @param {number} radius @param {(e: number, d: number) => void} visit @param {unknown} depth */
HammingIndex.prototype.search = function (query, radius, visit, depth) {
  const where = indexCaller().match(/at (\S+) .*\/([\w-]+\.js):(\d+)/);
  const key = `${where?.[1] ?? '?'} ${where?.[2] ?? '?'}:${where?.[3] ?? '?'} radius ${radius} depth ${JSON.stringify(depth)}`;
  // A query already searched for this image at the same radius and depth (by any caller) would
  // meet the same entries: counted per caller, to say what memoising searches per image could save.
  const asked = `${query.join(',')} ${radius} ${JSON.stringify(depth)}`;
  if (askedThisImage.has(asked)) repeats.set(key, (repeats.get(key) ?? 0) + 1);
  askedThisImage.add(asked);
  timed(key, visit, (counted) => search.call(this, query, radius, counted, depth));
};
/** The searches of the image being matched (see above), and the repeated ones per caller. */
const askedThisImage = new Set();
/** @type {Map<string, number>} */
const repeats = new Map();

// A deepened search (HammingIndex.deepen: the turned first-stage searches continued to the plan's
// depth when any search met something) is counted apart, under its caller's name with "deepen".
const deepen = HammingIndex.prototype.deepen;
/** @param {Uint32Array} query @param {number} radius @param {(e: number, d: number) => void} visit @param {number[]} from @param {number[]} to */
HammingIndex.prototype.deepen = function (query, radius, visit, from, to) {
  const key = `deepen radius ${radius} depth ${JSON.stringify(from)} -> ${JSON.stringify(to)}`;
  timed(key, visit, (counted) => deepen.call(this, query, radius, counted, from, to));
};

// An even sample of the folder (every k-th name), as match-ab.js takes it.
const images = (await sampleImages(build, imagesDir, limit)).map((s) => s.image);
for (const image of images.slice(0, 3)) matcher.match(image); // warm: compiled code, resident tables
stats.clear();
repeats.clear();
const cpu = cpuMs();
for (const image of images) {
  askedThisImage.clear();
  matcher.match(image);
}
const n = images.length;
process.stdout.write(`${n} images: ${((cpuMs() - cpu) / n).toFixed(1)} ms CPU per image\n`);
let total = 0;
for (const [key, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
  total += s.ms;
  const perImage = `${(s.ms / n).toFixed(2)} ms/image`.padStart(15);
  process.stdout.write(`${perImage} ${(s.calls / n).toFixed(1).padStart(6)} searches/image ${((s.ms / s.calls) * 1000).toFixed(0).padStart(6)} us each, ${(s.visits / s.calls).toFixed(1)} visits each, ${((repeats.get(key) ?? 0) / n).toFixed(1)} repeats/image  ${key}\n`);
}
process.stdout.write(`searches: ${(total / n).toFixed(2)} ms/image wall\n`);
