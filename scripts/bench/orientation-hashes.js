#!/usr/bin/env node
// @ts-check
/**
 * The eight dihedral hashes of a rough DCT as the quad search makes them (issue 19): one
 * transformDct and one PdqHasher.hashFromDct per orientation, as before, against
 * OrientationHashes.walk (pdq/orientation-hashes.ts: table views and four shared medians),
 * alternating, process CPU time per DCT's eight hashes, median over rounds; every hash of the
 * two is compared. The DCTs are noise, near-flat ones with ties and zeros, and sparse ones.
 *
 * Build first: npm run build
 * Run:         node scripts/bench/orientation-hashes.js [--rounds 7] [--dcts 64]
 */
import { arg, cpuMs, distModule, root } from './builds.js';

const rounds = Number(arg('--rounds') ?? 7);
const { DIHEDRAL, transformDct } = await distModule(root, 'identify/pdq/dihedral.js');
const { PdqHasher } = await distModule(root, 'identify/pdq/pdq-hasher.js');
const { newHash } = await distModule(root, 'identify/pdq/hash256.js');
const { OrientationHashes } = await distModule(root, 'identify/pdq/orientation-hashes.js');

let s = 7;
const rand = () => (s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
const dcts = Array.from({ length: Number(arg('--dcts') ?? 64) }, (_, n) =>
  Float32Array.from({ length: 256 }, (_, k) => {
    if (n % 4 === 0) return Math.round((rand() - 0.5) * 6);
    if (n % 4 === 1) return k % 9 === 0 ? (rand() - 0.5) * 100 : 0;
    return (rand() - 0.5) * 200 + (k === 0 ? 4000 : 0);
  }),
);
const hasher = new PdqHasher();
const bits = newHash();
const view = new Float32Array(256);
const walker = new OrientationHashes();
let sink = 0;
/** @param {(dct: Float32Array, each: (hash: Uint32Array) => void) => void} hashes */
const time = (hashes) => {
  const t = cpuMs();
  for (let r = 0; r < 100; r++) for (const dct of dcts) hashes(dct, (h) => (sink += h[0] ?? 0));
  return ((cpuMs() - t) / (100 * dcts.length)) * 1000;
};
/** @type {(dct: Float32Array, each: (hash: Uint32Array) => void) => void} */
const before = (dct, each) => {
  for (const d of DIHEDRAL) {
    if (d !== 'original') transformDct(dct, d, view);
    each(hasher.hashFromDct(d === 'original' ? dct : view, bits));
  }
};
/** @type {(dct: Float32Array, each: (hash: Uint32Array) => void) => void} */
const after = (dct, each) => walker.walk(dct, (/** @type {Uint32Array} */ h) => void each(h));
let differ = 0;
for (const dct of dcts) {
  /** @type {string[]} */
  const a = [];
  /** @type {string[]} */
  const b = [];
  before(dct, (h) => a.push(h.join()));
  after(dct, (h) => b.push(h.join()));
  if (a.join('|') !== b.join('|')) differ++;
}
const times = { before: /** @type {number[]} */ ([]), after: /** @type {number[]} */ ([]) };
for (let r = 0; r < rounds; r++) {
  if (r % 2) {
    times.before.push(time(before));
    times.after.push(time(after));
  } else {
    times.after.push(time(after));
    times.before.push(time(before));
  }
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
const [a, b] = [median(times.before), median(times.after)];
process.stdout.write(`${dcts.length} DCTs, ${differ} differ in any orientation's hash (${sink ? 'ran' : ''})\n`);
process.stdout.write(`  eight hashes: before ${a.toFixed(1)} us, after ${b.toFixed(1)} us (x${(b / a).toFixed(3)})\n`);
