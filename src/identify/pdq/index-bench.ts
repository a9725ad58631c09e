import { HammingIndex } from './hamming-index.js';
import { PdqHasher } from './pdq-hasher.js';

/** What the reference-index benchmark measured. */
export interface IndexBenchFigures {
  references: number;
  variantsPerReference: number;
  storedHashes: number;
  queries: number;
  radius: number;
  buildMs: number;
  indexQueriesPerSecond: number;
  linearQueriesPerSecond: number;
  speedup: number;
  /** Both searches returned the same nearest entry and distance for every query. */
  agree: boolean;
  /** Queries with a hit within the radius (half of them are planted near-duplicates). */
  hits: number;
  /** PDQ hashes per second of a 512x341 RGB image (the decoder's output size), one core. */
  pdqHashesPerSecond: number;
}

export interface IndexBenchOptions {
  references?: number;
  variantsPerReference?: number;
  queries?: number;
  radius?: number;
  seed?: number;
}

/**
 * Times nearest-neighbour search at the match radius over `references x variants` stored hashes,
 * multi-index against a linear popcount scan, on the same queries: half are stored hashes with
 * 8-30 bits flipped (copies), half random (unrelated images). Hashes are uniformly random, which
 * favours neither method's bucket balance much at 16-bit chunks; real PDQ bits are slightly
 * correlated, making chunk buckets a little fuller.
 */
export async function runIndexBench(options: IndexBenchOptions = {}): Promise<IndexBenchFigures> {
  const references = options.references ?? 100_000;
  const variants = options.variantsPerReference ?? 1;
  const queries = options.queries ?? 2000;
  const radius = options.radius ?? 31;
  const random = xorshift(options.seed ?? 12345);
  const stored = Array.from({ length: references * variants }, () => Uint32Array.from({ length: 8 }, random));
  const probes = Array.from({ length: queries }, (_, i) => {
    if (i % 2 === 1) return Uint32Array.from({ length: 8 }, random);
    const q = Uint32Array.from(stored[random() % stored.length]!);
    const flips = 8 + (random() % 23);
    for (let b = 0; b < flips; b++) {
      const bit = random() % 256;
      q[bit >>> 5] = (q[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
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
    let best: { entry: number; distance: number } | undefined;
    index.scan(q, radius, (entry, distance) => {
      if (!best || distance < best.distance || (distance === best.distance && entry < best.entry)) best = { entry, distance };
    });
    return best;
  });
  const linearSeconds = (performance.now() - started) / 1000;
  const agree = viaIndex.every((a, i) => a?.entry === viaScan[i]?.entry && a?.distance === viaScan[i]?.distance);

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
    hits: viaIndex.filter((h) => h !== undefined).length,
    pdqHashesPerSecond: pdqRate(random),
  };
}

function pdqRate(random: () => number): number {
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

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}
