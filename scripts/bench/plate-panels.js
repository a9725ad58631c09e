#!/usr/bin/env node
// @ts-check
/**
 * The plate panels of the character-row test (char-rows.ts hasPanel), measured: for each photo the
 * 512 plane is decoded and gated as the audit does, every look is run on every gated place, and
 * every panel found (a filled plate-shaped mark with three or more marks of the other polarity
 * across it) is listed with how even its marks' heights are (standard deviation over mean) and how
 * far they reach past its sides (in panel heights). Photos some look finds a row in pass whatever
 * their panels; the summary lists, per set, the photos that only a panel passes and their most
 * plate-like panel, and how many photos pass at each limit pair. This is how PANEL_HEIGHT_SPREAD and
 * PANEL_OVERHANG were chosen: on the openalpr photos (the first --limit per region; those past it
 * are a held-out check) against a folder of unrelated photos.
 *
 * Run:  npm run build; node scripts/bench/plate-panels.js --photos DIR --unrelated DIR [--limit 60]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openalprPhotos } from './openalpr.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (/** @type {string} */ p) => import(path.join(repo, 'dist', p));
const { decodeImage } = await dist('identify/image-decode.js');
const { gatedRegions, lumaOf } = await dist('identify/plate-reader/gate.js');
const { LOOKS, hasRow } = await dist('identify/plate-reader/char-rows.js');
const { marksOf, doubledMarksOf } = await dist('identify/plate-reader/marks.js');

const { values } = parseArgs({ options: { photos: { type: 'string' }, unrelated: { type: 'string' }, limit: { type: 'string', default: '60' } } });
if (!values.photos || !values.unrelated) throw new Error('give --photos DIR and --unrelated DIR');

/** @typedef {{ x: number, y: number, width: number, height: number, pixels: number }} Mark */
/** As char-rows.ts characterLike. @param {Mark} m @param {number} regionHeight @param {number} minHeight */
function characterLike(m, regionHeight, minHeight) {
  if (m.height < minHeight || m.height > regionHeight * 0.8 || m.width > m.height * 1.1) return false;
  const fill = m.pixels / (m.width * m.height);
  return fill >= 0.2 && fill <= 0.95;
}

/** Every panel hasPanel would take without the spread and overhang limits, with those two measures. @param {Mark[]} panels @param {Mark[]} inner */
function panelsOf(panels, inner) {
  const out = [];
  for (const p of panels) {
    if (p.height < 8 || p.width < p.height * 1.4 || p.width > p.height * 6 || p.pixels < p.width * p.height * 0.5) continue;
    const on = inner.filter((m) => {
      const cx = m.x + m.width / 2;
      const cy = m.y + m.height / 2;
      if (cx < p.x || cx > p.x + p.width || cy < p.y || cy > p.y + p.height) return false;
      return m.height >= p.height * 0.2 && m.height <= p.height * 0.85 && m.width <= m.height * 1.2;
    });
    if (on.length < 3) continue;
    const left = Math.min(...on.map((m) => m.x));
    const right = Math.max(...on.map((m) => m.x + m.width));
    if (right - left < p.width * 0.5) continue;
    const mean = on.reduce((s, m) => s + m.height, 0) / on.length;
    const spread = Math.sqrt(on.reduce((s, m) => s + (m.height - mean) ** 2, 0) / on.length) / mean;
    out.push({ spread, overhang: Math.max(0, p.x - left, right - (p.x + p.width)) / p.height });
  }
  return out;
}

/** @param {string} file */
async function measure(file) {
  const decoded = await decodeImage(readFileSync(file), { maxImagePixels: 100_000_000 });
  if (!decoded.ok) return undefined;
  const luma = lumaOf(decoded.image.pixels, decoded.image.width, decoded.image.height, decoded.image.channels);
  let row = false;
  /** @type {{ spread: number, overhang: number }[]} */
  const panels = [];
  for (const region of gatedRegions(luma).regions) {
    const x0 = Math.max(0, Math.floor(region.x));
    const y0 = Math.max(0, Math.floor(region.y));
    const w = Math.min(luma.width, Math.ceil(region.x + region.width)) - x0;
    const h = Math.min(luma.height, Math.ceil(region.y + region.height)) - y0;
    if (w < 5 || h < 5) continue;
    for (const how of LOOKS) {
      const doubled = how.scale === 2;
      const [dark, light] = (doubled ? doubledMarksOf : marksOf)(luma, x0, y0, w, h, how.window, how.contrast);
      const height = doubled ? 2 * h : h;
      const minHeight = doubled ? 8 : 5;
      for (const marks of [dark, light]) if (hasRow(marks.filter((/** @type {Mark} */ m) => characterLike(m, height, minHeight)), how.minRow)) row = true;
      panels.push(...panelsOf(light, dark), ...panelsOf(dark, light));
    }
  }
  return { file: path.basename(file), row, panels };
}

/** @type {Record<string, string[]>} */
const sets = { bench: [], heldOut: [], unrelated: [] };
/** @type {Record<string, number>} */
const seen = {};
for (const c of openalprPhotos(values.photos, ['us', 'eu', 'br'], 100_000)) {
  const count = (seen[c.region] ?? 0) + 1;
  seen[c.region] = count;
  (count <= Number(values.limit) ? sets.bench : sets.heldOut)?.push(path.join(c.dir, c.file));
}
for (const f of readdirSync(values.unrelated).sort()) if (/\.(jpe?g|png)$/i.test(f)) sets.unrelated?.push(path.join(values.unrelated, f));

const LIMITS = [
  [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  [0.5, 0.25],
  [0.42, 0.25],
  [0.42, 0.1],
  [0.35, 0.1],
];
/** @typedef {{ file: string, row: boolean, panels: { spread: number, overhang: number }[] }} Photo */
for (const [name, files] of Object.entries(sets)) {
  /** @type {Photo[]} */
  const photos = [];
  for (const f of files) {
    const m = await measure(f);
    if (m) photos.push(m);
  }
  const passes = (/** @type {Photo} */ p, /** @type {number} */ spread, /** @type {number} */ overhang) =>
    p.row || p.panels.some((q) => q.spread <= spread && q.overhang <= overhang);
  console.log(`${name}: ${photos.length} decoded; passing at (spread, overhang) ${LIMITS.map(([s, o]) => `(${s}, ${o}) ${photos.filter((p) => passes(p, s ?? 0, o ?? 0)).length}`).join(', ')}`);
  for (const p of photos.filter((q) => !q.row && q.panels.length > 0)) {
    const best = p.panels.reduce((a, b) => (Math.max(b.spread / 0.42, b.overhang / 0.25) < Math.max(a.spread / 0.42, a.overhang / 0.25) ? b : a));
    console.log(`  only a panel: ${p.file.slice(0, 28).padEnd(28)} spread ${best.spread.toFixed(2)} overhang ${best.overhang.toFixed(2)}`);
  }
}
