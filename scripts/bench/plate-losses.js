#!/usr/bin/env node
// @ts-check
/**
 * Where the plate reader loses the openalpr agency photos, stage by stage (issue 21), in one process
 * with the audit's own functions from dist/: each photo goes through the reader as the detector runs
 * it (the gate's largest places read when one holds a row, the smaller ones that pass their own row
 * test when the largest gave no plate), and a photo of an agency plate that is not found is put down
 * to the first stage that lost it, using the plate's box from the photo's .txt:
 *   gate        no gated place holds the plate box's centre
 *   rows        a place holds it but no place that holds it is read (the row test failed)
 *   detector    read, but no text box covers the plate box's centre or lies half on it
 *   recogniser  a box covers it, but no read of any of its crops is within two replacements of the
 *               plate (or of the same length)
 *   spellings   some read is the plate's length and within two replacements, but its spellings miss it
 *   bounds      some spelling of a box's read is the plate, but the image's bounds (or the reader's
 *               filters) stopped first; or a smaller place holding it passed its row test but lay
 *               past the bound on such places' reads (MAX_EXTRA_READS)
 * Nothing read is printed: per photo only the stage, the plate's height in the 512 plane, and for
 * misreads of at most two characters the replaced pairs (read -> plate character, sorted), which
 * name confusions, not plates; past two, only their count.
 *
 * The US photos past the first 60 are split in two by their sorted position (the split decided
 * before looking, session 21): odd positions are the tuning set, even ones held out.
 *
 * Run:     npm run build; node scripts/bench/plate-losses.js --photos DIR [--regions us] [--out FILE]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { distModule } from './builds.js';
import { openalprPhotos } from './openalpr.js';

const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    regions: { type: 'string', default: 'us,eu,br' },
    build: { type: 'string' },
    unrelated: { type: 'string' },
    out: { type: 'string' },
  },
});
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = values.build ? path.resolve(values.build) : repo;
const dist = (/** @type {string} */ p) => distModule(build, p);
const { decodeImage } = await dist('identify/image-decode.js');
const { gatedRegions, lumaOf } = await dist('identify/plate-reader/gate.js');
const { anyCharacterRow, hasCharacterRow } = await dist('identify/plate-reader/char-rows.js');
const { loadOcrModels } = await dist('identify/plate-reader/models.js');
const { readPlates, cropsOf } = await dist('identify/plate-reader/read-plates.js');
const { detectText } = await dist('identify/plate-reader/detect-text.js');
const { recogniseText } = await dist('identify/plate-reader/recognise.js');
const { lineCandidates, spellingsOf } = await dist('identify/plate-reader/spellings.js');
const { toRgb } = await dist('identify/plate-reader/raster.js');
const { normalisePlate } = await dist('identify/plates/normalise.js');
const { MAX_EXTRA_READS, READ_MAX_SIDE } = await dist('identify/plate-reader/detector.js');

if (!values.photos) throw new Error('give --photos DIR (the openalpr endtoend folder)');
const REGIONS = ['us', 'eu', 'br'];
const wanted = new Set((values.regions ?? '').split(','));
const all = openalprPhotos(values.photos, REGIONS, 1000);
const unrelated = values.unrelated
  ? readdirSync(values.unrelated)
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .map((f) => ({ region: 'unrelated', dir: values.unrelated ?? '', file: f, plate: '', agency: false }))
  : [];
const agencyPlates = new Set(all.filter((c) => c.agency).map((c) => normalisePlate(c.plate)));
const lookup = (/** @type {string} */ p) => agencyPlates.has(p);
const models = await loadOcrModels();
const LIMITS = { maxImagePixels: 100_000_000 };

