#!/usr/bin/env node
// @ts-check
/**
 * Where the plate reader's time goes, stage by stage, in one process (the audit's own functions from
 * dist/, no audit around them): for each photo, the 512 decode, the stroke gate, the character-row
 * test, the 1600 decode, and the OCR read (detector and recogniser), each timed in CPU
 * (process.cpuUsage), and whether an agency plate was found. The photos are those of
 * plates-in-images.js (openalpr endtoend us/eu/br, every other sorted plate the agency's) and a folder
 * of unrelated photos; the summary gives per-set counts of photos passing each stage, the mean CPU
 * of each stage per photo, and recall per region.
 *
 * Run:     npm run build; node scripts/bench/plate-reader-stages.js --photos DIR --unrelated DIR [--limit 60]
 * Writes:  --out FILE (per-photo rows, JSON; default none)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const { readPlates } = await dist('identify/plate-reader/read-plates.js');
const { toRgb } = await dist('identify/plate-reader/raster.js');
const { normalisePlate } = await dist('identify/plates/normalise.js');

const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    unrelated: { type: 'string' },
    limit: { type: 'string', default: '60' },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});
const REGIONS = ['us', 'eu', 'br'];
/** @type {{ set: string, file: string, plate?: string, agency?: boolean }[]} */
const cases = [];
if (values.photos && values.only !== 'unrelated') {
  for (const c of openalprPhotos(values.photos, REGIONS, Number(values.limit))) cases.push({ set: c.region, file: path.join(c.dir, c.file), plate: c.plate, agency: c.agency });
}
if (values.unrelated && values.only !== 'photos') {
  for (const f of readdirSync(values.unrelated).sort()) if (/\.(jpe?g|png)$/i.test(f)) cases.push({ set: 'unrelated', file: path.join(values.unrelated, f) });
}
const agencyPlates = new Set(cases.filter((c) => c.agency).map((c) => normalisePlate(c.plate ?? '')));

const models = await loadOcrModels();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const LIMITS = { maxImagePixels: 100_000_000 };
const rows = [];
for (const c of cases) {
  const bytes = readFileSync(c.file);
  /** @type {{ set: string, file: string, agency: boolean, decoded: boolean, gated: number, rows: boolean, found: boolean, boxes: number, ms: Record<string, number>, stats?: unknown }} */
  const row = { set: c.set, file: path.basename(c.file), agency: c.agency ?? false, decoded: false, gated: 0, rows: false, found: false, boxes: 0, ms: {} };
  let t = cpu();
  const small = await decodeImage(bytes, LIMITS);
  row.ms.decode = cpu() - t;
  if (small.ok) {
    row.decoded = true;
    const { pixels, width, height, channels } = small.image;
    t = cpu();
    const luma = lumaOf(pixels, width, height, channels);
    const { regions } = gatedRegions(luma);
    row.ms.gate = cpu() - t;
    row.gated = regions.length;
    if (regions.length > 0) {
      t = cpu();
      row.rows = anyCharacterRow(luma, regions);
      row.ms.rows = cpu() - t;
      if (row.rows) {
        t = cpu();
        const full = await decodeImage(bytes, { ...LIMITS, maxSide: 1600 });
        row.ms.decodeFull = cpu() - t;
        if (full.ok) {
          t = cpu();
          const rgb = toRgb(full.image.pixels, full.image.width, full.image.height, full.image.channels);
          const scale = full.image.width / width;
          const scaled = regions.map((/** @type {{ x: number, y: number, width: number, height: number }} */ r) => ({ x: r.x * scale, y: r.y * scale, width: r.width * scale, height: r.height * scale }));
          const reading = await readPlates(models, rgb, scaled, (/** @type {string} */ p) => agencyPlates.has(p));
          row.ms.read = cpu() - t;
          row.found = reading.found.length > 0;
          row.boxes = reading.boxes;
          if (reading.stats) row.stats = reading.stats;
        }
      }
    }
  }
  rows.push(row);
}
if (values.out) writeFileSync(values.out, `${JSON.stringify(rows, null, 1)}\n`);

for (const set of [...new Set(rows.map((r) => r.set))]) {
  const mine = rows.filter((r) => r.set === set);
  const sum = (/** @type {string} */ k) => mine.reduce((s, r) => s + (r.ms[k] ?? 0), 0);
  const per = (/** @type {string} */ k) => (sum(k) / mine.length).toFixed(1);
  const agency = mine.filter((r) => r.agency);
  const claims = mine.filter((r) => r.found);
  console.log(
    `${set.padEnd(9)} photos ${mine.length} decoded ${mine.filter((r) => r.decoded).length} gated ${mine.filter((r) => r.gated > 0).length} rows ${mine.filter((r) => r.rows).length}` +
      ` | found ${agency.filter((r) => r.found).length}/${agency.length} false ${claims.filter((r) => !r.agency).length}` +
      ` | ms/photo decode ${per('decode')} gate ${per('gate')} rows ${per('rows')} decodeFull ${per('decodeFull')} read ${per('read')} boxes ${mine.reduce((s, r) => s + r.boxes, 0)}`,
  );
}
