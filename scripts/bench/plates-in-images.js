#!/usr/bin/env node
// @ts-check
/**
 * Plates in pictures benchmark (issue 21): real street photos from the openalpr benchmark
 * (endtoend/us, eu, br: each photo's plate is in a .txt beside it; not committed, AGPL-3.0). Every
 * other plate (sorted, per region) is the agency's: its digest goes into a fingerprint file under a
 * bench key. One audit with --read-plates runs over all the photos; recall is measured on the photos
 * of agency plates, precision over every claim (a claim on a photo of another plate is false). The
 * cost is the audit's CPU time (user + system, from /usr/bin/time; wall time where it is missing)
 * with and without --read-plates over the plate photos and over a folder of unrelated images (no
 * plates), alternating runs, median of --runs. The agency set holds two perceptual references (noise
 * pictures made here), so the audit without the reader decodes every image, as a real one does: the
 * reader's cost is measured against that, not against an audit that only hashes files.
 *
 * Get the photos:  the openalpr/benchmarks repository's endtoend/ folder, into --photos DIR
 *                  (default ../shared/openalpr/endtoend, or bench/work/openalpr/endtoend)
 * Build first:     npm run build
 * Unrelated:       any folder of real photos without plates; the figures in the README used every
 *                  JPEG over 20 kB of the exif-samples, PDQ and Debian sample corpora (113 files)
 * Run:             node scripts/bench/plates-in-images.js [--photos DIR] [--unrelated DIR] [--limit N] [--runs N]
 * Writes:          bench/results/plates-in-images.json
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { openalprPhotos } from './openalpr.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REGIONS = ['us', 'eu', 'br'];
const KEY = 'plates-in-images-bench-key-0123456789';
const TARGETS = { recall: 0.8, precision: 0.99, unrelatedOverhead: 0.1 };

const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    unrelated: { type: 'string', default: path.join(repo, '..', 'shared', 'corpora', 'exif-samples', 'jpg') },
    limit: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
  },
});
const photos = values.photos ?? [path.join(repo, '..', 'shared', 'openalpr', 'endtoend'), path.join(repo, 'bench', 'work', 'openalpr', 'endtoend')].find(existsSync);
if (!photos || !existsSync(photos)) throw new Error('no openalpr endtoend photos: give --photos DIR');
const limit = Number(values.limit);
const timer = (() => {
  try {
    execFileSync('/usr/bin/time', ['-f', '%U', 'true'], { stdio: 'ignore' });
    return '/usr/bin/time';
  } catch {
    return undefined;
  }
})();
const work = path.join(repo, 'bench', 'work', 'plates-in-images');
rmSync(work, { recursive: true, force: true });
mkdirSync(path.join(work, 'agency'), { recursive: true });
// Two agency pictures (blocks of noise, like nothing in either folder) turn perceptual matching on.
for (const seed of [1, 2]) {
  const pixels = Buffer.alloc(64 * 48 * 3);
  let state = seed * 2654435761;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  await sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } })
    .resize(640, 480, { kernel: 'nearest' })
    .jpeg()
    .toFile(path.join(work, 'agency', `reference-${seed}.jpg`));
}

/** @type {{ region: string, file: string, plate: string, agency: boolean }[]} */
const cases = [];
for (const region of REGIONS) mkdirSync(path.join(work, 'tree', region), { recursive: true });
/** Photos named so far per region. */
const named = new Map();
for (const c of openalprPhotos(photos, REGIONS, limit)) {
  const i = named.get(c.region) ?? 0;
  named.set(c.region, i + 1);
  // Neutral names: the br photos are named after their plate, which the report masks as [plate].
  const name = `${String(i).padStart(4, '0')}${path.extname(c.file)}`;
  linkSync(path.join(c.dir, c.file), path.join(work, 'tree', c.region, name));
  cases.push({ region: c.region, file: `${c.region}/${name}`, plate: c.plate, agency: c.agency });
}
const agencyPlates = [...new Set(cases.filter((c) => c.agency).map((c) => c.plate))];
writeFileSync(path.join(work, 'agency', 'reads.csv'), `plate\n${agencyPlates.join('\n')}\n`);

