#!/usr/bin/env node
// @ts-check
/**
 * Databases, columnar files and split plates (issue #18 items 5-6), on the built CLI (dist/).
 * 1. Found/planted per kind: agency images and plate reads planted in SQLite databases (BLOB and TEXT
 *    columns), Parquet files (SNAPPY, uncompressed, several row groups), JSON with the plate split in
 *    three shapes, CSV with split columns, UTF-16/BOM CSV; negatives of each kind (other pictures,
 *    other plates split the same ways). Prints found/planted, false claims and coverage per kind.
 * 2. Audit cost: the same plate-read rows (default 20 MB as CSV) as a plain CSV, a SQLite table and a
 *    Parquet file (SNAPPY), each audited alone in its own process: wall time, MB/s of the file, and
 *    peak RSS (the audit of an empty directory, custody's start-up, is subtracted from the time).
 * Build first: npm run build.  Run: node scripts/bench/data.js [MB]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import sharp from 'sharp';
import initSqlJs from 'sql.js';
import { rng } from '../synth/prng.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(root, 'bin', 'custody.js');
const MB = Number(process.argv[2] ?? 20);
const KEY = 'bench-data-plate-key-0123456789abcdef0123456789abcdef';

/** Seeded PRNG (the synthetic fixtures' mulberry32). @param {number} seed */
const prng = (seed) => rng(seed).next;
/** @param {number} count @param {number} seed @param {Set<string>} [exclude] */
function plates(count, seed, exclude = new Set()) {
  const r = prng(seed);
  const out = new Set();
  while (out.size < count) {
    const p = `${[0, 1, 2].map(() => String.fromCharCode(65 + Math.floor(r() * 26))).join('')}${1000 + Math.floor(r() * 9000)}`;
    if (!exclude.has(p)) out.add(p);
  }
  return [...out];
}
/** @param {number} seed */
async function picture(seed) {
  const r = prng(seed);
  const raw = Buffer.alloc(160 * 120 * 3);
  // Smooth blocks with noise: a picture a perceptual hash can tell apart, like the hostile suite's.
  for (let y = 0; y < 120; y++) for (let x = 0; x < 160; x++) for (let c = 0; c < 3; c++) raw[(y * 160 + x) * 3 + c] = (((x >> 4) * 37 + (y >> 4) * 91 + c * 53 + seed * 17) % 256) ^ Math.floor(r() * 24);
  return sharp(raw, { raw: { width: 160, height: 120, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}
/** [leading, trailing] where letters meet digits. @param {string} p @returns {[string, string]} */
const split = (p) => [p.slice(0, 3), p.slice(3)];

const SQL = await initSqlJs();
/** @param {string[]} ps @param {(Buffer | null)[]} images @param {string[]} others */
function sqlite(ps, images, others) {
  const db = new SQL.Database();
  db.run('CREATE TABLE captures (id INTEGER PRIMARY KEY, lane INTEGER, plate TEXT, seen_at TEXT, image BLOB)');
  const insert = db.prepare('INSERT INTO captures (lane, plate, seen_at, image) VALUES (?, ?, ?, ?)');
  for (const [i, p] of [...others, ...ps].entries()) insert.run([i % 4, p, '2026-11-01T10:00:00Z', images[i] ?? null]);
  insert.free();
  const bytes = Buffer.from(db.export());
  db.close();
  return bytes;
}
/** @param {string[]} ps @param {'SNAPPY' | 'UNCOMPRESSED'} codec @param {number} rowGroupSize */
const parquet = (ps, codec, rowGroupSize) =>
  Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'plate', data: ps, type: 'STRING' },
        { name: 'camera', data: ps.map((_, i) => `cam-${i % 5}`), type: 'STRING' },
        { name: 'seen_at', data: ps.map((_, i) => BigInt(i * 1000)), type: 'INT64' },
      ],
      codec,
      rowGroupSize,
    }),
  );
