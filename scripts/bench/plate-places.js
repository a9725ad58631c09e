#!/usr/bin/env node
// @ts-check
/**
 * How many text-like places the plate reader's gate (gate.ts) finds per photo, and what testing the
 * smaller ones costs: the figures behind the detector's bounds (MAX_REGIONS, MAX_PLACES,
 * MAX_EXTRA_READS). For each photo of each folder (--dir NAME=DIR, repeatable; openalpr endtoend
 * us/eu/br with --photos, the first --limit of each) the 512 plane is decoded and gated as the audit
 * does; the summary gives per set the distribution of blob counts, how many photos have blobs past
 * the first 6 (each one an incomplete audit before the smaller places were tested), how many of
 * them have a smaller place that passes the row test, and the row test's CPU on the largest places
 * and on the smaller ones, per photo and per smaller place (process.cpuUsage). With --read, also
 * what the OCR of the smaller places that pass costs (the 1600 decode when the largest places did
 * not pass, and the read of at most MAX_EXTRA_READS of them, its lookups all failing as on photos
 * without agency plates): with the row test, all that the smaller places add to an image's CPU.
 *
 * Run:  npm run build; node scripts/bench/plate-places.js --dir unrelated=DIR [--dir roll=DIR] [--photos DIR] [--limit 60] [--read]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openalprPhotos } from './openalpr.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (/** @type {string} */ p) => import(path.join(repo, 'dist', p));
const { decodeImage } = await dist('identify/image-decode.js');
const { gatedRegions, lumaOf, MAX_REGIONS } = await dist('identify/plate-reader/gate.js');
const { anyCharacterRow, hasCharacterRow } = await dist('identify/plate-reader/char-rows.js');
const { MAX_EXTRA_READS, READ_MAX_SIDE } = await dist('identify/plate-reader/detector.js');
const { loadOcrModels } = await dist('identify/plate-reader/models.js');
const { readPlates } = await dist('identify/plate-reader/read-plates.js');
const { toRgb } = await dist('identify/plate-reader/raster.js');

const { values } = parseArgs({
  options: { dir: { type: 'string', multiple: true, default: [] }, photos: { type: 'string' }, limit: { type: 'string', default: '60' }, read: { type: 'boolean', default: false } },
});
/** @type {{ set: string, file: string }[]} */
const cases = [];
for (const spec of values.dir ?? []) {
  const [set, dir] = spec.split('=');
  for (const f of readdirSync(dir ?? '').sort()) if (/\.(jpe?g|png)$/i.test(f)) cases.push({ set: set ?? '', file: path.join(dir ?? '', f) });
}
if (values.photos) for (const c of openalprPhotos(values.photos, ['us', 'eu', 'br'], Number(values.limit))) cases.push({ set: `openalpr-${c.region}`, file: path.join(c.dir, c.file) });
const models = values.read ? await loadOcrModels() : undefined;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** @type {Record<string, { photos: number, decoded: number, blobs: number[], past6: number, extraPlaces: number, passFirst: number, extraPass: number, overCap: number, stillIncomplete: number, firstMs: number, extraMs: number, readMs: number }>} */
const sets = {};
for (const c of cases) {
  const s = (sets[c.set] ??= { photos: 0, decoded: 0, blobs: [], past6: 0, extraPlaces: 0, passFirst: 0, extraPass: 0, overCap: 0, stillIncomplete: 0, firstMs: 0, extraMs: 0, readMs: 0 });
  s.photos++;
  const decoded = await decodeImage(readFileSync(c.file), { maxImagePixels: 100_000_000 });
  if (!decoded.ok) continue;
  s.decoded++;
  const luma = lumaOf(decoded.image.pixels, decoded.image.width, decoded.image.height, decoded.image.channels);
  const gated = gatedRegions(luma);
  s.blobs.push(gated.blobs);
  if (gated.regions.length === 0) continue;
  if (gated.blobs > MAX_REGIONS) s.past6++;
  let t = cpu();
  const first = anyCharacterRow(luma, gated.regions);
  s.firstMs += cpu() - t;
  if (first) s.passFirst++;
  t = cpu();
  const passing = gated.extra.filter((/** @type {unknown} */ p) => hasCharacterRow(luma, p));
  const passed = passing.length;
  s.extraMs += cpu() - t;
  if (models && passed > 0) {
    t = cpu();
    const full = await decodeImage(readFileSync(c.file), { maxImagePixels: 100_000_000, maxSide: READ_MAX_SIDE });
    if (full.ok) {
      const scale = full.image.width / luma.width;
      const places = passing.slice(0, MAX_EXTRA_READS).map((/** @type {{ x: number, y: number, width: number, height: number }} */ r) => ({ x: r.x * scale, y: r.y * scale, width: r.width * scale, height: r.height * scale }));
      await readPlates(models, toRgb(full.image.pixels, full.image.width, full.image.height, full.image.channels), places, () => false);
    }
    // The 1600 decode is the image's anyway when its largest places passed: counted all the same.
    s.readMs += cpu() - t;
  }
  s.extraPlaces += gated.extra.length;
  if (passed > 0) s.extraPass++;
  if (passed > MAX_EXTRA_READS) s.overCap++;
  if (gated.dropped > 0 || passed > MAX_EXTRA_READS) s.stillIncomplete++;
}
const quantile = (/** @type {number[]} */ xs, /** @type {number} */ q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
for (const [set, s] of Object.entries(sets)) {
  const { blobs, firstMs, extraMs, readMs, ...rest } = s;
  console.log(
    set,
    JSON.stringify({
      ...rest,
      blobsMedian: quantile(blobs, 0.5),
      blobsP90: quantile(blobs, 0.9),
      blobsMax: Math.max(0, ...blobs),
      over64: blobs.filter((b) => b > 64).length,
      firstMsPerPhoto: +(firstMs / s.decoded).toFixed(2),
      extraMsPerPhoto: +(extraMs / s.decoded).toFixed(2),
      extraMsPerPlace: +(extraMs / Math.max(1, s.extraPlaces)).toFixed(3),
      readMsPerPhoto: +(readMs / s.decoded).toFixed(2),
    }),
  );
}
