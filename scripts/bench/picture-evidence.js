#!/usr/bin/env node
// @ts-check
/**
 * What index evidence each image gives the sub-image search before its costly steps (issue 19,
 * "gate-first"): per image, the nearest rough distance (eight orientations) of the rectangle and grid
 * candidates, of the quad candidates, of turn-back's sparse turns, and of a fixed set of coarse
 * windows (whole frame, centre, 2x2 and 3x3 cells, halves) sampled from the resident plane, for the
 * share's unrelated camera-roll photos (against the audit's references) and for the robustness
 * bench's picture-in-picture and warp copies (against their own references), with the method that
 * claims each copy, the share of the plane's outermost ring that is one plain level (the canvas
 * test of outline-quads.ts), and the nearest of turn-back's sparse turns. Prints distributions by
 * class; --json FILE writes the rows.
 *
 * Measured (session 20, 200 photos, --per-kind 4, 240 copies): no fixed window set is evidence: the
 * photos' nearest coarse window came within 52-94 bits (10th percentile 72), the screenshots' and
 * sheets' within 70-102, so windows that are not the picture's own frame say nothing. The finders'
 * own candidates are: the photos' nearest rectangle 74 bits or more (none inside the rough gate's
 * 70), 6 of 200 with a quad within 70; every copy claimed as a rectangle or cell 6-72. But the
 * evidence is per class: a straightened copy shows none outside turn-back's own turns (6 of 18
 * claimed by turn-back had no rectangle or quad within 70), and 3 of 5 monitor-scene copies claimed
 * by a quad or screen no rectangle within 70 and no plain ring (0.14), so only the quad search's
 * turn candidates can wait for evidence: all 29 copies they claimed had a plain ring (0.92-0.99)
 * or a sparse turn within 14-30 bits, where 12 photos had a sparse turn within 70 and none a ring
 * over 0.29 (sub-image-search.ts offAxis).
 *
 * Build first: npm run build
 * Run:         node scripts/bench/picture-evidence.js [--limit 200] [--per-kind 4] [--json FILE]
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { arg, distModule, root, treeFingerprints, unrelatedCameraRoll } from './builds.js';

const limit = Number(arg('--limit') ?? 200);
const perKind = Number(arg('--per-kind') ?? 4);
const dist = (/** @type {string} */ rel) => distModule(root, rel);
const { decodeImage } = await dist('identify/image-decode.js');
const { pdqIndexOfReferences } = await dist('identify/pdq/pdq-index.js');
const { SubImageMatcher } = await dist('identify/subimage/sub-image-matcher.js');
const { lowRes } = await dist('identify/subimage/low-res.js');
const { quadCandidates } = await dist('identify/subimage/quad-candidates.js');
const { REGION_FINDERS } = await dist('identify/subimage/sub-image-search.js');
const { OrientationHashes } = await dist('identify/pdq/orientation-hashes.js');
const { pdqKernels } = await dist('identify/pdq/simd.js');
const { PdqHasher } = await dist('identify/pdq/pdq-hasher.js');
const { buildReferences } = await dist('calibrate/references.js');
const { loadFingerprints } = await dist('references/load.js');

