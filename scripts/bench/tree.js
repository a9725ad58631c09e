// @ts-check
/**
 * The benchmark's synthetic share and agency reference set, generated once per parameter set under
 * bench/work/<hash>/ and reused while the parameters (and GENERATOR) are unchanged.
 *
 * Layout of <hash>/: agency/ (references: vehicles/, plates/, travelers/, plate-reads/), plate.key,
 * share/ (the audited tree), tree.json (what was planted where, counts and bytes).
 * Only a few dozen images are rendered; thousands of photos come from cheap sharp re-framings
 * (crop, resize, quality) of those renders, and from byte-level copies (JPEG comments), so the
 * generation stays within minutes on two cores.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { generatePlates, plateReads, plateReadsCsv } from '../synth/plates.js';
import { rng, subSeed } from '../synth/prng.js';
import { plateCrop, travelerPortrait, vehicleCapture } from '../synth/scenes.js';
import { applyCase, ROBUSTNESS_CASES } from '../synth/transforms.js';
import { writeZip } from '../synth/zip.js';
import { prose, smallLog, smallRandom, withJpegComment, writeRandomFile, writeRecordFile } from './content.js';

/** Bump when the generator's output changes, so cached trees are rebuilt. */
const GENERATOR = 1;

/**
 * @typedef {object} TreeParams
 * @property {number} seed
 * @property {number} files audited files in share/ (at least)
 * @property {number} bigBytes bytes in big random binaries
 * @property {number} recordBytes bytes in large plate-record files (4 files)
 * @property {number} refsPerKind agency references per kind (vehicle, plate crop, portrait)
 * @property {number} basesPerKind non-agency renders per kind, source of the share's photos
 * @property {number} variants distinct re-framed photos; each is also written `copies` times
 * @property {number} copies byte-level copies per variant
 * @property {number} subsetPhotos non-agency photos in the image subset (photos/camera-roll)
 * @property {number} plantExact exact copies of references planted (a tenth of them in zips)
 * @property {number} plantTransformed transformed copies planted in the image subset
 */

/** @type {TreeParams} */
export const FULL = {
  seed: 8, files: 20_400, bigBytes: 1800 * 2 ** 20, recordBytes: 200 * 2 ** 20, refsPerKind: 50, basesPerKind: 12,
  variants: 1000, copies: 6, subsetPhotos: 500, plantExact: 60, plantTransformed: 100,
};

/** @type {TreeParams} */
export const QUICK = {
  seed: 8, files: 1500, bigBytes: 64 * 2 ** 20, recordBytes: 16 * 2 ** 20, refsPerKind: 8, basesPerKind: 3,
  variants: 100, copies: 3, subsetPhotos: 40, plantExact: 10, plantTransformed: 14,
};

/**
 * @typedef {object} Tree
 * @property {string} dir bench/work/<hash>
 * @property {string} agency
 * @property {string} share
 * @property {string} plateKey path of the plate key file
 * @property {string} imageSubset share-relative folder holding the image subset
 * @property {string} records share-relative folder holding the large plate-record files
 * @property {{ files: number, bytes: number, byKind: Record<string, number>, references: number, agencyPlates: number }} stats
 * @property {{ exact: string[], transformed: string[] }} planted share-relative paths (zip members as zip!member)
 * @property {TreeParams} params
 * @property {boolean} reused
 */

/**
 * Returns the tree for `params`, generating it when bench/work/<hash>/tree.json is absent.
 * @param {string} workDir
 * @param {TreeParams} params
 * @param {(line: string) => void} log
 * @returns {Promise<Tree>}
 */
