#!/usr/bin/env node
// @ts-check
/**
 * Would the text detector cost less run only where the stroke gate saw text? For each photo the
 * reader would read (the 512 plane gated and row-tested as the audit does, the places it reads at
 * the 1600 decode), each place's detector input is cut into --tile square tiles at the detector's
 * own scale; the tiles holding a text-like gate cell (gate.ts textCells; --cells blobs: only cells
 * of the gate's blobs, 3 x 2 cells or more) are joined into rectangles, grown by --margin input
 * pixels (the detector sees context), and the detector runs on those alone; its map is stitched
 * (zero elsewhere) and boxed as detect-text.ts boxes the whole place's. The summary gives per set
 * the share of the input's pixels the rectangles cover, the detector's CPU both ways (the same
 * input, process.cpuUsage) and how many of the whole place's text boxes the tiles give again
 * exactly (to the pixel), lose or add.
 *
 * Run:  npm run build; node scripts/bench/plate-detector-tiles.js --photos DIR --unrelated DIR [--limit 60] [--tile 64] [--margin 64] [--cells blobs|all]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMs, distModule, root } from './builds.js';
import { openalprPhotos } from './openalpr.js';

const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    unrelated: { type: 'string' },
    limit: { type: 'string', default: '60' },
    tile: { type: 'string', default: '64' },
    margin: { type: 'string', default: '64' },
    cells: { type: 'string', default: 'blobs' },
  },
});
const [{ decodeImage }, { gatedRegions, lumaOf, textCells }, { anyCharacterRow, hasCharacterRow }, { loadOcrModels }, text, { toRgb }] = await Promise.all([
  distModule(root, 'identify/image-decode.js'),
  distModule(root, 'identify/plate-reader/gate.js'),
  distModule(root, 'identify/plate-reader/char-rows.js'),
  distModule(root, 'identify/plate-reader/models.js'),
  distModule(root, 'identify/plate-reader/detect-text.js'),
  distModule(root, 'identify/plate-reader/raster.js'),
]);
const T = Number(values.tile);
const M = Number(values.margin);

/** @typedef {{ x: number, y: number, width: number, height: number }} Box */
/** @type {{ set: string, file: string }[]} */
const cases = [];
if (values.photos) for (const c of openalprPhotos(values.photos, ['us', 'eu', 'br'], Number(values.limit))) cases.push({ set: c.region, file: path.join(c.dir, c.file) });
if (values.unrelated) for (const f of readdirSync(values.unrelated).sort()) if (/\.(jpe?g|png)$/i.test(f)) cases.push({ set: 'unrelated', file: path.join(values.unrelated, f) });

/** The text-like cells (of blobs, with --cells blobs) as boxes in the 512 plane. @param {any} luma @returns {Box[]} */
function cellBoxes(luma) {
  const { textLike, cols, rows, cellWidth: cw, cellHeight: ch } = textCells(luma);
  const box = (/** @type {number} */ i) => ({ x: (i % cols) * cw, y: Math.floor(i / cols) * ch, width: cw, height: ch });
  if (values.cells === 'all') return [...textLike.keys()].filter((i) => textLike[i]).map(box);
  const seen = new Uint8Array(textLike.length);
  /** @type {Box[]} */
  const out = [];
  for (let s = 0; s < textLike.length; s++) {
    if (!textLike[s] || seen[s]) continue;
    const members = [s];
    seen[s] = 1;
    for (let k = 0; k < members.length; k++) {
      const at = members[k] ?? 0;
      const c = at % cols;
      const r = (at - c) / cols;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const n = (r + dr) * cols + c + dc;
          if (r + dr < 0 || r + dr >= rows || c + dc < 0 || c + dc >= cols || !textLike[n] || seen[n]) continue;
          seen[n] = 1;
          members.push(n);
        }
      }
    }
    const cs = members.map((i) => i % cols);
    const rs = members.map((i) => Math.floor(i / cols));
    const w = (Math.max(...cs) - Math.min(...cs) + 1) * cw;
    const h = (Math.max(...rs) - Math.min(...rs) + 1) * ch;
    if (w >= 3 * cw && h >= 2 * ch && w >= h) out.push(...members.map(box));
  }
  return out;
}

