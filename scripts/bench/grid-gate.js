#!/usr/bin/env node
// @ts-check
/**
 * How often the crop grid's fine crops are opened, and by how near a coarse crop, per image of a
 * folder matched as the audit does (SubImageMatcher): for FINE_GRID_GATE and the fine-crop
 * selection in a large index (issue #17: chance stored hashes open the fine grid).
 *
 *   node scripts/bench/grid-gate.js --set <fp.json|store> --images <dir> [--limit 80] [--build <dir>]
 *
 * Prints, per image that reached the grid, the nearest coarse-crop distance, the fine searches it
 * made and its outcome; then the counts. Searches are told apart by their caller (a stack trace)
 * and reach (the coarse crops search out to FINE_GRID_GATE, the fine ones to the grid's radius).
 */
import { profiledMatcher, sampleImages } from './builds.js';

const { build, module, matcher, imagesDir, limit } = await profiledMatcher('grid-gate.js', 80);
const { HammingIndex } = await module('identify/pdq/hamming-index.js');
const { FINE_GRID_GATE } = await module('identify/pdq/views.js');

let coarse = Infinity;
let coarseSearches = 0;
let fineSearches = 0;
const search = HammingIndex.prototype.search;
/** @param {Uint32Array} query @param {number} radius @param {(e: number, d: number) => void} visit @param {unknown} depth */
HammingIndex.prototype.search = function (query, radius, visit, depth) {
  /** @type {{ stack?: string }} */
  const trace = {};
  Error.captureStackTrace(trace);
  const grid = /hashGrid|searchCrop/.test((trace.stack ?? '').split('\n').slice(2, 4).join(' '));
  const isCoarse = grid && radius === FINE_GRID_GATE;
  if (isCoarse) coarseSearches++;
  else if (grid) fineSearches++;
  search.call(
    this,
    query,
    radius,
    (/** @type {number} */ e, /** @type {number} */ d) => {
      if (isCoarse && d < coarse) coarse = d;
      visit(e, d);
    },
    depth,
  );
};

const counts = { images: 0, gridded: 0, opened: 0, fine: 0 };
/** @type {number[]} */
const nearest = [];
for (const { name, image } of await sampleImages(build, imagesDir, limit)) {
  coarse = Infinity;
  coarseSearches = 0;
  fineSearches = 0;
  const o = matcher.match(image);
  counts.images++;
  if (coarseSearches === 0) continue;
  counts.gridded++;
  if (fineSearches > 0) counts.opened++;
  counts.fine += fineSearches;
  nearest.push(coarse);
  const outcome = o.kind === 'match' ? `${o.match.reference.id} ${o.match.distance} ${o.match.transform}` : o.kind;
  process.stdout.write(`${name}\tnearest coarse ${coarse}\tcoarse ${coarseSearches}\tfine ${fineSearches}\t${outcome}\n`);
}
nearest.sort((a, b) => a - b);
process.stdout.write(
  `${counts.images} images, ${counts.gridded} reached the grid, ${counts.opened} opened its fine crops; ${(counts.fine / counts.images).toFixed(1)} fine searches per image; nearest coarse distances ${nearest.join(' ')}\n`,
);