const hasher = new PdqHasher();
const orientations = new OrientationHashes();
/** Nearest stored hash to a DCT in any orientation (upright only with `upright`: the walk's first). */
function nearestOf(/** @type {any} */ index, /** @type {Float32Array} */ dct, upright = false) {
  let best = 256;
  orientations.walk(dct, (/** @type {any} */ hash) => {
    index.search(hash, 128, (/** @type {number} */ _, /** @type {number} */ dd) => (best = Math.min(best, dd)));
    return upright;
  });
  return best;
}
const rows64 = new Int32Array(64);
const cols64 = new Int32Array(64);
const block = new Float32Array(4096);
const dct = new Float32Array(256);
/** A query rectangle's rough DCT from the resident plane (as RoughGate.sampled). */
function sampleRect(/** @type {any} */ image, /** @type {{x:number,y:number,width:number,height:number}} */ r) {
  for (let k = 0; k < 64; k++) {
    rows64[k] = r.y + Math.trunc(((k + 0.5) * r.height) / 64);
    cols64[k] = r.x + Math.trunc(((k + 0.5) * r.width) / 64);
  }
  pdqKernels().sampleResident(image, rows64, cols64, block, dct);
  return dct;
}
/** Coarse windows in shares of the frame: whole, centre 80/60%, the 2x2 and 3x3 cells, the halves. */
const WINDOWS = [
  [0, 0, 1, 1], [0.1, 0.1, 0.8, 0.8], [0.2, 0.2, 0.6, 0.6],
  ...[0, 0.5].flatMap((y) => [0, 0.5].map((x) => [x, y, 0.5, 0.5])),
  ...[0, 1, 2].flatMap((y) => [0, 1, 2].map((x) => [x / 3, y / 3, 1 / 3, 1 / 3])),
  [0, 0, 0.5, 1], [0.5, 0, 0.5, 1], [0, 0, 1, 0.5], [0, 0.5, 1, 0.5],
];

/** Largest share of the plane's outermost ring within 4 grey levels of a frame corner's level (outline-quads.ts canvasLevel). */
function ringShare(/** @type {any} */ plane) {
  const { luma, width: w, height: h } = plane;
  const ring = 2 * (w + h) - 4;
  let best = 0;
  for (const level of [luma[0], luma[w - 1], luma[(h - 1) * w], luma[h * w - 1]]) {
    let count = 0;
    const near = (/** @type {number} */ i) => (Math.abs(luma[i] - level) <= 4 ? 1 : 0);
    for (let x = 0; x < w; x++) count += near(x) + near((h - 1) * w + x);
    for (let y = 1; y < h - 1; y++) count += near(y * w) + near(y * w + w - 1);
    best = Math.max(best, count / ring);
  }
  return best;
}
/** The evidence of one decoded image against one matcher. */
function evidence(/** @type {any} */ matcher, /** @type {any} */ image) {
  const whole = matcher.whole;
  const index = whole.hamming;
  const search = matcher.search;
  const first = whole.match(image); // leaves the query's filtered plane resident, as in the audit
  const plane = lowRes(image);
  const rects = REGION_FINDERS.flatMap((/** @type {any} */ f) => f(image, plane));
  // Rectangles and cells first: matching displaces the resident plane.
  let rect = 256;
  for (const c of rects) rect = Math.min(rect, c.pixels ? (() => { const h = hasher.hashPixels(c.pixels.pixels, c.pixels.width, c.pixels.height, c.pixels.channels); return nearestOf(index, h.dct); })() : nearestOf(index, sampleRect(image, c.region)));
  let win = 256;
  let winUp = 256;
  for (const [x = 0, y = 0, w = 1, h = 1] of WINDOWS) {
    const r = { x: Math.round(x * image.width), y: Math.round(y * image.height), width: Math.round(w * image.width), height: Math.round(h * image.height) };
    const d = sampleRect(image, r);
    winUp = Math.min(winUp, nearestOf(index, d, true));
    win = Math.min(win, nearestOf(index, d));
  }
  const quads = quadCandidates(plane);
  let quad = 256;
  let turn = 256;
  for (const q of quads) {
    const d = search.quads.rough(plane, q.quad) ?? 256;
    if (q.method === 'turn') turn = Math.min(turn, d);
    else quad = Math.min(quad, d);
  }
  // Turn-back's sparse grid (its first ten rough hashes, which every photo pays for).
  /** @type {number[]} */
  const seen = [];
  const rough = search.turns.rough;
  search.turns.rough = (/** @type {any[]} */ ...a) => { const d = rough.apply(search.turns, a); seen.push(d); return d; };
  // Turn-back makes the full rough hashes only where a coarse one came near (coarse-hash.ts): its
  // coarse look is switched off here, so that every photo's ten full distances are measured.
  const coarse = search.turns.coarse;
  search.turns.coarse = undefined;
  search.turns.find(image, plane);
  search.turns.rough = rough;
  search.turns.coarse = coarse;
  const sparse = Math.min(256, ...seen.slice(0, 10));
  const found = first.kind === 'match' ? undefined : search.find(image);
  return { sparse, turn, turns: quads.filter((/** @type {any} */ q) => q.method === 'turn').length, ring: ringShare(plane), whole: first.kind, rects: rects.length, rect, quads: quads.length, quad, win, winUp, method: first.kind === 'match' ? 'whole' : (found?.method ?? 'none'), distance: found?.match.distance };
}

