#!/usr/bin/env node
// @ts-check
/**
 * A pre-check of the sub-image search on images with no agency content (issue 19): the quarter-plane
 * line features (picture-precheck.ts) of the share's unrelated camera-roll photos (as
 * subimage-audit.js picks them), how many photos a gate on them lets through, against how many have
 * rectangle or quad candidates, and the CPU the features cost per photo against the 320 px plane,
 * the finders and the quad candidates they would spare (same process, alternating, median of rounds).
 * Two gates: a pair of long runs of edge pixels along both axes (runAcross and runDown at least
 * --pair), or a pair of lines of as many Hough votes along both axes or a dominant edge angle off
 * the axes (|turn| >= 1 degree). Also the least features of the robustness bench's copies the gate
 * must let through, and how many of them each gate would stop.
 * Measured (session 17, 500 photos, --per-kind 8): every copy passes at 0.3 (contact sheets' runs
 * from 0.33, rotation-fill's votes from 0.34, and 24 of its 72 copies have turn 0 at 80 px, so the
 * angle cannot stand in for the quad candidates' turns), where the runs gate passes 473 photos and
 * the votes one 493, while 356 have candidates; the features cost 1.14 CPU-ms a photo against the
 * quad candidates' 0.69 and the plane's 0.84 (same process, alternating): no gate of this kind pays.
 * The 144 photos with no candidate cost the finders and quad candidates 0.31-0.34 CPU-ms per photo
 * of the 500 with their plane, which a gate needs too (0.07-0.18 of it, two runs): a perfect gate of
 * no cost spares the rest, under a tenth of what the search adds (the plane is 0.09 of that).
 *
 * Build first: npm run build
 * Run:         node scripts/bench/subimage-precheck.js [--rounds 5] [--limit 500] [--per-kind 4] [--pair 0.25,0.3,...] [--tree DIR]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { arg, unrelatedCameraRoll } from './builds.js';

const rounds = Number(arg('--rounds') ?? 5);
const limit = Number(arg('--limit') ?? 500);
const pairs = (arg('--pair') ?? '0.1,0.15,0.2,0.25,0.3,0.4').split(',').map(Number);
const { folder, names: files } = await unrelatedCameraRoll(limit);

const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { lowRes } = await import('../../dist/identify/subimage/low-res.js');
const { quadCandidates } = await import('../../dist/identify/subimage/quad-candidates.js');
const { REGION_FINDERS } = await import('../../dist/identify/subimage/sub-image-search.js');
const { pictureFeatures } = await import('./picture-precheck.js');

/** @type {{ image: any, plane: any, regions: number, quads: number, sides: number, turns: number, f: any }[]} */
const photos = [];
for (const f of files) {
  const d = await decodeImage(await readFile(path.join(folder, f)), { maxImagePixels: 100_000_000 });
  if (!d.ok) continue;
  const plane = lowRes(d.image);
  const regions = REGION_FINDERS.flatMap((/** @type {any} */ finder) => finder(d.image, plane)).length;
  const quads = quadCandidates(plane);
  const sides = quads.filter((/** @type {any} */ q) => q.method === 'quad').length;
  photos.push({ image: d.image, plane, regions, quads: quads.length, sides, turns: quads.length - sides, f: pictureFeatures(plane) });
}
const n = photos.length;
const count = (/** @type {(p: (typeof photos)[number]) => boolean} */ ok) => photos.filter(ok).length;
process.stdout.write(
  `${n} unrelated photos: ${count((p) => p.regions > 0)} with rectangle candidates, ${count((p) => p.quads > 0)} with quad candidates (${count((p) => p.sides > 0)} four-sided, ${count((p) => p.turns > 0)} turns), ${count((p) => p.regions > 0 || p.quads > 0)} with either\n`,
);
const offAxis = (/** @type {any} */ f) => Math.abs(f.turn) >= 1;
process.stdout.write(`  dominant turn off the axes: ${count((p) => offAxis(p.f))} (of the ${count((p) => p.turns > 0)} with turn candidates: ${count((p) => p.turns > 0 && offAxis(p.f))})\n`);
for (const t of pairs) {
  const runs = (/** @type {any} */ f) => Math.min(f.runAcross, f.runDown) >= t;
  process.stdout.write(`  runs >= ${t}: ${count((p) => runs(p.f))} pass; of those stopped ${count((p) => !runs(p.f) && p.regions > 0)} had rectangle and ${count((p) => !runs(p.f) && p.sides > 0)} four-sided quad candidates\n`);
  const pass = (/** @type {any} */ f) => Math.min(f.across, f.down) >= t || offAxis(f);
  process.stdout.write(
    `  pair >= ${t}: ${count((p) => Math.min(p.f.across, p.f.down) >= t)} have line pairs, the gate passes ${count((p) => pass(p.f))}; of those it stops, ${count((p) => !pass(p.f) && p.regions > 0)} had rectangle and ${count((p) => !pass(p.f) && p.quads > 0)} quad candidates\n`,
  );
}

