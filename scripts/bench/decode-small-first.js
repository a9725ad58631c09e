#!/usr/bin/env node
// @ts-check
/**
 * Would "decode small first, 512 px only for candidates" pay? For every image under a folder, the
 * audit's decoder at 512 px (what the matcher sees today) and at smaller sizes (libvips shrinks
 * JPEG on load, in the DCT), and for each: how far its whole-view PDQ hash moves, how far its
 * nearest stored hash moves (every query view, all 8 orientations, as the matcher's first stage
 * looks), and how many images a small first stage could rule out, so that only the rest pay for
 * the 512 px decode. An image can be ruled out only when, at 512 px, nothing lies within the first
 * stage's radius (searchPlan: 95 bits for sets it scans): then its outcome is `no-match` without
 * a crop search. A small decode's distances differ from the 512 px ones by up to the hash shift
 * (triangle inequality), so the small stage must keep every image within radius + shift.
 *
 *   node scripts/bench/decode-small-first.js <fingerprints> <dir> [sizes, default 128,256]
 *
 * Prints one JSON object. Needs a build (dist/). Decode times are CPU seconds on this thread,
 * alternating sizes, median of 3.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const [fingerprints, dir, sizesArg] = process.argv.slice(2);
if (!fingerprints || !dir) {
  process.stderr.write('usage: decode-small-first.js <fingerprints> <dir> [sizes]\n');
  process.exit(2);
}
const sizes = (sizesArg ?? '128,256').split(',').map(Number);
const { loadFingerprints } = await import('../../dist/references/load.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { buildPdqIndex } = await import('../../dist/identify/pdq/pdq-index.js');
const { HammingIndex } = await import('../../dist/identify/pdq/hamming-index.js');
const { FilteredPlane } = await import('../../dist/identify/pdq/filtered-plane.js');
const { queryViews } = await import('../../dist/identify/pdq/views.js');
const { dihedralHashes } = await import('../../dist/identify/pdq/dihedral.js');
const { PdqHasher } = await import('../../dist/identify/pdq/pdq-hasher.js');
const { hamming } = await import('../../dist/identify/pdq/hash256.js');
const { QUALITY_GATE, searchPlan } = await import('../../dist/identify/pdq/match-settings.js');

const set = await loadFingerprints([fingerprints]);
const index = new HammingIndex(buildPdqIndex(set.columns, set.tables, set.viewFile).hamming);
const radius = searchPlan(index.size).radius;
const hasher = new PdqHasher();
const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
  .filter((e) => e.isFile())
  .map((e) => path.join(e.parentPath, e.name))
  .sort();
/** @type {Buffer[]} */
const inputs = [];
for (const file of files) inputs.push(await readFile(file));

/** @param {import('../../dist/identify/pdq/borders.js').PixelImage} image */
function firstStage(image) {
  const plane = new FilteredPlane(image);
  const views = queryViews(image, plane);
  let nearest = 256;
  for (const view of views) {
    for (const hash of dihedralHashes(view.result.dct, hasher)) {
      index.search(hash, 256, (_entry, distance) => {
        if (distance < nearest) nearest = distance;
      });
    }
  }
  return { hash: /** @type {Uint32Array} */ (views[0]?.result.hash), quality: Math.max(...views.map((v) => v.result.quality)), nearest };
}

/** @param {number} maxSide */
async function decodeAll(maxSide) {
  const images = [];
  const start = process.cpuUsage();
  for (const bytes of inputs) {
    const decoded = await decodeImage(bytes, { maxImagePixels: 1e9, maxSide });
    images.push(decoded.ok ? decoded.image : undefined);
  }
  const used = process.cpuUsage(start);
  return { images, cpu: (used.user + used.system) / 1e6 };
}

const all = [512, ...sizes];
/** @type {Record<number, number[]>} */
const cpu = Object.fromEntries(all.map((s) => [s, []]));
/** @type {Record<number, (ReturnType<typeof firstStage> | undefined)[]>} */
const stages = {};
for (let round = 0; round < 3; round++) {
  for (const side of all) {
    const { images, cpu: seconds } = await decodeAll(side);
    cpu[side]?.push(seconds);
    if (round === 0) stages[side] = images.map((image) => image && firstStage(image));
  }
}
const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;
const quantiles = (/** @type {number[]} */ values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1) };
};
const big = stages[512] ?? [];
const decoded = big.filter(Boolean).length;
const candidates512 = big.filter((s) => s && (s.nearest <= radius || s.quality < QUALITY_GATE)).length;
const bySize = sizes.map((side) => {
  const small = stages[side] ?? [];
  const pairs = big.flatMap((b, i) => (b && small[i] ? [{ b, s: /** @type {ReturnType<typeof firstStage>} */ (small[i]) }] : []));
  const shifts = pairs.map(({ b, s }) => hamming(b.hash, s.hash));
  const maxShift = Math.max(...shifts);
  // Images the small stage must still decode at 512 px: anything within radius + margin, or whose quality is near the gate.
  const needSecond = (/** @type {number} */ margin) =>
    pairs.filter(({ s }) => s.nearest <= radius + margin || s.quality < QUALITY_GATE + margin / 4).length / pairs.length;
  const cost = (/** @type {number} */ share) => (median(cpu[side] ?? []) + share * median(cpu[512] ?? [])) / median(cpu[512] ?? []);
  return {
    side,
    decodeCpuSeconds: median(cpu[side] ?? []),
    hashShift: quantiles(shifts),
    nearestShift: quantiles(pairs.map(({ b, s }) => Math.abs(b.nearest - s.nearest))),
    secondDecodeShareNoMargin: needSecond(0),
    secondDecodeShareSafe: needSecond(maxShift),
    decodeCostVs512NoMargin: cost(needSecond(0)),
    decodeCostVs512Safe: cost(needSecond(maxShift)),
  };
});
process.stdout.write(
  `${JSON.stringify({ dir, files: files.length, decoded, storedHashes: index.size, radius, candidatesAt512: candidates512, decodeCpuSeconds512: median(cpu[512] ?? []), bySize }, null, 2)}\n`,
);
