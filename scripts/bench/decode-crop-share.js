#!/usr/bin/env node
// @ts-check
/**
 * Which images the whole-image matcher sends to its crop stage, and what that costs. For every
 * image under a folder: the distance of the nearest stored hash in any of the query's views and
 * 8 orientations (the first stage's test, matcher.ts: a query with none within ORIENTATION_RADIUS
 * skips the crop stage), the matcher's outcome, whether the match came from the crop stage
 * (`/aligned:` in its transform), and the CPU time of its match. Grouped by that distance, so the
 * share of images the crop stage runs for, and the cost of the ones it finds nothing in, can be
 * read off one table. One thread; run with UV_THREADPOOL_SIZE=1 VIPS_CONCURRENCY=1.
 *
 *   node scripts/bench/decode-crop-share.js <fingerprints> <dir>
 *
 * Prints one JSON object. Needs a build (dist/).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const [fingerprints, dir] = process.argv.slice(2);
if (!fingerprints || !dir) {
  process.stderr.write('usage: decode-crop-share.js <fingerprints> <dir>\n');
  process.exit(2);
}
const { loadFingerprints } = await import('../../dist/references/load.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { buildPdqIndex } = await import('../../dist/identify/pdq/pdq-index.js');
const { PerceptualMatcher } = await import('../../dist/identify/pdq/matcher.js');
const { FilteredPlane } = await import('../../dist/identify/pdq/filtered-plane.js');
const { queryViews } = await import('../../dist/identify/pdq/views.js');
const { HammingIndex } = await import('../../dist/identify/pdq/hamming-index.js');
const { DIHEDRAL, transformDct } = await import('../../dist/identify/pdq/dihedral.js');
const { PdqHasher } = await import('../../dist/identify/pdq/pdq-hasher.js');
const { ORIENTATION_RADIUS, QUALITY_GATE } = await import('../../dist/identify/pdq/match-settings.js');

const set = await loadFingerprints([fingerprints]);
const index = buildPdqIndex(set.columns, set.tables, set.viewFile);
const matcher = new PerceptualMatcher(index);
const hamming = new HammingIndex(index.hamming);
const hasher = new PdqHasher();
const turned = new Float32Array(256);
const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => path.join(e.parentPath, e.name))
  .sort();

/** The first stage's nearest stored hash over the usable views and orientations (Infinity: none within the radius). */
const nearestOf = (/** @type {import('../../dist/identify/image-decode.js').DecodedImage} */ image) => {
  let nearest = Infinity;
  for (const view of queryViews(image, new FilteredPlane(image))) {
    if (view.result.quality < QUALITY_GATE) continue;
    for (const dihedral of DIHEDRAL) {
      transformDct(view.result.dct, dihedral, turned);
      const hit = hamming.nearest(hasher.hashFromDct(turned), ORIENTATION_RADIUS);
      if (hit && hit.distance < nearest) nearest = hit.distance;
    }
  }
  return nearest;
};
const bucket = (/** @type {number} */ d) =>
  d <= 31 ? '0-31' : d <= 60 ? '32-60' : d <= 70 ? '61-70' : d <= 80 ? '71-80' : d <= 90 ? '81-90' : d <= ORIENTATION_RADIUS ? `91-${ORIENTATION_RADIUS}` : 'none';

/** @type {Record<string, { images: number, matched: number, matchedByCropStage: number, cpuMs: number }>} */
const table = {};
let decoded = 0;
for (const file of files) {
  const result = await decodeImage(await readFile(file), { maxImagePixels: 1e9 });
  if (!result.ok) continue;
  decoded++;
  const nearest = nearestOf(result.image);
  const start = process.cpuUsage();
  const outcome = matcher.match(result.image);
  const used = process.cpuUsage(start);
  const row = (table[bucket(nearest)] ??= { images: 0, matched: 0, matchedByCropStage: 0, cpuMs: 0 });
  row.images++;
  row.cpuMs += (used.user + used.system) / 1000;
  if (outcome.kind === 'match') {
    row.matched++;
    if (outcome.match.transform.includes('/aligned:')) row.matchedByCropStage++;
  }
}
for (const row of Object.values(table)) row.cpuMs = Math.round(row.cpuMs);
const order = ['0-31', '32-60', '61-70', '71-80', '81-90', `91-${ORIENTATION_RADIUS}`, 'none'];
const byNearest = Object.fromEntries(order.filter((k) => table[k]).map((k) => [k, table[k]]));
process.stdout.write(`${JSON.stringify({ dir, files: files.length, decoded, indexEntries: matcher.size, orientationRadius: ORIENTATION_RADIUS, byNearest }, null, 2)}\n`);
