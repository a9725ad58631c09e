#!/usr/bin/env node
// @ts-check
/**
 * What the sub-image search's rough gate does per image (issue #17's gate cost at 1M/10M references):
 * matches each image as the audit does (SubImageMatcher) and counts the gate's tests per region kind
 * (a rectangle sampled from the resident plane, `near`, or pixels of its own, `nearPixels`), its index
 * searches per orientation and trim view, how many tests pass, and how many tested hashes repeat one
 * already tested for the same image (so that one search per distinct hash would serve).
 *
 *   node scripts/bench/gate-profile.js --set <fp.json|store> --images <dir> [--limit 40] [--build <dir>]
 */
import { cpuMs, profiledMatcher, sampleImages } from './builds.js';

const { build, module, matcher, imagesDir, limit } = await profiledMatcher('gate-profile.js', 40);
const { HammingIndex } = await module('identify/pdq/hamming-index.js');
const { RoughGate } = await module('identify/subimage/rough-gate.js');

/** @type {Map<string, number>} */
const counts = new Map();
const add = (/** @type {string} */ key, n = 1) => counts.set(key, (counts.get(key) ?? 0) + n);
/** Which gate test is running ('near' or 'pixels'), and the n-th search inside it. */
let inGate = '';
let nth = 0;
/** Hashes the gate searched for the current image, by radius and depth. @type {Set<string>} */
let seen = new Set();

const search = HammingIndex.prototype.search;
/** @param {Uint32Array} query @param {number} radius @param {(e: number, d: number) => void} visit @param {unknown} depth */
HammingIndex.prototype.search = function (query, radius, visit, depth) {
  if (!inGate) return search.call(this, query, radius, visit, depth);
  const key = `${Array.from(query, (w) => w.toString(16)).join('.')} ${radius} ${JSON.stringify(depth)}`;
  add(`${inGate} search ${nth} radius ${radius}`);
  if (seen.has(key)) add(`${inGate} search repeated (same hash, radius, depth) this image`);
  seen.add(key);
  nth++;
  let hit = false;
  /** @param {number} e @param {number} d */
  const counted = (e, d) => {
    hit = true;
    visit(e, d);
  };
  search.call(this, query, radius, counted, depth);
  if (hit) add(`${inGate} search ${nth - 1} radius ${radius} met something`);
};

for (const [name, label] of /** @type {const} */ ([['near', 'near'], ['nearPixels', 'pixels']])) {
  const original = RoughGate.prototype[name];
  RoughGate.prototype[name] = function (/** @type {unknown[]} */ ...args) {
    inGate = label;
    nth = 0;
    const t = cpuMs();
    try {
      const passed = original.apply(this, args);
      add(`${label} CPU ms (process, all threads)`, cpuMs() - t);
      add(`${label} tests`);
      if (passed) add(`${label} passed`);
      return passed;
    } finally {
      inGate = '';
    }
  };
}

const images = (await sampleImages(build, imagesDir, limit)).map((s) => s.image);
const cpu = cpuMs();
let matched = 0;
for (const image of images) {
  seen = new Set();
  if (matcher.match(image).kind === 'match') matched++;
}
const n = images.length;
process.stdout.write(`${n} images (${matched} matched): ${((cpuMs() - cpu) / n).toFixed(1)} ms CPU per image\n`);
for (const [key, c] of [...counts].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))) {
  process.stdout.write(`${(c / n).toFixed(2).padStart(8)} per image  ${key}\n`);
}
