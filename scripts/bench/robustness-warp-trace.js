#!/usr/bin/env node
// @ts-check
/**
 * Traces the turned and skewed copies of the robustness bench (robustness-warp.js) stage by stage,
 * to say why a copy was missed: per copy, the audit's stages as calibration measures them (direct,
 * aligned, sub-image), then each turned/skewed candidate of the quad search (quad-candidates.ts)
 * with its rough distance to the copy's own reference and to the nearest of any reference, and the
 * full matcher's verdict on the candidate warped upright (the reference it matched and at what
 * distance, so a gate or a claim limit that dropped it shows).
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/robustness-warp-trace.js [--per-kind 4] [--cases rotate-crop-9,monitor-left] [--kinds vehicle,plate]
 */
import { parseArgs } from 'node:util';
import { ASSET_CLASS, KINDS, referenceIdOf, renderSpec, robustnessSpecs } from './robustness-specs.js';

const { values } = parseArgs({ options: { 'per-kind': { type: 'string', default: '4' }, cases: { type: 'string' }, kinds: { type: 'string' } } });
const perKind = Number(values['per-kind']);
const { WARP_CASES, applyWarpCase } = await import('./robustness-warp.js');
const { buildReferences } = await import('../../dist/calibrate/references.js');
const { CalibrationMatcher } = await import('../../dist/calibrate/measure.js');
const { decodeImage } = await import('../../dist/identify/image-decode.js');
const { pdqIndexOfReferences } = await import('../../dist/identify/pdq/pdq-index.js');
const { PerceptualMatcher } = await import('../../dist/identify/pdq/matcher.js');
const { PdqHasher } = await import('../../dist/identify/pdq/pdq-hasher.js');
const { DIHEDRAL, transformDct } = await import('../../dist/identify/pdq/dihedral.js');
const { hamming, hashFromHex } = await import('../../dist/identify/pdq/hash256.js');
const { lowRes } = await import('../../dist/identify/subimage/low-res.js');
const { quadCandidates } = await import('../../dist/identify/subimage/quad-candidates.js');
const { rectToQuad } = await import('../../dist/identify/subimage/warp-homography.js');
const { warpImage, warpPlane, WARP_MAX_SIDE } = await import('../../dist/identify/subimage/warp-image.js');

const kinds = values.kinds ? values.kinds.split(',') : KINDS;
const cases = WARP_CASES.filter((c) => !values.cases || values.cases.split(',').includes(c.name));
// robustness.js's references (its negatives and hard negatives draw their plates after them).
const specs = (await robustnessSpecs(perKind, perKind, 20)).refs;
/** @type {Buffer[]} */
const bases = [];
for (const s of specs) bases.push(await renderSpec(s));
const references = await buildReferences(specs.map((s, i) => ({ id: referenceIdOf(s), class: ASSET_CLASS[s.kind], bytes: /** @type {Buffer} */ (bases[i]) })));
const index = pdqIndexOfReferences(references);
const calibration = new CalibrationMatcher(index);
const full = new PerceptualMatcher(index, { threshold: 47, alignedThreshold: 47 });
const hasher = new PdqHasher();
const stored = references.map((r) => ({ id: r.id, hashes: (r.pdq ?? []).filter((e) => !e.variant.startsWith('tile')).map((e) => ({ variant: e.variant, hash: /** @type {Uint32Array} */ (hashFromHex(e.hash)) })) }));

/** Nearest stored (reference, variant, distance) to a DCT in any orientation. @param {Float32Array} dct @param {string | undefined} only */
function nearestTo(dct, only) {
  const turned = new Float32Array(256);
  let best = { id: '', variant: '', distance: 999 };
  for (const d of DIHEDRAL) {
    if (d !== 'original') transformDct(dct, d, turned);
    const h = hasher.hashFromDct(d === 'original' ? dct : turned);
    for (const r of stored) {
      if (only && r.id !== only) continue;
      for (const v of r.hashes) {
        const dist = hamming(h, v.hash);
        if (dist < best.distance) best = { id: r.id, variant: `${v.variant}/${d}`, distance: dist };
      }
    }
  }
  return best;
}

for (const c of cases) {
  for (let i = 0; i < specs.length; i++) {
    const s = /** @type {typeof specs[number]} */ (specs[i]);
    if (!kinds.includes(s.kind)) continue;
    const expected = `${s.kind}/${String(s.index).padStart(4, '0')}.jpg`;
    const bytes = await applyWarpCase(c, /** @type {Buffer} */ (bases[i]));
    const m = await calibration.measure(bytes);
    const hit = (/** @type {any} */ h) => (h ? `${h.distance}${h.reference === expected ? '' : `(${h.reference})`}` : '-');
    console.log(`${c.name} ${expected}: direct ${hit(m.direct)} aligned ${hit(m.aligned)} subimage ${hit(m.subimage)}`);
    const decoded = await decodeImage(bytes, { maxImagePixels: 100_000_000 });
    if (!decoded.ok) continue;
    const image = decoded.image;
    const plane = lowRes(image);
    for (const q of quadCandidates(plane)) {
      const h = rectToQuad(q.quad, 64, 64);
      if (!h) continue;
      const { dct, quality } = hasher.hashLuma(warpPlane(plane, h, 64), 64, 64);
      const own = nearestTo(dct, expected);
      const any = nearestTo(dct, undefined);
      const quad = q.quad.map((pt) => ({ x: pt.x * plane.scaleX, y: pt.y * plane.scaleY }));
      const d = (/** @type {any} */ a, /** @type {any} */ b) => Math.hypot(a.x - b.x, a.y - b.y);
      const width = (d(quad[0], quad[1]) + d(quad[3], quad[2])) / 2;
      const height = (d(quad[0], quad[3]) + d(quad[1], quad[2])) / 2;
      const shrink = Math.min(1, WARP_MAX_SIDE / Math.max(width, height));
      const w = Math.max(1, Math.round(width * shrink));
      const hh = Math.max(1, Math.round(height * shrink));
      const hw = rectToQuad(/** @type {any} */ (quad), w, hh);
      const out = hw ? full.match(warpImage(image, hw, w, hh, 1 / shrink)) : undefined;
      const verdict = out?.kind === 'match' ? `${out.match.distance}${out.match.reference.id === expected ? '' : `(${out.match.reference.id})`} ${out.match.transform} tiles ${out.match.tiles?.worst ?? '?'}` : (out?.kind ?? '-');
      console.log(`   ${q.method} rot ${q.rotation} score ${q.score.toFixed(2)} q${quality} rough own ${own.distance} ${own.variant} any ${any.distance}${any.id === expected ? '' : `(${any.id})`} -> ${verdict}`);
    }
  }
}