/** @type {any[]} */
const out = [];
// The camera roll, against the audit's references.
const { tree, folder, names } = await unrelatedCameraRoll(limit);
const fp = await loadFingerprints([treeFingerprints(tree, 'picture-evidence.js')]);
const { buildPdqIndex } = await dist('identify/pdq/pdq-index.js');
const rollMatcher = new SubImageMatcher(buildPdqIndex(fp.columns, fp.tables, fp.viewFile));
for (const f of names) {
  const d = await decodeImage(await readFile(path.join(folder, f)), { maxImagePixels: 100_000_000 });
  if (d.ok) out.push({ set: 'roll', class: 'camera-roll', case: 'roll', ...evidence(rollMatcher, d.image) });
}
process.stderr.write(`camera roll: ${out.length}\n`);
// The robustness copies, against their own references.
const { robustnessSpecs, renderSpec, referenceIdOf, ASSET_CLASS } = await import('./robustness-specs.js');
const { SUBIMAGE_CASES, applySubimageCase } = await import('./robustness-subimage.js');
const { WARP_CASES, applyWarpCase } = await import('./robustness-warp.js');
const { refs } = await robustnessSpecs(perKind, perKind, 0);
const bytes = await Promise.all(refs.map((/** @type {any} */ s) => renderSpec(s)));
const references = await buildReferences(refs.map((/** @type {any} */ s, /** @type {number} */ i) => ({ id: referenceIdOf(s), class: /** @type {any} */ (ASSET_CLASS)[s.kind], bytes: bytes[i] })));
const copyMatcher = new SubImageMatcher(pdqIndexOfReferences(references));
for (const [i, spec] of refs.entries()) {
  /** @type {{ c: any, apply: (c: any, b: Buffer) => Promise<Buffer> }[]} */
  const cases = [...SUBIMAGE_CASES.map((c) => ({ c, apply: applySubimageCase })), ...WARP_CASES.map((c) => ({ c, apply: applyWarpCase }))];
  for (const { c, apply } of cases) {
    const copy = await apply(c, /** @type {Buffer} */ (bytes[i]));
    const d = await decodeImage(copy, { maxImagePixels: 100_000_000 });
    if (d.ok) out.push({ set: 'copy', class: c.class, case: c.name, kind: spec.kind, ...evidence(copyMatcher, d.image) });
  }
}
if (arg('--json')) await writeFile(/** @type {string} */ (arg('--json')), JSON.stringify(out));
const q = (/** @type {number[]} */ xs, /** @type {number} */ p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
/** @type {Record<string, any[]>} */
const groups = {};
for (const r of out) (groups[r.case] ??= []).push(r);
process.stdout.write('case: n, claimed; rect/quad/win/winUp min distance percentiles 0,10,50\n');
for (const [name, rs] of Object.entries(groups)) {
  const claimed = rs.filter((r) => r.method !== 'none').length;
  const f = (/** @type {string} */ k) => `${k} ${q(rs.map((r) => r[k]), 0)}/${q(rs.map((r) => r[k]), 0.1)}/${q(rs.map((r) => r[k]), 0.5)}`;
  process.stdout.write(`${name}: ${rs.length}, ${claimed}; ${['rect', 'quad', 'win', 'winUp'].map(f).join('  ')}\n`);
}
const mean = (/** @type {any[]} */ rs, /** @type {string} */ k) => (rs.reduce((s, r) => s + r[k], 0) / rs.length).toFixed(2);
process.stdout.write(`camera roll: ${mean(groups['roll'] ?? [], 'rects')} rectangle and ${mean(groups['roll'] ?? [], 'quads')} quad candidates a photo\n`);
