#!/usr/bin/env node
// @ts-check
/**
 * What each of the reader's three crops of a text box reads (read-plates.ts CROPS), and which of
 * them read the photo's own plate: the figures behind reading a box once when its first read is a
 * confident word (confidentWord). For the photos the row test passes (openalpr endtoend us/eu/br,
 * the first --limit per region, or with --held-out those past it; or a folder of unrelated photos),
 * every gated place goes through the text detector, and every box the reader would read is read from
 * all three crops, timed (CPU). The summary gives, per set, the photos whose plate some crop reads,
 * those still read when a box whose first read is a confident word is read once, the boxes read once,
 * and the recogniser CPU that saves.
 *
 * Run:  npm run build; node scripts/bench/plate-reader-crops.js --photos DIR [--held-out] [--limit 60]
 *       node scripts/bench/plate-reader-crops.js --unrelated DIR
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
const { anyCharacterRow } = await dist('identify/plate-reader/char-rows.js');
const { loadOcrModels } = await dist('identify/plate-reader/models.js');
const { detectText } = await dist('identify/plate-reader/detect-text.js');
const { recogniseText } = await dist('identify/plate-reader/recognise.js');
const { confidentWord } = await dist('identify/plate-reader/read-plates.js');
const { lineCandidates, spellingsOf } = await dist('identify/plate-reader/spellings.js');
const { toRgb } = await dist('identify/plate-reader/raster.js');
const { normalisePlate } = await dist('identify/plates/normalise.js');

const { values } = parseArgs({
  options: { photos: { type: 'string' }, unrelated: { type: 'string' }, limit: { type: 'string', default: '60' }, 'held-out': { type: 'boolean', default: false } },
});
/** @type {{ file: string, plate?: string }[]} */
const cases = [];
if (values.photos) {
  /** @type {Record<string, number>} */
  const seen = {};
  for (const c of openalprPhotos(values.photos, ['us', 'eu', 'br'], 100_000)) {
    const count = (seen[c.region] ?? 0) + 1;
    seen[c.region] = count;
    if (count <= Number(values.limit) !== values['held-out']) cases.push({ file: path.join(c.dir, c.file), plate: c.plate });
  }
}
if (values.unrelated) for (const f of readdirSync(values.unrelated).sort()) if (/\.(jpe?g|png)$/i.test(f)) cases.push({ file: path.join(values.unrelated, f) });

// As read-plates.ts: the box as detected, widened, and widened with top and bottom trimmed.
const CROPS = [
  [0, 0],
  [0.3, 0.1],
  [0.2, -0.12],
];
/** @typedef {{ x: number, y: number, width: number, height: number }} Box */
/** @param {Box} box @param {{ width: number, height: number }} image */
const cropsOf = (box, image) =>
  CROPS.map(([px = 0, py = 0]) => {
    const x = Math.max(0, box.x - px * box.height);
    const y = Math.max(0, box.y - py * box.height);
    return { x, y, width: Math.min(image.width, box.x + box.width + px * box.height) - x, height: Math.min(image.height, box.y + box.height + py * box.height) - y };
  });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const models = await loadOcrModels();
let found = 0;
let foundOnce = 0;
let boxes = 0;
let once = 0;
let savedMs = 0;
for (const c of cases) {
  const bytes = readFileSync(c.file);
  const small = await decodeImage(bytes, { maxImagePixels: 100_000_000 });
  if (!small.ok) continue;
  const luma = lumaOf(small.image.pixels, small.image.width, small.image.height, small.image.channels);
  const { regions } = gatedRegions(luma);
  if (regions.length === 0 || !anyCharacterRow(luma, regions)) continue;
  const full = await decodeImage(bytes, { maxImagePixels: 100_000_000, maxSide: 1600 });
  if (!full.ok) continue;
  const rgb = toRgb(full.image.pixels, full.image.width, full.image.height, full.image.channels);
  const scale = full.image.width / small.image.width;
  const want = c.plate === undefined ? undefined : normalisePlate(c.plate);
  let any = false;
  let anyOnce = false;
  for (const r of regions) {
    const region = { x: r.x * scale, y: r.y * scale, width: r.width * scale, height: r.height * scale };
    for (const box of await detectText(models, rgb, region)) {
      if (box.height < 6 || box.width < box.height * 0.8) continue;
      boxes++;
      const reads = [];
      for (const crop of cropsOf(box, rgb)) {
        const t = cpu();
        const read = await recogniseText(models, rgb, crop);
        reads.push({ read, ms: cpu() - t, plate: want !== undefined && lineCandidates(read).some((/** @type {unknown} */ k) => spellingsOf(k).includes(want)) });
      }
      const word = confidentWord(reads[0]?.read);
      if (word) {
        once++;
        savedMs += (reads[1]?.ms ?? 0) + (reads[2]?.ms ?? 0);
      }
      if (reads.some((x) => x.plate)) any = true;
      if (word ? reads[0]?.plate : reads.some((x) => x.plate)) anyOnce = true;
    }
  }
  if (any) found++;
  if (anyOnce) foundOnce++;
}
console.log(
  `photos ${cases.length}: plate read from some crop in ${found}, still read with confident words read once in ${foundOnce}; boxes ${boxes}, read once ${once}, recogniser CPU saved ${Math.round(savedMs)} ms`,
);
