#!/usr/bin/env node
// @ts-check
/**
 * The sub-image search's steps that read only its low-resolution plane, in two builds side by side
 * in one process (issue 19): per unrelated camera-roll photo of the bench share (builds.js
 * unrelatedCameraRoll), each build's plane (lowRes), the rectangles and the quad candidates found
 * on it (their edge passes, which leave the plane resident in the edge kernels), the rough warps of
 * those quads (warpPlane at 64 px, as the quad search, and at 128, as the screen search) and the
 * ten sparse turns of turn-back (sampleQuad of centreQuad), and the screen search's content of
 * each quad (contentOf: its banded warps, then the whole where a bar reaches the band): process CPU time per step, rounds
 * alternating which build goes first, median over rounds. Every plane, rectangle list, quad list,
 * warp and turn sample of the two builds is compared too (the step's output, float32 by float32).
 *
 * Build first: npm run build
 * Run:         node scripts/bench/plane-steps-ab.js --base DIR [--rounds 5] [--limit 200] [--tree DIR]
 *              --base DIR: a directory holding the baseline's dist/ (e.g. bench/work/base)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { arg, cpuMs, distModule, root, unrelatedCameraRoll } from './builds.js';

const base = arg('--base');
if (!base) {
  process.stderr.write('usage: plane-steps-ab.js --base <dir with dist/> [--rounds n] [--limit n]\n');
  process.exit(2);
}
const rounds = Number(arg('--rounds') ?? 5);
const { folder, names } = await unrelatedCameraRoll(Number(arg('--limit') ?? 200));

/** One build's plane steps. @param {string} dir */
async function buildOf(dir) {
  const [lowRes, rectangles, quads, turnBack, warp, homography, screens] = await Promise.all(
    ['low-res', 'rectangles', 'quad-candidates', 'turn-back', 'warp-image', 'warp-homography', 'screen-search'].map((m) =>
      distModule(dir, `identify/subimage/${m}.js`),
    ),
  );
  return {
    lowRes: lowRes.lowRes,
    // In low-res.ts since session 21, in turn-back.ts before.
    sampleQuad: lowRes.sampleQuad ?? turnBack.sampleQuad,
    findRectangles: rectangles.findRectangles,
    quadCandidates: quads.quadCandidates,
    contentOf: screens.contentOf,
    centreQuad: turnBack.centreQuad,
    ...warp,
    ...homography,
  };
}
const builds = { base: await buildOf(path.resolve(base)), this: await buildOf(root) };
const { decodeImage } = await distModule(root, 'identify/image-decode.js');
/** @type {any[]} */
const images = [];
for (const name of names) {
  const decoded = await decodeImage(await readFile(path.join(folder, name)), { maxImagePixels: 100_000_000 });
  if (decoded.ok) images.push(decoded.image);
}
const TURNS = [1.5, 2.5, 5.5, 6.5, 9.5, -1.5, -2.5, -5.5, -6.5, -9.5];

/** The steps of one build on one image, each timed; the outputs, for the comparison. @param {any} b @param {any} image @param {Record<string, number>} t */
function steps(b, image, t) {
  let at = cpuMs();
  const lap = (/** @type {string} */ k) => {
    const now = cpuMs();
    t[k] = (t[k] ?? 0) + now - at;
    at = now;
  };
  const plane = b.lowRes(image);
  lap('lowRes');
  const rects = b.findRectangles(plane);
  lap('rectangles');
  const quads = b.quadCandidates(plane);
  lap('quadCandidates');
  const warps = [];
  for (const q of quads) {
    for (const size of [64, 128]) {
      const h = b.rectToQuad(q.quad, size, size);
      if (h) warps.push(b.warpPlane(plane, h, size));
    }
  }
  lap('warpPlane');
  const block = new Float32Array(64 * 64);
  const samples = [];
  for (const turn of TURNS) {
    b.sampleQuad(plane, b.centreQuad(plane.width, plane.height, turn), block);
    samples.push(block.slice());
  }
  lap('sampleQuad');
  // The screen search's first step per quad: its content inside the bars (banded warps first).
  const contents = quads.filter((/** @type {any} */ q) => q.method === 'quad').map((/** @type {any} */ q) => b.contentOf(plane, q.quad));
  lap('screenContent');
  return { plane: plane.luma, rects, quads, warps, samples, contents };
}

/** @type {Record<string, Record<string, number[]>>} */
const times = { base: {}, this: {} };
let differ = 0;
for (let r = 0; r < rounds; r++) {
  /** @type {Record<string, Record<string, number>>} */
  const round = { base: {}, this: {} };
  images.forEach((image, i) => {
    const order = (i + r) % 2 ? ['base', 'this'] : ['this', 'base'];
    /** @type {Record<string, any>} */
    const out = {};
    for (const k of order) out[k] = steps(builds[/** @type {'base' | 'this'} */ (k)], image, round[k] ?? {});
    if (r === 0 && !isDeepStrictEqual(out['base'], out['this'])) differ++;
  });
  for (const k of ['base', 'this'])
    for (const [step, ms] of Object.entries(round[k] ?? {})) {
      const list = times[k] ?? {};
      (list[step] ??= []).push(ms / images.length);
    }
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
process.stdout.write(`${images.length} unrelated camera-roll photos, ${rounds} rounds; ${differ} differ in any step's output\n`);
for (const step of Object.keys(times['this'] ?? {})) {
  const a = median(times['base']?.[step] ?? []);
  const b = median(times['this']?.[step] ?? []);
  process.stdout.write(`  ${step}: base ${a.toFixed(3)}, this ${b.toFixed(3)} CPU-ms/image (x${(b / a).toFixed(3)})\n`);
}
