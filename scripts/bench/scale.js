#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:scale`: custody's peak memory at the scale issue #8 §4 names ("peak RSS <= 400 MB
 * for a 100,000-file tree and a 10-million-row inventory").
 *
 *   node scripts/bench/scale.js [--quick] [--rows <n>] [--jobs <n>] [--no-references]
 *   node scripts/bench/scale.js --references-only [options of scripts/bench/references.js]
 *
 * Generates once, under bench/work/ (git-ignored), (a) a 100,000-file share with scripts/bench/tree.js
 * (photos, scans, documents, logs, zips, plate records, planted agency copies) and (b) a real S3
 * Inventory (manifest.json + manifest.checksum + gzip CSV parts) of 10,000,000 rows, a few of which
 * carry an agency reference's MD5 as their ETag. Then `custody audit` runs on each as its own process
 * (scripts/bench/measure.js: wall, CPU, peak RSS), the planted copies are checked in its JSON report,
 * and bench/results/scale.md + scale.json are written. Then, unless --no-references, the agency-scale
 * reference-set rows of issue #17 run (scripts/bench/references.js, given this run's arguments;
 * bench/results/scale-references.md + .json); --references-only runs only those. The run lowers its
 * own priority (nice 10).
 * Needs a build: npx tsc -p tsconfig.build.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { rng, subSeed } from '../synth/prng.js';
import { measure, measureMethod } from './measure.js';
import { machine } from './report.js';
import { ensureTree } from './tree.js';

/** @type {import('./tree.js').TreeParams} Mostly small files; enough images to exercise every detector. */
const SCALE = {
  seed: 8, files: 100_000, bigBytes: 256 * 2 ** 20, recordBytes: 64 * 2 ** 20, refsPerKind: 20, basesPerKind: 6,
  variants: 500, copies: 3, subsetPhotos: 200, plantExact: 60, plantTransformed: 60,
};
/** @type {import('./tree.js').TreeParams} */
const SCALE_QUICK = {
  seed: 8, files: 3000, bigBytes: 32 * 2 ** 20, recordBytes: 8 * 2 ** 20, refsPerKind: 6, basesPerKind: 3,
  variants: 40, copies: 3, subsetPhotos: 20, plantExact: 10, plantTransformed: 10,
};
/** Bump when the inventory generator's output changes, so cached inventories are rebuilt. */
const INVENTORY_GENERATOR = 1;
const ROWS_PER_PART = 2_000_000;
const TARGET_MB = 400;

// The inventory's columns and values (constants before the top-level run below uses them).
const SCHEMA =
  'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner';
