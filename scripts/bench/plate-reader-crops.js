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
import { parseArgs } from 'node:util';
import { cpuMs, distModule, root } from './builds.js';
import { openalprPhotos } from './openalpr.js';
import { readerInput } from './reader-input.js';

const dist = (/** @type {string} */ rel) => distModule(root, rel);
const { loadOcrModels } = await dist('identify/plate-reader/models.js');
const { detectText } = await dist('identify/plate-reader/detect-text.js');
const { recogniseText } = await dist('identify/plate-reader/recognise.js');
const { confidentWord, cropsOf } = await dist('identify/plate-reader/read-plates.js');
const { lineCandidates, spellingsOf } = await dist('identify/plate-reader/spellings.js');
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


const models = await loadOcrModels();
let found = 0;
let foundOnce = 0;
let boxes = 0;
let once = 0;
let savedMs = 0;
for (const c of cases) {
  const bytes = readFileSync(c.file);
  const input = await readerInput(root, bytes);
  if (!input) continue;
  const { rgb } = input;
  const want = c.plate === undefined ? undefined : normalisePlate(c.plate);
  let any = false;
  let anyOnce = false;
  for (const region of input.regions) {
    for (const box of await detectText(models, rgb, region)) {
      if (box.height < 6 || box.width < box.height * 0.8) continue;
      boxes++;
      const reads = [];
      for (const crop of cropsOf(box, rgb)) {
        const t = cpuMs();
        const read = await recogniseText(models, rgb, crop);
        reads.push({ read, ms: cpuMs() - t, plate: want !== undefined && lineCandidates(read).some((/** @type {unknown} */ k) => spellingsOf(k).includes(want)) });
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
