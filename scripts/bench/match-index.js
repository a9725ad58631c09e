#!/usr/bin/env node
// Reference-index benchmark: multi-index hashing vs a linear scan at 100,000 references.
// Build first (npm run build), then: node scripts/bench/match-index.js [references] [variants]
// The library is imported by URL at run time so that typechecking does not require a build.
import { xorshift } from './builds.js';

const dist = (/** @type {string} */ file) => new URL(`../../dist/identify/pdq/${file}`, import.meta.url).href;
/** @type {any} */
let modules;
try {
  modules = { ...(await import(dist('hamming-index.js'))), ...(await import(dist('pdq-hasher.js'))) };
} catch {
  process.stderr.write('cannot load dist/identify/pdq: run "npm run build" first\n');
  process.exit(2);
}
const { HammingIndex, PdqHasher } = modules;

/**
 * Times nearest-neighbour search at the match radius over `references x variants` stored hashes,
 * multi-index against a linear popcount scan, on the same queries: half are stored hashes with
 * 8-30 bits flipped (copies), half random (unrelated images). Hashes are uniformly random, which
 * favours neither method's bucket balance much at 16-bit chunks; real PDQ bits are slightly
 * correlated, making chunk buckets a little fuller.
 */
/**
 * @param {{ references?: number, variantsPerReference?: number, queries?: number, radius?: number, seed?: number }} [options]
 */
async function runIndexBench(options = {}) {
  const references = options.references ?? 100_000;
  const variants = options.variantsPerReference ?? 1;
  const queries = options.queries ?? 2000;
  const radius = options.radius ?? 31;
  const random = xorshift(options.seed ?? 12345);
  const stored = Array.from({ length: references * variants }, () => Uint32Array.from({ length: 8 }, random));
  const probes = Array.from({ length: queries }, (_, i) => {
    if (i % 2 === 1) return Uint32Array.from({ length: 8 }, random);
    const q = Uint32Array.from(/** @type {Uint32Array} */ (stored[random() % stored.length]));
    const flips = 8 + (random() % 23);
    for (let b = 0; b < flips; b++) {
      const bit = random() % 256;
      q[bit >>> 5] = (/** @type {number} */ (q[bit >>> 5]) ^ (1 << (bit & 31))) >>> 0;
    }
    return q;
  });
  let started = performance.now();
  const index = new HammingIndex(stored);
  const buildMs = performance.now() - started;

  started = performance.now();
  const viaIndex = probes.map((q) => index.nearest(q, radius));
  const indexSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const viaScan = probes.map((q) => {
    /** @type {{ entry: number, distance: number } | undefined} */
    let best;
    index.scan(q, radius, (/** @type {number} */ entry, /** @type {number} */ distance) => {
      if (!best || distance < best.distance || (distance === best.distance && entry < best.entry)) best = { entry, distance };
    });
    return best;
  });
  const linearSeconds = (performance.now() - started) / 1000;
  const agree = viaIndex.every((/** @type {any} */ a, /** @type {number} */ i) => a?.entry === viaScan[i]?.entry && a?.distance === viaScan[i]?.distance);

  return {
    references,
    variantsPerReference: variants,
    storedHashes: stored.length,
    queries,
    radius,
    buildMs: Math.round(buildMs),
    indexQueriesPerSecond: Math.round(queries / indexSeconds),
    linearQueriesPerSecond: Math.round(queries / linearSeconds),
    speedup: Math.round((linearSeconds / indexSeconds) * 10) / 10,
    agree,
    hits: viaIndex.filter((/** @type {unknown} */ h) => h !== undefined).length,
    pdqHashesPerSecond: pdqRate(random),
  };
}

/** @param {() => number} random */
function pdqRate(random) {
  const width = 512;
  const height = 341;
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = random() & 0xff;
  const hasher = new PdqHasher();
  for (let i = 0; i < 5; i++) hasher.hashPixels(pixels, width, height, 3);
  const n = 40;
  const started = performance.now();
  for (let i = 0; i < n; i++) hasher.hashPixels(pixels, width, height, 3);
  return Math.round((n / (performance.now() - started)) * 1000);
}


const references = Number(process.argv[2] ?? 100_000);
const variantsPerReference = Number(process.argv[3] ?? 1);
const figures = await runIndexBench({ references, variantsPerReference });
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
