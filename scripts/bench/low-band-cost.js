#!/usr/bin/env node
// @ts-check
/**
 * The share of the audit's matching CPU spent in low-band lookups (low-band.ts): this checkout's
 * SubImageMatcher over a set matches a sample of images, with every LowBandIndex.search and every
 * matcher call timed, so the lookups' cost is read in one run as a share of the matching around
 * them, free of the noise of two separate matchers' totals on a shared machine (match-ab.js), and
 * counted per image. The timer's own cost (two process.cpuUsage calls a lookup) is included: an upper bound.
 *
 *   node --max-old-space-size=8192 scripts/bench/low-band-cost.js --set <store> --images <dir> [--limit 80] [--repeat 2] [--build <dir>]
 */
import { arg, cpuMs, profiledMatcher, sampleImages } from './builds.js';

const { build, module, matcher, imagesDir, limit } = await profiledMatcher('low-band-cost.js', 80);
const setFile = arg('--set') ?? '';
const repeat = Number(arg('--repeat') ?? 2);
const { LowBandIndex } = await module('identify/pdq/low-band.js');
const images = await sampleImages(build, imagesDir, limit);
let lookups = 0;
let met = 0;
let inBand = 0;
// The rough gate's wide lookups (searchWide: a candidate region's upright hash and trim views), timed apart.
let wide = 0;
let wideLookups = 0;
let inWide = false;
const searchWide = LowBandIndex.prototype.searchWide;
LowBandIndex.prototype.searchWide = function (/** @type {any[]} */ ...args) {
  const t = cpuMs();
  inWide = true;
  searchWide.apply(this, args);
  inWide = false;
  wide += cpuMs() - t;
  wideLookups++;
};
// The probe looks a key up once per orientation (near) and measures each crop against what passed (visitWithin).
for (const name of ['keyOf', 'near', 'visitWithin']) {
  const method = LowBandIndex.prototype[name];
  LowBandIndex.prototype[name] = function (/** @type {any[]} */ ...args) {
    const t = cpuMs();
    const out = method.apply(this, args);
    if (!inWide) inBand += cpuMs() - t;
    if (name === 'near') {
      lookups++;
      met += out.entries.length;
    }
    return out;
  };
}
let total = 0;
for (let r = 0; r < repeat; r++) {
  for (const { image } of images) {
    const t = cpuMs();
    matcher.match(image);
    total += cpuMs() - t;
  }
}
const n = images.length * repeat;
process.stdout.write(
  `${setFile.split('/').pop()}: matching ${(total / n).toFixed(1)} ms/image, low-band lookups ${(inBand / n).toFixed(2)} ms/image ` +
    `(${((inBand / total) * 100).toFixed(1)}% of matching; timer included), ${(lookups / n).toFixed(0)} key lookups/image meeting ${(met / Math.max(1, lookups)).toFixed(0)} stored hashes each, ${images.length} images x ${repeat}; ` +
    `the gate's wide lookups ${(wide / n).toFixed(2)} ms/image (${((wide / total) * 100).toFixed(1)}%), ${(wideLookups / n).toFixed(1)}/image\n`,
);