/** The plate box of a photo's .txt (x y w h in the photo's own pixels). */
function plateBox(/** @type {string} */ dir, /** @type {string} */ file) {
  const txt = readFileSync(path.join(dir, file.replace(/\.[^.]+$/, '.txt')), 'utf8').trim().split(/\s+/);
  const [x, y, w, h] = txt.slice(1, 5).map(Number);
  return { x: x ?? 0, y: y ?? 0, width: w ?? 0, height: h ?? 0 };
}
const holds = (/** @type {{x:number,y:number,width:number,height:number}} */ r, /** @type {number} */ cx, /** @type {number} */ cy) =>
  cx >= r.x && cx <= r.x + r.width && cy >= r.y && cy <= r.y + r.height;

const overlap = (/** @type {{x:number,y:number,width:number,height:number}} */ a, /** @type {typeof a} */ b) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/** Replacements turning `read` into `plate` when of one length, else undefined. */
function replaced(/** @type {string} */ read, /** @type {string} */ plate) {
  if (read.length !== plate.length) return undefined;
  const pairs = [];
  for (let i = 0; i < read.length; i++) if (read[i] !== plate[i]) pairs.push(`${read[i]}>${plate[i]}`);
  return pairs;
}

const index = new Map();
const rows = [];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (const c of [...all, ...unrelated]) {
  const i = index.get(c.region) ?? 0;
  index.set(c.region, i + 1);
  if (!wanted.has(c.region) && c.region !== 'unrelated') continue;
  const split = i < 60 ? 'first60' : i % 2 === 1 ? 'tune' : 'held';
  const plate = normalisePlate(c.plate);
  const bytes = readFileSync(path.join(c.dir, c.file));
  /** @type {Record<string, unknown>} */
  const row = { region: c.region, i, split, agency: c.agency, stage: 'found' };
  rows.push(row);
  const small = await decodeImage(bytes, LIMITS);
  if (!small.ok) {
    row.stage = 'decode';
    continue;
  }
  // The reader's CPU, the 512 decode not counted (the perceptual stage's).
  const started = cpu();
  const luma = lumaOf(small.image.pixels, small.image.width, small.image.height, small.image.channels);
  const { regions, extra } = gatedRegions(luma);
  const first = regions.length > 0 && anyCharacterRow(luma, regions) ? regions : [];
  /** @type {any[] | undefined} */
  let passedAll;
  const passing = () => (passedAll ??= extra.filter((/** @type {any} */ p) => hasCharacterRow(luma, p)));
  const smaller = () => passing().slice(0, MAX_EXTRA_READS);
  // Decoded again only when some place is read, as the detector does.
  const full = first.length > 0 || smaller().length > 0 ? await decodeImage(bytes, { ...LIMITS, maxSide: READ_MAX_SIDE }) : undefined;
  if (full && !full.ok) {
    row.stage = 'decode';
    continue;
  }
  const rgb = full ? toRgb(full.image.pixels, full.image.width, full.image.height, full.image.channels) : undefined;
  const scale = full ? full.image.width / small.image.width : 1;
  const scaled = (/** @type {any[]} */ places) => places.map((r) => ({ x: r.x * scale, y: r.y * scale, width: r.width * scale, height: r.height * scale }));
  const largest = first.length > 0 ? await readPlates(models, rgb, scaled(first), lookup) : undefined;
  const later = largest && largest.found.length > 0 ? [] : smaller();
  const more = later.length > 0 ? await readPlates(models, rgb, scaled(later), lookup) : undefined;
  row.ms = Math.round((cpu() - started) * 10) / 10;
  row.read = first.length + later.length > 0;
  row.boxes = (largest?.boxes ?? 0) + (more?.boxes ?? 0);
  row.found = (largest?.found.length ?? 0) + (more?.found.length ?? 0) > 0;
  if (c.region === 'unrelated') {
    row.stage = row.found ? 'false-claim' : row.read ? 'read' : 'not-read';
    continue;
  }
  const sharp = (await import('sharp')).default;
  const meta = await sharp(bytes).metadata();
  const box = plateBox(c.dir, c.file);
  const s512 = small.image.width / (meta.width ?? small.image.width);
  const cx = (box.x + box.width / 2) * s512;
  const cy = (box.y + box.height / 2) * s512;
  row.plateHeight512 = Math.round(box.height * s512 * 10) / 10;
  if (!c.agency) {
    row.stage = row.found ? 'false-claim' : 'other';
    continue;
  }
  if (row.found) continue;
  const gated = [...regions, ...extra].filter((r) => holds(r, cx, cy));
  if (gated.length === 0) {
    row.stage = 'gate';
    continue;
  }
  const read = [...first, ...later].filter((r) => holds(r, cx, cy));
  if (read.length === 0) {
    // A smaller place that passed its row test but lay past the reads' bound is the bound's loss.
    row.stage = later.length > 0 && passing().some((/** @type {any} */ r) => holds(r, cx, cy)) ? 'bounds' : 'rows';
    continue;
  }
  const fx = cx * scale;
  const fy = cy * scale;
  const f = scale * s512;
  const plateFull = { x: box.x * f, y: box.y * f, width: box.width * f, height: box.height * f };
  const boxes = [];
  // A box on the plate: over its centre, or half of it on the plate (one group of a plate boxed apart).
  for (const place of scaled(read)) for (const b of await detectText(models, rgb, place)) if (holds(b, fx, fy) || overlap(b, plateFull) >= 0.5 * b.width * b.height) boxes.push(b);
  if (boxes.length === 0) {
    row.stage = 'detector';
    continue;
  }
  row.boxH = Math.round(Math.max(...boxes.map((b) => b.height)));
  let best;
  let spelled = false;
  for (const b of boxes) {
    for (const crop of cropsOf(b, rgb)) {
      const line = await recogniseText(models, rgb, crop);
      for (const cand of lineCandidates(line)) {
        const text = cand.map((/** @type {{char:string}} */ ch) => ch.char).join('');
        if (spellingsOf(cand).includes(plate)) spelled = true;
        const pairs = replaced(text, plate);
        if (pairs && (!best || pairs.length < best.length)) best = pairs;
      }
    }
  }
  row.stage = spelled ? 'bounds' : best && best.length <= 2 ? 'spellings' : 'recogniser';
  // At most two pairs, sorted: more would spell out the plate (and the read) in order.
  if (best && best.length <= 2) row.replaced = [...best].sort();
  else if (best) row.replacedCount = best.length;
}
const unrelatedRows = rows.filter((r) => r.region === 'unrelated');
if (unrelatedRows.length > 0) {
  const decoded = unrelatedRows.filter((r) => r.stage !== 'decode');
  const ms = decoded.reduce((s, r) => s + Number(r.ms), 0);
  console.log(
    `unrelated photos ${unrelatedRows.length} decoded ${decoded.length} read ${decoded.filter((r) => r.read).length} boxes ${decoded.reduce((s, r) => s + Number(r.boxes), 0)}` +
      ` claimed ${decoded.filter((r) => r.found).length} | reader ${(ms / decoded.length).toFixed(1)} CPU-ms a decoded photo`,
  );
}
if (values.out) writeFileSync(values.out, `${JSON.stringify(rows, null, 1)}\n`);
for (const region of REGIONS.filter((r) => wanted.has(r))) {
  for (const split of ['first60', 'tune', 'held', 'all']) {
    const mine = rows.filter((r) => r.region === region && (split === 'all' || r.split === split));
    const agency = mine.filter((r) => r.agency);
    /** @type {Record<string, number>} */
    const stages = {};
    for (const r of agency) stages[String(r.stage)] = (stages[String(r.stage)] ?? 0) + 1;
    const falses = mine.filter((r) => r.stage === 'false-claim').length;
    console.log(`${region} ${split.padEnd(7)} found ${agency.filter((r) => r.found).length}/${agency.length} false ${falses} | ${JSON.stringify(stages)}`);
  }
}