export async function ensureTree(workDir, params, log) {
  const hash = createHash('sha256').update(JSON.stringify({ GENERATOR, params })).digest('hex').slice(0, 12);
  const dir = path.join(workDir, `tree-${hash}`);
  const done = path.join(dir, 'tree.json');
  if (existsSync(done)) {
    const stored = JSON.parse(await readFile(done, 'utf8'));
    return { ...stored, dir, agency: path.join(dir, 'agency'), share: path.join(dir, 'share'), plateKey: path.join(dir, 'plate.key'), reused: true };
  }
  await rm(dir, { recursive: true, force: true });
  const tree = await generate(dir, params, log);
  await writeFile(done, `${JSON.stringify({ ...tree, dir: undefined, agency: undefined, share: undefined, plateKey: undefined, reused: undefined }, null, 2)}\n`);
  return tree;
}

/**
 * Runs `task` over `items` with `limit` in flight.
 * @template T
 * @param {readonly T[]} items
 * @param {number} limit
 * @param {(item: T, index: number) => Promise<void>} task
 */
async function pool(items, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await task(/** @type {T} */ (items[i]), i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * @param {string} dir
 * @param {TreeParams} p
 * @param {(line: string) => void} log
 * @returns {Promise<Tree>}
 */
async function generate(dir, p, log) {
  const agency = path.join(dir, 'agency');
  const share = path.join(dir, 'share');
  const r = rng(subSeed(p.seed, 'tree'));
  /** @type {Record<string, number>} */
  const byKind = {};
  let files = 0;
  let bytes = 0;
  /** @param {string} rel @param {Buffer | string} data @param {string} kind */
  const put = async (rel, data, kind) => {
    const file = path.join(share, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    files += 1;
    bytes += Buffer.byteLength(data);
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  };

  const agencyPlates = generatePlates({ seed: subSeed(p.seed, 'agency'), count: p.refsPerKind * 3 });
  const otherPlates = generatePlates({ seed: subSeed(p.seed, 'other'), count: 5000, exclude: new Set(agencyPlates) });
  const plateKey = path.join(dir, 'plate.key');
  await mkdir(path.join(agency, 'plate-reads'), { recursive: true });
  await writeFile(plateKey, `${createHash('sha256').update(`bench-key-${p.seed}`).digest('hex')}\n`);
  await writeFile(path.join(agency, 'plate-reads', 'reads-2026-10.csv'), plateReadsCsv(plateReads({ seed: p.seed, count: agencyPlates.length * 2, plates: agencyPlates })));

  // 1. Renders: agency references and the non-agency sources of the share's photos.
  log(`rendering ${p.refsPerKind * 3} references and ${p.basesPerKind * 3} photo sources ...`);
  /** @param {'vehicles' | 'plates' | 'travelers'} kind @param {number} seed @param {string} plate */
  const render = (kind, seed, plate) =>
    kind === 'vehicles'
      ? vehicleCapture({ seed, cameraId: ['L3-C07', 'L4-C09', 'L1-C02'][seed % 3] ?? 'L3-C07', plate, timestamp: new Date(Date.UTC(2026, 9, 1) + seed * 61_000), quality: 88 })
      : kind === 'plates'
        ? plateCrop({ seed, plate, quality: 90 })
        : travelerPortrait({ seed, quality: 90 });
  const kinds = /** @type {const} */ (['vehicles', 'plates', 'travelers']);
  /** @type {{ rel: string, bytes: Buffer }[]} */
  const references = [];
  /** @type {Buffer[]} */
  const bases = [];
  const jobs = kinds.flatMap((kind, k) => [
    ...Array.from({ length: p.refsPerKind }, (_, i) => ({ kind, agency: true, seed: subSeed(p.seed, `ref:${kind}:${i}`), plate: agencyPlates[k * p.refsPerKind + i] ?? 'AAA0000' })),
    ...Array.from({ length: p.basesPerKind }, (_, i) => ({ kind, agency: false, seed: subSeed(p.seed, `base:${kind}:${i}`), plate: otherPlates[k * p.basesPerKind + i] ?? 'ZZZ9999' })),
  ]);
  /** @type {(Buffer | undefined)[]} */
  const rendered = new Array(jobs.length);
  await pool(jobs, 3, async (job, i) => {
    rendered[i] = await render(job.kind, job.seed, job.plate);
  });
  for (const [i, job] of jobs.entries()) {
    const data = /** @type {Buffer} */ (rendered[i]);
    if (job.agency) references.push({ rel: `${job.kind}/${job.kind.slice(0, -1)}-${String(references.length).padStart(4, '0')}.jpg`, bytes: data });
    else bases.push(data);
  }
  for (const ref of references) {
    await mkdir(path.dirname(path.join(agency, ref.rel)), { recursive: true });
    await writeFile(path.join(agency, ref.rel), ref.bytes);
  }

  // 2. Photos: re-framed variants of the sources, each also as byte-level copies; PNG scans.
  log(`re-framing ${p.variants} photos (x${p.copies} copies) ...`);
  const raws = await Promise.all(bases.map((b) => sharp(b).raw().toBuffer({ resolveWithObject: true })));
  const photoJobs = Array.from({ length: p.variants }, (_, i) => i);
  await pool(photoJobs, 4, async (i) => {
    const v = rng(subSeed(p.seed, `variant:${i}`));
    const { data, info } = /** @type {typeof raws[number]} */ (raws[i % raws.length]);
    const w = Math.round(info.width * v.float(0.6, 1));
    const h = Math.round(info.height * v.float(0.6, 1));
    const region = { left: v.int(0, info.width - w), top: v.int(0, info.height - h), width: w, height: h };
    const pipeline = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .extract(region)
      .resize({ width: Math.min(w, v.int(360, 1024)) });
    const jpeg = await pipeline.clone().jpeg({ quality: v.int(55, 92) }).toBuffer();
    const name = `IMG_${String(10000 + i)}`;
    if (i < p.subsetPhotos) await put(`photos/camera-roll/${name}.jpg`, jpeg, 'jpeg');
    else await put(`photos/${2019 + (i % 7)}/${String(1 + (i % 12)).padStart(2, '0')}/${name}.jpg`, jpeg, 'jpeg');
    for (let c = 1; c < p.copies; c++) await put(`photos/synced/device-${c}/${name}-${c}.jpg`, withJpegComment(jpeg, `sync copy ${c}`), 'jpeg');
    if (i % 3 === 0) await put(`scans/batch-${i % 20}/scan-${i}.png`, await pipeline.resize({ width: 320 }).png({ compressionLevel: 2 }).toBuffer(), 'png');
  });

  // 3. Planted agency copies: exact (renamed, wrong extension, in zips) and transformed.
  log(`planting ${p.plantExact} exact and ${p.plantTransformed} transformed agency copies ...`);
  /** @type {{ exact: string[], transformed: string[] }} */
  const planted = { exact: [], transformed: [] };
  /** @type {{ name: string, data: Buffer, mtime: Date }[][]} */
  const zipPlants = [];
  for (let i = 0; i < p.plantExact; i++) {
    const ref = /** @type {typeof references[number]} */ (references[(i * 7) % references.length]);
    if (i % 10 === 9) {
      zipPlants.push([{ name: `handover/${path.basename(ref.rel)}`, data: ref.bytes, mtime: new Date(Date.UTC(2026, 9, 2)) }]);
    } else {
      const rel = i % 3 === 2 ? `tmp/cache/blob-${i}.dat` : `photos/camera-roll/DSC_${String(5000 + i)}.jpg`;
      await put(rel, ref.bytes, 'planted-exact');
      planted.exact.push(rel);
    }
  }
  const cases = ROBUSTNESS_CASES.filter((c) => !c.name.startsWith('rotate') && c.name !== 'strip-metadata');
  await pool(Array.from({ length: p.plantTransformed }, (_, i) => i), 3, async (i) => {
    const ref = /** @type {typeof references[number]} */ (references[(i * 11 + 3) % references.length]);
    const c = /** @type {typeof cases[number]} */ (cases[i % cases.length]);
    const out = await applyCase(c, ref.bytes);
    const rel = `photos/camera-roll/edit-${String(i).padStart(4, '0')}-${c.name}.${c.name === 'png' ? 'png' : c.name.includes('webp') ? 'webp' : 'jpg'}`;
    await put(rel, out, 'planted-transformed');
    planted.transformed.push(rel);
  });

  // 4. Text: large plate-record files, small logs with foreign plates, documents; random binaries.
  log('writing records, documents, archives and binaries ...');
  const recordSpecs = /** @type {const} */ ([['reads-2026-09.csv', 'csv'], ['reads-2026-10.csv', 'csv'], ['gateway-1.log', 'log'], ['gateway-2.log', 'log']]);
  for (const [i, [name, kind]] of recordSpecs.entries()) {
    const size = await writeRecordFile(await ensureDir(path.join(share, 'records', name)), {
      seed: subSeed(p.seed, name), bytes: Math.floor(p.recordBytes / recordSpecs.length), kind, agency: agencyPlates, other: otherPlates, agencyEvery: 5000 + i,
    });
    files += 1;
    bytes += size;
    byKind[kind === 'csv' ? 'record-csv' : 'record-log'] = (byKind[kind === 'csv' ? 'record-csv' : 'record-log'] ?? 0) + 1;
  }
  const zips = Math.max(20, Math.round(p.files / 100));
  for (let i = 0; i < zips; i++) {
    const members = [
      { name: `docs/notes-${i}.txt`, data: Buffer.from(prose(r, r.int(2000, 20000))), mtime: new Date(Date.UTC(2026, 8, 1)) },
      { name: `logs/svc-${i}.log`, data: Buffer.from(smallLog(r, 200, [])), mtime: new Date(Date.UTC(2026, 8, 1)) },
      ...(zipPlants[i] ?? []),
    ];
    const rel = `exports/export-${String(i).padStart(4, '0')}.zip`;
    await put(rel, writeZip(members), 'zip');
    for (const m of zipPlants[i] ?? []) planted.exact.push(`${rel}!${m.name}`);
  }
  const bigCount = Math.max(2, Math.round(p.bigBytes / (128 * 2 ** 20)));
  for (let i = 0; i < bigCount; i++) {
    const size = Math.floor(p.bigBytes / bigCount) + i * 4099;
    await writeRandomFile(await ensureDir(path.join(share, 'vm-images', `disk-${i}.img`)), size);
    files += 1;
    bytes += size;
    byKind['big-binary'] = (byKind['big-binary'] ?? 0) + 1;
  }
  const remaining = Math.max(0, p.files - files);
  const small = Array.from({ length: remaining }, (_, i) => i);
  await pool(small, 16, async (i) => {
    const s = rng(subSeed(p.seed, `small:${i}`));
    const dept = `dept-${i % 40}`;
    const roll = i % 10;
    if (roll < 6) await put(`docs/${dept}/${['memo', 'minutes', 'report', 'notes'][i % 4]}-${i}.${['txt', 'md', 'html', 'json'][i % 4]}`, prose(s, s.int(500, 30_000)), 'document');
    else if (roll < 8) await put(`logs/${dept}/service-${i}.log`, smallLog(s, s.int(20, 400), i % 50 === 0 ? otherPlates.slice(0, 50) : []), 'log');
    else await put(`misc/${dept}/object-${i}.${['dat', 'bin', 'pdf'][i % 3]}`, smallRandom(s, s.int(1024, 96 * 1024)), 'binary');
  });
  planted.exact.sort();
  planted.transformed.sort();
  return {
    dir, agency, share, plateKey, imageSubset: 'photos/camera-roll', records: 'records',
    stats: { files, bytes, byKind, references: references.length, agencyPlates: agencyPlates.length }, planted, params: p, reused: false,
  };
}

/** @param {string} file */
async function ensureDir(file) {
  await mkdir(path.dirname(file), { recursive: true });
  return file;
}