/** @param {string[]} arr @param {number} seed */
const shuffle = (arr, seed) => {
  const r = prng(seed);
  const out = [...arr];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [/** @type {string} */ (out[j]), /** @type {string} */ (out[i])];
  }
  return out;
};

const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-data-bench-'));
const custody = (/** @type {string[]} */ args) => spawnSync('/usr/bin/time', ['-f', '%e %M', 'node', BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
try {
  const agencyPlates = plates(1000, 1);
  const others = plates(20_000, 2, new Set(agencyPlates));
  /** @type {Buffer[]} */
  const images = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map(picture));
  /** @type {Buffer[]} */
  const strangers = await Promise.all([101, 102, 103, 104, 105, 106].map(picture));
  await mkdir(path.join(dir, 'agency/lanes'), { recursive: true });
  for (const [i, img] of images.entries()) await writeFile(path.join(dir, `agency/lanes/${i}.jpg`), img);
  await writeFile(path.join(dir, 'agency/reads.csv'), `plate,lane\n${agencyPlates.map((p) => `${p},1`).join('\n')}\n`);
  await writeFile(path.join(dir, 'plate.key'), KEY);
  const fp = custody(['fingerprint', 'agency', '--out', 'fp.json', '--plate-key-file', 'plate.key']);
  if (fp.status !== 0) throw new Error(fp.stderr);

  /** @type {Record<string, { files: Record<string, Buffer>, images: string[], plates: number, negatives: Record<string, Buffer> }>} */
  const kinds = {};
  const png = (/** @type {Buffer} */ b) => sharp(b).png().toBuffer();
  const q70 = (/** @type {Buffer} */ b) => sharp(b).jpeg({ quality: 70 }).toBuffer();
  const take = (() => {
    let at = 0;
    return (/** @type {number} */ n) => agencyPlates.slice(at, (at += n));
  })();
  const sq = [take(40), take(40), take(35)];
  const [first, second, third] = /** @type {[Buffer, Buffer, Buffer]} */ (images);
  const sqImages = [first, await png(second), await q70(third)];
  kinds.sqlite = {
    files: Object.fromEntries(sq.map((ps, i) => [`db/app-${i}.sqlite`, sqlite(ps, [...Array(30).fill(null), sqImages[i] ?? null], others.slice(i * 300, i * 300 + 300))])),
    images: sq.map((_, i) => `db/app-${i}.sqlite!/table/captures/rowid-31/image`),
    plates: 115,
    negatives: Object.fromEntries([0, 1, 2].map((i) => [`db/other-${i}.sqlite`, sqlite([], [strangers[i] ?? null], others.slice(5000 + i * 300, 5300 + i * 300))])),
  };
  const pq = /** @type {[string[], string[], string[]]} */ ([take(40), take(40), take(40)]);
  kinds.parquet = {
    files: {
      'lake/a.snappy.parquet': parquet(shuffle([...pq[0], ...others.slice(1000, 1400)], 1), 'SNAPPY', 100_000),
      'lake/b.parquet': parquet(shuffle([...pq[1], ...others.slice(1400, 1800)], 2), 'UNCOMPRESSED', 100_000),
      'lake/c.snappy.parquet': parquet(shuffle([...pq[2], ...others.slice(1800, 2200)], 3), 'SNAPPY', 64),
    },
    images: [],
    plates: 120,
    negatives: { 'lake/other.parquet': parquet(others.slice(7000, 8000), 'SNAPPY', 300) },
  };
  const js = [take(30), take(30), take(30)];
  const json = (/** @type {string[]} */ ps, /** @type {number} */ shape) =>
    Buffer.from(
      `${ps
        .map((p) => [
          { id: 1, series: split(p)[0], serial: split(p)[1] },
          { read: { plate: { state: 'FS', series: split(p)[0], number: split(p)[1] } } },
          { plate: split(p), lane: 2 },
        ][shape])
        .map((o) => JSON.stringify(o))
        .join('\n')}\n`,
    );
  kinds['split-json'] = {
    files: Object.fromEntries(js.map((ps, i) => [`api/shape-${i}.jsonl`, json(shuffle([...ps, ...others.slice(3000 + i * 200, 3200 + i * 200)], i), i)])),
    images: [],
    plates: 90,
    negatives: Object.fromEntries([0, 1, 2].map((i) => [`api/other-${i}.jsonl`, json(others.slice(9000 + i * 300, 9300 + i * 300), i)])),
  };
  const cs = /** @type {[string[], string[]]} */ ([take(30), take(30)]);
  kinds['split-csv'] = {
    files: {
      'reg/series.csv': Buffer.from(`id,plate_series,plate_serial\n${shuffle([...cs[0], ...others.slice(4000, 4300)], 4).map((p, i) => `${i},${split(p).join(',')}`).join('\n')}\n`),
      'reg/prefix.csv': Buffer.from(`\ufeffState;Prefix;Number\n${shuffle([...cs[1], ...others.slice(4300, 4600)], 5).map((p) => `FS;${split(p).join(';')}`).join('\n')}\n`),
    },
    images: [],
    plates: 60,
    negatives: { 'reg/other.csv': Buffer.from(`series,serial,region,number\n${others.slice(10_000, 11_000).map((p, i) => `${split(p).join(',')},${i % 50},${i * 7}`).join('\n')}\n`) },
  };
  const enc = /** @type {[string[], string[], string[]]} */ ([take(30), take(30), take(30)]);
  const csv = (/** @type {string[]} */ ps) => `plate,lane\r\n${ps.map((p) => `${p},1`).join('\r\n')}\r\n`;
  kinds['utf16-bom'] = {
    files: {
      'excel/le-bom.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv([...enc[0], ...others.slice(12_000, 12_100)]), 'utf16le')]),
      'excel/be.csv': Buffer.from(csv([...enc[1], ...others.slice(12_100, 12_200)]), 'utf16le').swap16(),
      'excel/utf8-bom.csv': Buffer.from(`\ufeff${csv([...enc[2], ...others.slice(12_200, 12_300)])}`),
    },
    images: [],
    plates: 90,
    negatives: { 'excel/other.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(others.slice(13_000, 13_500)), 'utf16le')]) },
  };
  for (const kind of Object.values(kinds)) {
    for (const [name, bytes] of Object.entries({ ...kind.files, ...kind.negatives })) {
      await mkdir(path.dirname(path.join(dir, 'share', name)), { recursive: true });
      await writeFile(path.join(dir, 'share', name), bytes);
    }
  }
  const audit = (/** @type {string} */ target, /** @type {string} */ out) =>
    custody(['audit', target, '--fingerprints', 'fp.json', '--authorized', 'enclave/**', '--plate-key-file', 'plate.key', '--no-cache', '--format', 'json', '--output', out]);
  const run = audit('share', 'share.json');
  /** @type {import('../../src/report/model.js').Report} */
  const report = JSON.parse(await readFile(path.join(dir, 'share.json'), 'utf8'));
  console.log(`exit ${run.status}; incomplete: ${report.summary.incomplete}`);
  console.log('kind        images   plates     false claims  files without a finding or coverage');
  for (const [name, kind] of Object.entries(kinds)) {
    const inKind = (/** @type {string} */ file, /** @type {string} */ location) => location === file || location.startsWith(`${file}!/`);
    const assetsOf = (/** @type {string} */ file) => report.assets.filter((a) => inKind(file, a.location));
    const imagesFound = kind.images.filter((loc) => report.assets.some((a) => a.location === loc && a.method !== 'record')).length;
    const platesFound = Object.keys(kind.files)
      .flatMap(assetsOf)
      .filter((a) => a.method === 'record')
      .reduce((sum, a) => sum + Number(a.evidence.records), 0);
    const falseClaims = Object.keys(kind.negatives).flatMap(assetsOf).length;
    const silent = Object.keys(kind.files).filter((f) => assetsOf(f).length === 0 && !report.coverage.some((c) => inKind(f, c.location))).length;
    const covered = report.coverage.filter((c) => Object.keys({ ...kind.files, ...kind.negatives }).some((f) => inKind(f, c.location))).map((c) => c.reason);
    console.log(
      `${name.padEnd(11)} ${kind.images.length ? `${imagesFound}/${kind.images.length}` : '-'.padEnd(3)}      ${`${platesFound}/${kind.plates}`.padEnd(9)}  ${falseClaims}             ${silent}${covered.length ? `  coverage: ${covered.join(', ')}` : ''}`,
    );
  }

  // 2. Audit cost: the same rows as CSV, SQLite and Parquet.
  const rows = Math.round((MB * 1e6) / 60);
  const r = prng(9);
  const big = Array.from({ length: rows }, (_, i) => [i % 50 === 0 ? agencyPlates[i % 1000] : others[i % others.length], `cam-${i % 7}`, `2026-11-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`, `conf=${r().toFixed(3)}`]);
  await mkdir(path.join(dir, 'cost'), { recursive: true });
  await writeFile(path.join(dir, 'cost/reads.csv'), `plate,camera,seen_at,note\n${big.map((row) => row.join(',')).join('\n')}\n`);
  const db = new SQL.Database();
  db.run('CREATE TABLE reads (plate TEXT, camera TEXT, seen_at TEXT, note TEXT)');
  db.run('BEGIN');
  const insert = db.prepare('INSERT INTO reads VALUES (?, ?, ?, ?)');
  for (const row of big) insert.run(row);
  insert.free();
  db.run('COMMIT');
  await writeFile(path.join(dir, 'cost/reads.sqlite'), Buffer.from(db.export()));
  db.close();
  await writeFile(
    path.join(dir, 'cost/reads.parquet'),
    Buffer.from(
      parquetWriteBuffer({
        columnData: ['plate', 'camera', 'seen_at', 'note'].map((name, c) => ({ name, data: big.map((row) => row[c]), type: 'STRING' })),
        rowGroupSize: 100_000,
      }),
    ),
  );
  await mkdir(path.join(dir, 'cost/empty'), { recursive: true });
  const time = (/** @type {ReturnType<typeof custody>} */ result) => {
    const [wall, rss] = (result.stderr.trim().split('\n').at(-1) ?? '0 0').split(' ').map(Number);
    return { wall: wall ?? 0, rssMB: Math.round((rss ?? 0) / 1024) };
  };
  const empty = time(audit('cost/empty', 'empty.json'));
  console.log(`\naudit cost, ${rows} rows (start-up, ${empty.wall.toFixed(2)} s, subtracted; peak RSS of the whole audit):`);
  let plain = 0;
  for (const file of ['reads.csv', 'reads.sqlite', 'reads.parquet']) {
    const size = (await stat(path.join(dir, 'cost', file))).size / 1e6;
    const measured = audit(`cost/${file}`, `${file}.json`);
    const { wall, rssMB } = time(measured);
    const found = JSON.parse(await readFile(path.join(dir, `${file}.json`), 'utf8')).assets.reduce((/** @type {number} */ s, /** @type {any} */ a) => s + Number(a.evidence.records ?? 0), 0);
    const net = Math.max(0.01, wall - empty.wall);
    if (file === 'reads.csv') plain = net;
    console.log(`  ${file.padEnd(14)} ${size.toFixed(1).padStart(6)} MB  ${wall.toFixed(2)} s  ${(size / net).toFixed(1).padStart(6)} MB/s  x${(net / plain).toFixed(2)} the CSV  peak RSS ${rssMB} MB  plates ${found}`);
  }
} finally {
  if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
