#!/usr/bin/env node
// @ts-check
/**
 * Which first-stage searches of an audit's matcher meet anything (issue #17's first-stage cost at
 * 1M/10M references): per image, whether the upright search of each view met a stored hash within
 * the radius at the shallow depth (WIDE_GRID_DEPTH) and at the plan's, which turned orientations
 * met one, and the crop grid's searches. Says how often the first stage's deep probes are paid when
 * each orientation is deepened only on a shallow hit of its own (159362e); on a build from then on
 * the upright search is itself the shallow one (its "deep" line counts what that search met).
 *
 *   node scripts/bench/stage-hits.js --set <store> --images <dir> [--limit 40] [--build <dir>]
 */
import { indexCaller, profiledMatcher, sampleImages } from './builds.js';

const { build, module, matcher, imagesDir, limit } = await profiledMatcher('stage-hits.js', 40);
const { HammingIndex } = await module('identify/pdq/hamming-index.js');

/** @type {{ caller: string, depth: unknown, radius: number, met: number, nearest: number, shallowNearest?: number }[]} */
let calls = [];
const search = HammingIndex.prototype.search;
/** @param {Uint32Array} query @param {number} radius @param {(e: number, d: number) => void} visit @param {unknown} depth */
HammingIndex.prototype.search = function (query, radius, visit, depth) {
  const caller = indexCaller().match(/at (\S+)/)?.[1] ?? '?';
  /** @type {{ caller: string, depth: unknown, radius: number, met: number, nearest: number, shallowNearest?: number }} */
  const call = { caller, depth, radius, met: 0, nearest: Infinity };
  calls.push(call);
  search.call(this, query, radius, (/** @type {number} */ e, /** @type {number} */ d) => {
    call.met++;
    if (d < call.nearest) call.nearest = d;
    visit(e, d);
  }, depth);
  // The upright search at depth 1 too, uncounted by the matcher: what a shallow first probe would meet.
  if (caller === 'searchOrientations' && Array.isArray(depth) && depth.some((d) => d > 1)) {
    let shallow = Infinity;
    search.call(this, query, radius, (/** @type {number} */ _e, /** @type {number} */ d) => { if (d < shallow) shallow = d; }, depth.map((d) => Math.min(d, 1)));
    call.shallowNearest = shallow;
  } else if (caller === 'searchOrientations') {
    // A build that probes every orientation shallow first (159362e on): the search itself is the shallow one.
    call.shallowNearest = call.nearest;
  }
};

const images = (await sampleImages(build, imagesDir, limit)).map((s) => s.image);
const tally = new Map();
const add = (/** @type {string} */ k, n = 1) => tally.set(k, (tally.get(k) ?? 0) + n);
for (const image of images) {
  calls = [];
  const outcome = matcher.match(image);
  // The whole image's first stage: its first searches from searchOrientations (views x 8), before anything else.
  const first = [];
  for (const c of calls) { if (c.caller !== 'searchOrientations') { if (first.length) break; continue; } first.push(c); }
  const upright = first.filter((_, i) => i % 8 === 0);
  const turned = first.filter((_, i) => i % 8 !== 0);
  const turnedMetBy = new Set(turned.flatMap((c, i) => (c.met > 0 ? [i % 7] : [])));
  add('images');
  if (outcome.kind === 'match') add('matched');
  if (upright.some((c) => c.met > 0)) add('upright deep met something');
  if (upright.some((c) => (c.shallowNearest ?? Infinity) < Infinity)) add('upright shallow met something');
  if (upright.some((c) => c.met > 0) && !upright.some((c) => (c.shallowNearest ?? Infinity) < Infinity)) add('upright: deep met, shallow did not');
  if (turned.some((c) => c.met > 0)) add('turned met (deepen all)');
  add('turned orientations met', turnedMetBy.size);
  add('views', upright.length);
  add('grid searches', calls.filter((c) => c.caller === 'searchCrop').length);
}
for (const [k, v] of tally) process.stdout.write(`${String(v).padStart(5)}  ${k}\n`);