/** Rectangles of the detector input (w x h) holding a cell, in 32-aligned input pixels. @param {Box[]} cells @param {Box} region @param {number} w @param {number} h */
function rectangles(cells, region, w, h) {
  const fx = region.width / w;
  const fy = region.height / h;
  const tx = Math.ceil(w / T);
  const ty = Math.ceil(h / T);
  /** @type {{ x0: number, y0: number, x1: number, y1: number }[]} */
  let rects = [];
  for (const c of cells) {
    const x0 = (c.x - region.x) / fx;
    const y0 = (c.y - region.y) / fy;
    const x1 = x0 + c.width / fx;
    const y1 = y0 + c.height / fy;
    if (x1 <= 0 || y1 <= 0 || x0 >= w || y0 >= h) continue;
    const i0 = Math.max(0, Math.floor(x0 / T));
    const j0 = Math.max(0, Math.floor(y0 / T));
    const i1 = Math.min(tx - 1, Math.floor((x1 - 1e-9) / T));
    const j1 = Math.min(ty - 1, Math.floor((y1 - 1e-9) / T));
    const grown = (/** @type {number} */ v, /** @type {number} */ to) => Math.max(0, Math.min(to, Math.round(v / 32) * 32));
    rects.push({ x0: grown(i0 * T - M, w), y0: grown(j0 * T - M, h), x1: grown((i1 + 1) * T + M, w), y1: grown((j1 + 1) * T + M, h) });
  }
  // Tiles that touch or overlap are joined, until none do: one detector run per rectangle.
  for (let joined = true; joined; ) {
    joined = false;
    for (let i = 0; i < rects.length && !joined; i++)
      for (let j = i + 1; j < rects.length && !joined; j++) {
        const p = rects[i];
        const q = rects[j];
        if (!p || !q || p.x0 > q.x1 || q.x0 > p.x1 || p.y0 > q.y1 || q.y0 > p.y1) continue;
        rects[i] = { x0: Math.min(p.x0, q.x0), y0: Math.min(p.y0, q.y0), x1: Math.max(p.x1, q.x1), y1: Math.max(p.y1, q.y1) };
        rects.splice(j, 1);
        joined = true;
      }
  }
  rects = rects.filter((r) => r.x1 > r.x0 && r.y1 > r.y0);
  return rects;
}

const models = await loadOcrModels();
/** @type {Record<string, { photos: number, boxes: number, same: number, lost: number, added: number, pixels: number, all: number, wholeMs: number, tiledMs: number }>} */
const sets = {};
for (const c of cases) {
  const bytes = readFileSync(c.file);
  const small = await decodeImage(bytes, { maxImagePixels: 1e8 });
  if (!small.ok) continue;
  const luma = lumaOf(small.image.pixels, small.image.width, small.image.height, small.image.channels);
  const { regions, extra } = gatedRegions(luma);
  const places = [...(regions.length > 0 && anyCharacterRow(luma, regions) ? regions : []), ...extra.filter((/** @type {Box} */ p) => hasCharacterRow(luma, p)).slice(0, 6)];
  if (places.length === 0) continue;
  const full = await decodeImage(bytes, { maxImagePixels: 1e8, maxSide: 1600 });
  if (!full.ok) continue;
  const rgb = toRgb(full.image.pixels, full.image.width, full.image.height, full.image.channels);
  const s = full.image.width / small.image.width;
  const scaled = (/** @type {Box} */ r) => ({ x: r.x * s, y: r.y * s, width: r.width * s, height: r.height * s });
  const cells = cellBoxes(luma).map(scaled);
  const set = (sets[c.set] ??= { photos: 0, boxes: 0, same: 0, lost: 0, added: 0, pixels: 0, all: 0, wholeMs: 0, tiledMs: 0 });
  set.photos++;
  for (const place of places.map(scaled)) {
    const { input, width: w, height: h } = text.detectorInput(rgb, place);
    let t = cpuMs();
    const whole = text.boxesOf(await text.textProbabilities(models, input, w, h), w, h, place, rgb);
    set.wholeMs += cpuMs() - t;
    t = cpuMs();
    const map = new Float32Array(w * h);
    for (const r of rectangles(cells, place, w, h)) {
      const rw = r.x1 - r.x0;
      const rh = r.y1 - r.y0;
      const sub = new Float32Array(3 * rw * rh);
      for (let p = 0; p < 3; p++)
        for (let y = 0; y < rh; y++) sub.set(input.subarray(p * w * h + (r.y0 + y) * w + r.x0, p * w * h + (r.y0 + y) * w + r.x1), p * rw * rh + y * rw);
      const part = await text.textProbabilities(models, sub, rw, rh);
      for (let y = 0; y < rh; y++)
        for (let x = 0; x < rw; x++) map[(r.y0 + y) * w + r.x0 + x] = Math.max(map[(r.y0 + y) * w + r.x0 + x] ?? 0, part[y * rw + x] ?? 0);
      set.pixels += rw * rh;
    }
    const tiled = text.boxesOf(map, w, h, place, rgb);
    set.tiledMs += cpuMs() - t;
    set.all += w * h;
    const key = (/** @type {Box} */ b) => [b.x, b.y, b.width, b.height].map(Math.round).join(',');
    const before = new Set(whole.map(key));
    const after = new Set(tiled.map(key));
    set.boxes += before.size;
    set.same += [...before].filter((k) => after.has(k)).length;
    set.lost += [...before].filter((k) => !after.has(k)).length;
    set.added += [...after].filter((k) => !before.has(k)).length;
  }
}
console.log(`tile ${T} margin ${M} cells ${values.cells}`);
for (const [name, r] of Object.entries(sets))
  console.log(
    `${name.padEnd(9)} photos read ${r.photos} | input pixels run ${(r.pixels / r.all).toFixed(3)} | detector CPU tiled/whole ${(r.tiledMs / r.wholeMs).toFixed(3)} (${Math.round(r.wholeMs)} ms whole)` +
      ` | boxes ${r.boxes}: same ${r.same}, lost ${r.lost}, added ${r.added}`,
  );