// The copies the gate must let through: every picture-in-picture and warp case of the robustness
// bench (--per-kind references of each kind, as robustness.js renders them), straightened copies
// aside (turn-back runs whatever the gate says).
const { renderSpec, robustnessSpecs } = await import('./robustness-specs.js');
const { SUBIMAGE_CASES, applySubimageCase } = await import('./robustness-subimage.js');
const { WARP_CASES, applyWarpCase } = await import('./robustness-warp.js');
const { refs } = await robustnessSpecs(Number(arg('--per-kind') ?? 4), 0, 0);
/** @type {{ cls: string, name: string, f: any }[]} */
const copies = [];
for (const spec of refs) {
  const base = await renderSpec(spec);
  const cases = [
    ...SUBIMAGE_CASES.map((/** @type {any} */ c) => ({ c, make: () => applySubimageCase(c, base) })),
    ...WARP_CASES.filter((/** @type {any} */ c) => c.kind !== 'straighten').map((/** @type {any} */ c) => ({ c, make: () => applyWarpCase(c, base) })),
  ];
  for (const { c, make } of cases) {
    const d = await decodeImage(await make(), { maxImagePixels: 100_000_000 });
    if (d.ok) copies.push({ cls: c.class, name: `${c.name} ${spec.kind}/${spec.index}`, f: pictureFeatures(lowRes(d.image)) });
  }
}
const classes = [...new Set(copies.map((c) => c.cls))].sort();
process.stdout.write(`${copies.length} copies of the robustness bench's picture-in-picture and warp cases (straightened ones aside); least features per class:\n`);
for (const cls of classes) {
  const of = copies.filter((c) => c.cls === cls);
  const least = (/** @type {(f: any) => number} */ v) => Math.min(...of.map((c) => v(c.f))).toFixed(2);
  process.stdout.write(`  ${cls} (${of.length}): votes ${least((f) => Math.min(f.across, f.down))}, runs ${least((f) => Math.min(f.runAcross, f.runDown))}, turn 0 in ${of.filter((c) => c.f.turn === 0).length}\n`);
}
for (const t of pairs) {
  const lost = copies.filter((c) => Math.min(c.f.runAcross, c.f.runDown) < t);
  const lostVotes = copies.filter((c) => Math.min(c.f.across, c.f.down) < t && !offAxis(c.f));
  process.stdout.write(`  at ${t}: the runs gate stops ${lost.length} copies (${[...new Set(lost.map((c) => c.cls))].join(', ')}), the votes-or-turn gate ${lostVotes.length} (${[...new Set(lostVotes.map((c) => c.cls))].join(', ')})\n`);
}

/** @param {(p: (typeof photos)[number]) => unknown} run */
function cpu(run) {
  const t0 = process.cpuUsage();
  for (const p of photos) run(p);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / n;
}
/** @type {Record<string, (p: (typeof photos)[number]) => unknown>} */
const steps = {
  precheck: (p) => pictureFeatures(p.plane),
  plane: (p) => lowRes(p.image),
  finders: (p) => REGION_FINDERS.flatMap((/** @type {any} */ finder) => finder(p.image, lowRes(p.image))),
  quadCandidates: (p) => quadCandidates(p.plane),
  // What a perfect gate of no cost could spare: the finders and quad candidates (and their plane)
  // of the photos that have no candidate, averaged over all photos like every other step.
  candidateFree: (p) => {
    if (p.regions > 0 || p.quads > 0) return;
    const plane = lowRes(p.image);
    REGION_FINDERS.flatMap((/** @type {any} */ finder) => finder(p.image, plane));
    quadCandidates(plane);
  },
};
/** @type {Record<string, number[]>} */
const times = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) for (const [k, run] of Object.entries(steps)) times[k]?.push(cpu(run));
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
process.stdout.write(`CPU-ms per photo, median of ${rounds} alternating rounds (finders include their own plane: memoised per plane)\n`);
for (const [k, xs] of Object.entries(times)) process.stdout.write(`  ${k}: ${median(xs).toFixed(3)}\n`);
