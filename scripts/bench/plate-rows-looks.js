#!/usr/bin/env node
// @ts-check
/**
 * Which look of the character-row test (char-rows.ts LOOKS) first passes each photo, and what each
 * look costs: the figures for deciding which look to cut or restrict. For each photo (openalpr
 * endtoend us/eu/br, the first --limit of each, every other sorted plate the agency's as in
 * plates-in-images.js; and a folder of unrelated photos) the 512 plane is decoded and gated as the
 * audit does, then every look is run on every gated place (not only until one passes, as the audit
 * does), each timed in CPU (process.cpuUsage). The summary gives per set how many photos each look
 * passes first (and the agency photos among them), the photos no look passes, and the CPU of each
 * look per photo; --out writes the per-place matrix (JSON) for further questions.
 *
 * Run:  npm run build; node scripts/bench/plate-rows-looks.js --photos DIR --unrelated DIR [--limit 60] [--out FILE]
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
const { LOOKS, look } = await dist('identify/plate-reader/char-rows.js');

const { values } = parseArgs({
  options: { photos: { type: 'string' }, unrelated: { type: 'string' }, limit: { type: 'string', default: '60' }, out: { type: 'string' } },
});
/** @type {{ set: string, file: string, agency: boolean }[]} */
const cases = [];
if (values.photos) {
  for (const c of openalprPhotos(values.photos, ['us', 'eu', 'br'], Number(values.limit))) cases.push({ set: c.region, file: path.join(c.dir, c.file), agency: c.agency });
}
if (values.unrelated) {
  for (const f of readdirSync(values.unrelated).sort()) if (/\.(jpe?g|png)$/i.test(f)) cases.push({ set: 'unrelated', file: path.join(values.unrelated, f), agency: false });
}
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rows = [];
for (const c of cases) {
  const decoded = await decodeImage(readFileSync(c.file), { maxImagePixels: 100_000_000 });
  if (!decoded.ok) continue;
  const luma = lumaOf(decoded.image.pixels, decoded.image.width, decoded.image.height, decoded.image.channels);
  const ms = LOOKS.map(() => 0);
  const places = gatedRegions(luma).regions.map((/** @type {{ x: number, y: number, width: number, height: number }} */ region) => ({
    ...region,
    looks: LOOKS.map((/** @type {unknown} */ how, /** @type {number} */ i) => {
      const t = cpu();
      const passed = look(luma, region, how);
      ms[i] += cpu() - t;
      return passed;
    }),
  }));
  const first = LOOKS.findIndex((/** @type {unknown} */ _, /** @type {number} */ i) => places.some((/** @type {{ looks: boolean[] }} */ p) => p.looks[i]));
  rows.push({ set: c.set, file: path.basename(c.file), agency: c.agency, first, ms, places });
}
if (values.out) writeFileSync(values.out, `${JSON.stringify(rows)}\n`);
for (const set of [...new Set(rows.map((r) => r.set))]) {
  const mine = rows.filter((r) => r.set === set);
  const firsts = LOOKS.map((/** @type {unknown} */ _, /** @type {number} */ i) => {
    const passed = mine.filter((r) => r.first === i);
    return `${passed.length}${set === 'unrelated' ? '' : ` (${passed.filter((r) => r.agency).length} agency)`}`;
  });
  const none = mine.filter((r) => r.first < 0);
  const perLook = LOOKS.map((/** @type {unknown} */ _, /** @type {number} */ i) => (mine.reduce((s, r) => s + (r.ms[i] ?? 0), 0) / mine.length).toFixed(2));
  console.log(`${set.padEnd(9)} decoded ${mine.length} | first passed by look ${firsts.join(' / ')} | none ${none.length} | CPU ms a photo by look ${perLook.join(' / ')}`);
}