const env = { ...process.env, CUSTODY_PLATE_KEY: KEY };
const bin = path.join(repo, 'bin', 'custody.js');
/** @param {string[]} args */
function custody(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const times = path.join(work, 'time.txt');
    const [command, argv] = timer ? [timer, ['-f', '%U %S', '-o', times, process.execPath, bin, ...args]] : [process.execPath, [bin, ...args]];
    execFile(command, argv, { cwd: work, env, maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
      const code = error ? Number(/** @type {{ code?: number }} */ (error).code) : 0;
      if (code === 2 || Number.isNaN(code)) reject(new Error(`custody ${args.join(' ')}: ${stderr}`));
      else {
        const cpu = timer ? readFileSync(times, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) : undefined;
        resolve({ stdout, ms: cpu ? (cpu[0] ?? 0) * 1000 + (cpu[1] ?? 0) * 1000 : performance.now() - started });
      }
    });
  });
}

await custody(['fingerprint', 'agency', '--out', 'agency.fp.json']);
const audit = (/** @type {string} */ root, /** @type {boolean} */ read) =>
  custody(['audit', root, '-f', 'agency.fp.json', '--format', 'json', '--no-cache', '--authorized', 'enclave/**', ...(read ? ['--read-plates'] : [])]);

// Recall and precision, one audit.
const first = /** @type {{ stdout: string, ms: number }} */ (await audit('tree', true));
const report = JSON.parse(first.stdout);
const claimed = new Map(
  report.assets.filter((/** @type {{ method: string }} */ a) => a.method === 'plate-in-image').map((/** @type {{ location: string }} */ a) => [a.location, a]),
);
/** @type {Record<string, unknown>} */
const regions = {};
for (const region of [...REGIONS, 'all']) {
  const mine = cases.filter((c) => region === 'all' || c.region === region);
  const positives = mine.filter((c) => c.agency);
  const found = positives.filter((c) => claimed.has(c.file)).length;
  const falseClaims = mine.filter((c) => !c.agency && claimed.has(c.file)).length;
  const claims = found + falseClaims;
  regions[region] = {
    photos: mine.length,
    agencyPhotos: positives.length,
    found,
    recall: positives.length ? found / positives.length : null,
    otherPhotos: mine.length - positives.length,
    falseClaims,
    precision: claims ? found / claims : null,
  };
}
const spellings = [...claimed.values()].map((a) => Number(a.evidence.spellingsTried));
for (const [region, r] of Object.entries(regions)) console.log(region.padEnd(4), JSON.stringify(r));
console.log(`reader audit of ${cases.length} photos: ${Math.round(first.ms)} ms ${timer ? 'CPU' : 'wall'}`);

// Cost: CPU (or wall) time of whole audits, with and without the reader, alternating, median of `runs`.
mkdirSync(path.join(work, 'unrelated'), { recursive: true });
let unrelatedCount = 0;
for (const f of readdirSync(values.unrelated ?? '').sort()) {
  const from = path.join(values.unrelated ?? '', f);
  if (!statSync(from).isFile() || !/\.(jpe?g|png)$/i.test(f)) continue;
  linkSync(from, path.join(work, 'unrelated', f));
  unrelatedCount++;
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
/** @param {string} root @param {number} count */
async function cost(root, count) {
  const plain = [];
  const read = [];
  for (let i = 0; i < Number(values.runs); i++) {
    plain.push(/** @type {{ ms: number }} */ (await audit(root, false)).ms);
    read.push(/** @type {{ ms: number }} */ (await audit(root, true)).ms);
  }
  const p = median(plain);
  const r = median(read);
  return { measure: timer ? 'cpu' : 'wall', images: count, plainMs: Math.round(p), readMs: Math.round(r), ratio: r / p, extraMsPerImage: Math.round((r - p) / count) };
}
const unrelated = await cost('unrelated', unrelatedCount);
const platePhotos = await cost('tree', cases.length);

// Folders relative to the checkout: the results file names no machine's paths.
const result = { photos: path.relative(repo, photos), unrelatedFolder: path.relative(repo, values.unrelated ?? ''), key: 'bench key (not secret)', targets: TARGETS, regions, spellingsTriedOnClaims: spellings, unrelated, platePhotos };
mkdirSync(path.join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(repo, 'bench', 'results', 'plates-in-images.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log('unrelated images', JSON.stringify(unrelated));
console.log('plate photos    ', JSON.stringify(platePhotos));