const b64 = (/** @type {object} */ doc) => Buffer.from(JSON.stringify(doc)).toString('base64');
const OWNER = { type: 'CanonicalUser', canonicalId: 'contractor-canonical-id', permission: 'FULL_CONTROL' };
const PRIVATE_ACL = b64({ version: '2022-11-10', status: 'AVAILABLE', grants: [OWNER] });
const PUBLIC_ACL = b64({ version: '2022-11-10', status: 'AVAILABLE', grants: [{ type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' }, OWNER] });
const DEPTS = ['finance', 'ops', 'lane+support', 'legal', 'it', 'r%C3%A9ception']; // keys are URL-encoded, '+' is a space

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const option = (/** @type {string} */ name, /** @type {number} */ fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const rows = option('--rows', quick ? 300_000 : 10_000_000);
const jobs = option('--jobs', 0); // 0: custody's default
const log = (/** @type {string} */ line) => process.stderr.write(`bench:scale: ${line}\n`);
/** The reference-set rows, as their own process (they measure their own children); resolves to its exit code. */
const referenceRows = () =>
  /** @type {Promise<number>} */ (new Promise((resolve) => {
    const args = argv.filter((a) => a !== '--references-only' && a !== '--no-references');
    spawn(process.execPath, [path.join(root, 'scripts/bench/references.js'), ...args], { stdio: 'inherit' }).on('close', (code) => resolve(code ?? 1));
  }));
if (argv.includes('--references-only')) process.exit(await referenceRows());

if (!existsSync(path.join(root, 'dist/cli/run.js'))) {
  log('dist/ is missing: build first with "npx tsc -p tsconfig.build.json"');
  process.exit(2);
}
os.setPriority(Math.max(os.getPriority(), 10)); // every child inherits it: the machine is shared
const { hashdeep: _h, findimagedupes: _f, ...description } = { ...machine({}), nice: os.getPriority() };
const work = path.join(root, 'bench/work');
const tree = await ensureTree(work, quick ? SCALE_QUICK : SCALE, log);
log(`${tree.reused ? 'reusing' : 'generated'} ${path.relative(root, tree.dir)}: ${tree.stats.files} files, ${(tree.stats.bytes / 2 ** 30).toFixed(2)} GiB`);
const out = path.join(tree.dir, 'out');
await mkdir(out, { recursive: true });
/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, NO_COLOR: '1' };
delete env['CUSTODY_PLATE_KEY']; // the key comes from the tree's key file, never from the caller
// Cold audits only: the default re-audit cache is an empty folder of this run, never the user's.
env['XDG_CACHE_HOME'] = await mkdtemp(path.join(os.tmpdir(), 'custody-scale-cache-'));
const custody = (/** @type {string[]} */ args) => measure(process.execPath, [path.join(root, 'bin/custody.js'), ...args], { cwd: tree.dir, env });
const common = ['--fingerprints', 'out/fp-scale.json', '--plate-key-file', 'plate.key', '--authorized', 'enclave/**', '--fail-on', 'none', ...(jobs > 0 ? ['--jobs', String(jobs)] : []), '--format', 'json', '--output'];

const fp = await custody(['fingerprint', 'agency', '--out', 'out/fp-scale.json', '--plate-key-file', 'plate.key',
  '--class', 'vehicles/**=vehicle-image', '--class', 'plates/**=plate-image', '--class', 'travelers/**=traveler-image']);
if (fp.code !== 0) throw new Error(`custody fingerprint failed (exit ${fp.code}): ${fp.stderr.trim()}`);
const inventory = await ensureInventory(work, rows, await agencyReferences(path.join(tree.dir, 'agency')));
log(`${inventory.reused ? 'reusing' : 'generated'} ${path.relative(root, inventory.dir)}: ${rows} rows in ${inventory.parts} parts`);

// (a) the tree, every detector and archives, as the full-audit row of `npm run bench`.
log(`warming the page cache, then auditing the tree (load ${os.loadavg()[0]?.toFixed(2)}) ...`);
execFileSync('sh', ['-c', 'find agency share -type f -print0 | xargs -0 cat > /dev/null'], { cwd: tree.dir });
const treeRun = await custody(['audit', 'share', ...common, 'out/scale-tree.json']);
const treeReport = await reportOf(treeRun, path.join(out, 'scale-tree.json'));
const locations = new Set(treeReport.assets.map((a) => a.location.replace('!/', '!')));
const exactFound = tree.planted.exact.filter((p) => locations.has(p)).length;
const transformedFound = tree.planted.transformed.filter((p) => locations.has(p)).length;

// (b) the inventory alone: every object is an item; only the planted ETags are agency copies.
log(`auditing the ${rows}-row inventory (load ${os.loadavg()[0]?.toFixed(2)}) ...`);
execFileSync('sh', ['-c', 'cat data/* > /dev/null'], { cwd: inventory.dir });
const invRun = await custody(['audit', '--manifest', path.join(inventory.dir, 'manifest.json'), ...common, 'out/scale-inventory.json']);
const invReport = await reportOf(invRun, path.join(out, 'scale-inventory.json'));
const exactAssets = new Set(invReport.assets.filter((a) => a.method === 'exact').map((a) => `${a.location} ${a.reference}`));
const plantedFound = inventory.planted.filter((p) => exactAssets.has(`${p.location} ${p.reference}`)).length;

const runs = [
  {
    name: `audit of a ${tree.stats.files.toLocaleString('en')}-file tree (exact + perceptual + plates + archives)`,
    command: `custody audit share ${common.join(' ')} out/scale-tree.json`,
    input: { dir: path.relative(root, tree.dir), files: tree.stats.files, bytes: tree.stats.bytes, byKind: tree.stats.byKind },
    run: strip(treeRun),
    found: {
      filesSeen: treeReport.summary.filesSeen, assetsByMethod: treeReport.summary.assetsByMethod,
      plantedExact: tree.planted.exact.length, plantedExactFound: exactFound,
      plantedTransformed: tree.planted.transformed.length, plantedTransformedFound: transformedFound,
    },
    real: exactFound === tree.planted.exact.length && treeReport.summary.filesSeen >= tree.stats.files,
  },
  {
    name: `audit of a ${rows.toLocaleString('en')}-row S3 inventory (${inventory.parts} gzip CSV parts)`,
    command: `custody audit --manifest ${path.relative(tree.dir, path.join(inventory.dir, 'manifest.json'))} ${common.join(' ')} out/scale-inventory.json`,
    input: { dir: path.relative(root, inventory.dir), rows, parts: inventory.parts, gzipBytes: inventory.gzipBytes },
    run: strip(invRun),
    found: {
      filesSeen: invReport.summary.filesSeen, assetsByMethod: invReport.summary.assetsByMethod,
      plantedEtags: inventory.planted.length, plantedEtagsFound: plantedFound,
    },
    real: plantedFound === inventory.planted.length && invReport.summary.filesSeen === inventory.objects,
  },
].map((r) => ({ ...r, peakMB: (r.run.rssMiB * 2 ** 20) / 1e6, verdict: (r.run.rssMiB * 2 ** 20) / 1e6 <= TARGET_MB ? 'met' : 'missed' }));

const result = {
  date: new Date().toISOString(), quick, target: `peak RSS <= ${TARGET_MB} MB (issue 8 §4)`, measureMethod: measureMethod(),
  machine: description, loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))), runs,
};
await mkdir(path.join(root, 'bench/results'), { recursive: true });
await writeFile(path.join(root, 'bench/results/scale.json'), `${JSON.stringify(result, null, 2)}\n`);
await writeFile(path.join(root, 'bench/results/scale.md'), markdown(result));
process.stdout.write(markdown(result));
log('wrote bench/results/scale.md and bench/results/scale.json');
if (runs.some((r) => !r.real)) {
  log('an audit did not find every planted copy (or saw fewer items than generated): its figures do not describe a real audit');
  process.exitCode = 1;
}
if (!argv.includes('--no-references')) {
  const code = await referenceRows();
  if (code !== 0) process.exitCode = code;
}

/**
 * The JSON report of a finished audit, or an error naming why there is none.
 * @param {import('./measure.js').Measurement} m
 * @param {string} file
 * @returns {Promise<import('../../src/report/model.js').Report>}
 */
async function reportOf(m, file) {
  if (m.code !== 0) throw new Error(`custody audit exited ${m.code}: ${m.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return JSON.parse(await readFile(file, 'utf8'));
}

/** @param {import('./measure.js').Measurement} m */
function strip(m) {
  return { wall: m.wall, cpu: m.cpu, rssMiB: m.rssMiB, code: m.code, load1: m.load1 };
}

/**
 * Reference files of the agency set with the MD5 an S3 ETag of their upload would carry.
 * @param {string} agency
 * @returns {Promise<{ reference: string, md5: string, size: number }[]>}
 */
async function agencyReferences(agency) {
  const refs = [];
  for (const kind of ['vehicles', 'plates', 'travelers']) {
    for (const name of (await readdir(path.join(agency, kind))).sort()) {
      const bytes = await readFile(path.join(agency, kind, name));
      refs.push({ reference: `${kind}/${name}`, md5: createHash('md5').update(bytes).digest('hex'), size: bytes.length });
    }
  }
  return refs;
}

/**
 * @typedef {object} Inventory
 * @property {string} dir
 * @property {number} parts
 * @property {number} gzipBytes
 * @property {number} objects rows that are objects (not delete markers)
 * @property {{ row: number, location: string, reference: string }[]} planted
 * @property {boolean} reused
 */

/**
 * The S3 Inventory of `rows` rows for these references, generated when inventory.json is absent.
 * Twelve rows (spread over the parts) are uploads of references, under names of the share's own.
 * @param {string} workDir
 * @param {number} rows
 * @param {{ reference: string, md5: string, size: number }[]} refs
 * @returns {Promise<Inventory>}
 */
async function ensureInventory(workDir, rows, refs) {
  const plants = Array.from({ length: 12 }, (_, k) => /** @type {typeof refs[number]} */ (refs[(k * 5 + 1) % refs.length]));
  const hash = createHash('sha256').update(JSON.stringify({ INVENTORY_GENERATOR, rows, plants })).digest('hex').slice(0, 12);
  const dir = path.join(workDir, `inventory-scale-${rows}-${hash}`);
  const done = path.join(dir, 'inventory.json');
  if (existsSync(done)) return { ...JSON.parse(await readFile(done, 'utf8')), dir, reused: true };
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'data'), { recursive: true });
  /** @type {Map<number, typeof plants[number]>} */
  const plantAt = new Map(plants.map((p, k) => [Math.floor(((k + 0.5) * rows) / plants.length), p]));
  const parts = Math.max(2, Math.ceil(rows / ROWS_PER_PART));
  const perPart = Math.ceil(rows / parts);
  const state = { objects: 0, planted: /** @type {Inventory['planted']} */ ([]) };
  const files = [];
  let gzipBytes = 0;
  for (let p = 0; p < parts; p++) {
    const name = `${createHash('md5').update(`part-${p}`).digest('hex').slice(0, 8)}-scale-${p}.csv.gz`;
    log(`writing inventory part ${p + 1}/${parts} ...`);
    const md5 = createHash('md5');
    let size = 0;
    const tap = new Transform({
      transform(chunk, _encoding, next) {
        md5.update(chunk);
        size += chunk.length;
        next(null, chunk);
      },
    });
    const r = rng(subSeed(8, `inventory:${p}`));
    await pipeline(inventoryRows(p * perPart, Math.min(rows, (p + 1) * perPart), r, plantAt, state), createGzip({ level: 6 }), tap, createWriteStream(path.join(dir, 'data', name)));
    files.push({ key: `inventory-dest/contractor-share/scale/data/${name}`, size, MD5checksum: md5.digest('hex') });
    gzipBytes += size;
  }
  const manifest = JSON.stringify({
    sourceBucket: 'contractor-share', destinationBucket: 'arn:aws:s3:::inventory-dest', version: '2016-11-30',
    creationTimestamp: String(Date.UTC(2026, 10, 1)), fileFormat: 'CSV', fileSchema: SCHEMA, files,
  }, null, 2);
  await writeFile(path.join(dir, 'manifest.json'), manifest);
  await writeFile(path.join(dir, 'manifest.checksum'), createHash('md5').update(manifest).digest('hex'));
  const inventory = { parts, gzipBytes, objects: state.objects, planted: state.planted };
  await writeFile(done, `${JSON.stringify({ rows, ...inventory }, null, 2)}\n`);
  return { ...inventory, dir, reused: false };
}

/**
 * Rows `start` to `end` of the inventory, in 1 MiB strings: a share-like mix of keys (photos,
 * documents, logs, backups, exports), log-uniform sizes, multipart ETags above 16 MiB, mostly SSE-S3
 * with some SSE-KMS and NOT-SSE, a few public ACLs, noncurrent versions and delete markers.
 * @param {number} start
 * @param {number} end
 * @param {import('../synth/prng.js').Rng} r
 * @param {Map<number, { reference: string, md5: string, size: number }>} plantAt
 * @param {{ objects: number, planted: Inventory['planted'] }} state
 */
async function* inventoryRows(start, end, r, plantAt, state) {
  let batch = '';
  const base = Date.UTC(2023, 0, 1);
  for (let i = start; i < end; i++) {
    const modified = new Date(base + i * 9_000).toISOString();
    const plant = plantAt.get(i);
    if (plant) {
      const key = `photos/camera-roll/DSC_${String(i).padStart(8, '0')}.jpg`;
      batch += `"contractor-share","${key}","","true","false","${plant.size}","${modified}","${plant.md5}","STANDARD","false","","SSE-S3","","","","","DISABLED","","${PRIVATE_ACL}",""\n`;
      state.planted.push({ row: i, location: `s3://contractor-share/${key}`, reference: plant.reference });
      state.objects += 1;
    } else {
      const kind = r.next();
      const dept = DEPTS[i % DEPTS.length];
      const [key, lo, hi] =
        kind < 0.4 ? [`photos/${2019 + (i % 7)}/${String(1 + (i % 12)).padStart(2, '0')}/IMG_${i}.jpg`, 3e4, 6e6]
          : kind < 0.7 ? [`docs/${dept}/${['memo', 'minutes', 'Quarterly+report', 'notes'][i % 4]}-${i}.${['pdf', 'docx', 'txt', 'xlsx'][i % 4]}`, 1e3, 5e6]
            : kind < 0.9 ? [`logs/lane-${i % 12}/2026-${String(1 + (i % 12)).padStart(2, '0')}/gateway-${i}.log.gz`, 1e3, 2e7]
              : kind < 0.98 ? [`exports/export-${i}.zip`, 1e5, 5e8]
                : [`backups/vm/disk-${i}.img`, 1e8, 5e10];
      const size = Math.floor(Math.exp(r.float(Math.log(lo), Math.log(hi))));
      const h1 = (Math.imul(i ^ 0x5bd1e995, 2654435761) >>> 0).toString(16).padStart(8, '0');
      const h2 = (Math.imul(i + 0x9e3779b9, 0x85ebca6b) >>> 0).toString(16).padStart(8, '0');
      const multipart = size > 16 * 2 ** 20;
      const etag = multipart ? `${h1}${h2}${h2}${h1}-${Math.ceil(size / (8 * 2 ** 20))}` : `${h1}${h2}${h1}${h2}`;
      const roll = r.next();
      const encryption = roll < 0.85 ? 'SSE-S3' : roll < 0.97 ? 'SSE-KMS' : 'NOT-SSE';
      const acl = r.next() < 0.001 ? PUBLIC_ACL : PRIVATE_ACL;
      const version = r.next();
      // One row in 200 is a noncurrent version, one in 500 a delete marker (the reader skips those).
      const [versionId, latest, marker] = version < 0.005 ? [`v${h2}${h1}`, 'false', 'false'] : version < 0.007 ? [`d${h1}${h2}`, 'true', 'true'] : ['', 'true', 'false'];
      batch += `"contractor-share","${key}","${versionId}","${latest}","${marker}","${marker === 'true' ? '' : size}","${modified}","${marker === 'true' ? '' : etag}","${size > 1e8 ? 'GLACIER' : 'STANDARD'}","${multipart}","","${encryption}","","","","","DISABLED","","${acl}",""\n`;
      if (marker !== 'true') state.objects += 1;
    }
    if (batch.length > 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  yield batch;
}

/** @param {{ date: string, target: string, measureMethod: string, machine: Record<string, unknown>, loadAverageAtEnd: number[], runs: Array<Record<string, any>> }} result */
function markdown(result) {
  const m = result.machine;
  const lines = [
    '# custody at scale: peak memory',
    '',
    `Generated by \`npm run bench:scale\` (scripts/bench/scale.js) on ${result.date}. Target: ${result.target}.`,
    `Each audit is its own process (\`node bin/custody.js audit ...\`, nice ${m['nice']}), measured with ${result.measureMethod === 'gnu-time' ? "GNU time (`/usr/bin/time -f '%e %U %S %M'`)" : '/proc polling'}:`,
    'wall time, CPU time (user + sys), peak RSS. 400 MB is read as 400 x 10^6 bytes.',
    '',
    '| audit | wall | CPU | peak RSS | target | verdict | planted copies found |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.runs.map((r) => {
      const f = r['found'];
      const planted = 'plantedEtags' in f
        ? `${f.plantedEtagsFound}/${f.plantedEtags} MD5 ETags; ${f.filesSeen.toLocaleString('en')} objects seen`
        : `${f.plantedExactFound}/${f.plantedExact} exact, ${f.plantedTransformedFound}/${f.plantedTransformed} transformed; ${f.filesSeen.toLocaleString('en')} files seen`;
      return `| ${r['name']} | ${r['run'].wall.toFixed(1)} s | ${r['run'].cpu.toFixed(1)} s | ${Math.round(r['run'].rssMiB)} MiB (${Math.round(r['peakMB'])} MB) | <= 400 MB | ${r['real'] ? r['verdict'] : 'invalid run'} | ${planted} |`;
    }),
    '',
    '## Machine',
    '',
    `${m['cpu']} (nproc ${m['nproc']}); ${m['memory']}; kernel ${m['kernel']}; node ${m['node']}; ${m['sharp']}.`,
    `Load average (1/5/15 min) ${m['loadAverageAtStart']} at start, ${result.loadAverageAtEnd.join(' ')} at end: the machine is shared, so wall times vary; peak RSS does not depend on load.`,
    '',
    '## Commands (run in the tree folder)',
    '',
    ...result.runs.map((r) => `- \`${r['command']}\``),
    '',
    'Inputs, assets by method and the raw figures are in bench/results/scale.json.',
    '',
  ];
  return lines.join('\n');
}
