#!/usr/bin/env node
// @ts-check
/**
 * Where the perceptual stage's time goes besides decoding, on one thread, for every file under a
 * folder: reading the file as the audit does (one read of the whole file), sharp alone decoding it
 * to 512 px (the decode floor of scripts/bench/sharp-decode.js), custody's decoder (sniff, cost
 * estimate, decode to 512 px), the filtered plane (luma and PDQ's tent filter), the query views
 * (border scan and the views' DCTs), and the whole match (plane and views again, then the index
 * searches, the crop stage and the tiles). CPU seconds of this thread's process, median of 3
 * rounds that alternate the stages.
 *
 *   node scripts/bench/decode-stages.js <fingerprints> <dir>
 *
 * Prints one JSON object. Needs a build (dist/). Run with UV_THREADPOOL_SIZE=1 VIPS_CONCURRENCY=1
 * to keep libvips on one thread, so that CPU seconds compare like with like.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

const [fingerprints, dir] = process.argv.slice(2);
if (!fingerprints || !dir) {
  process.stderr.write('usage: decode-stages.js <fingerprints> <dir>\n');
  process.exit(2);
}
const { loadFingerprints } = await import('../../dist/references/load.js');
const { fileContent } = await import('../../dist/sources/file-content.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { buildPdqIndex } = await import('../../dist/identify/pdq/pdq-index.js');
const { PerceptualMatcher } = await import('../../dist/identify/pdq/matcher.js');
const { FilteredPlane } = await import('../../dist/identify/pdq/filtered-plane.js');
const { queryViews } = await import('../../dist/identify/pdq/views.js');

sharp.cache(false);
const set = await loadFingerprints([fingerprints]);
const matcher = new PerceptualMatcher(buildPdqIndex(set.columns, set.tables, set.viewFile));
const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => path.join(e.parentPath, e.name))
  .sort();
const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
/** @type {Buffer[]} */
let inputs = [];
/** @type {import('../../dist/identify/image-decode.js').DecodedImage[]} */
let images = [];
const outcomes = { match: 0, 'no-match': 0, 'low-quality': 0 };

/** @type {Record<string, () => Promise<void> | void>} */
const stages = {
  read: async () => {
    inputs = [];
    for (let i = 0; i < files.length; i++) inputs.push(await fileContent(/** @type {string} */ (files[i]), /** @type {number} */ (sizes[i])).readAll());
  },
  sharpAlone: async () => {
    for (const bytes of inputs) await sharp(bytes).resize(512, 512, { fit: 'inside' }).raw().toBuffer().catch(() => undefined);
  },
  decode: async () => {
    images = [];
    for (const bytes of inputs) {
      const decoded = await decodeImage(bytes, { maxImagePixels: 1e9 });
      if (decoded.ok) images.push(decoded.image);
    }
  },
  plane: () => {
    for (const image of images) new FilteredPlane(image);
  },
  planeAndViews: () => {
    for (const image of images) queryViews(image, new FilteredPlane(image));
  },
  match: () => {
    for (const key of Object.keys(outcomes)) outcomes[/** @type {keyof typeof outcomes} */ (key)] = 0;
    for (const image of images) outcomes[matcher.match(image).kind]++;
  },
};
/** @type {Record<string, number[]>} */
const seconds = Object.fromEntries(Object.keys(stages).map((k) => [k, []]));
for (let round = 0; round < 3; round++) {
  for (const [name, run] of Object.entries(stages)) {
    const start = process.cpuUsage();
    await run();
    const used = process.cpuUsage(start);
    seconds[name]?.push((used.user + used.system) / 1e6);
  }
}
const median = (/** @type {number[]} */ v) => [...v].sort((a, b) => a - b)[v.length >> 1] ?? NaN;
const cpu = Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, Math.round(median(v) * 1000) / 1000]));
const perceptual = (cpu['read'] ?? 0) + (cpu['decode'] ?? 0) + (cpu['match'] ?? 0);
process.stdout.write(
  `${JSON.stringify({ dir, files: files.length, decoded: images.length, outcomes, cpuSeconds: cpu, perceptualVsSharpAlone: Math.round((perceptual / (cpu['sharpAlone'] ?? NaN)) * 100) / 100 }, null, 2)}\n`,
);
