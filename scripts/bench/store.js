#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:store`: the v2 fingerprint store against v1 JSON (issue #17, item 1).
 *
 *   node scripts/bench/store.js [--count <n>] [--v1-count <n>] [--quick]
 *
 * Synthetic references (random SHA-256/MD5, each with a full-image and 8 crop/tile PDQ views,
 * seeded, so every run writes the same bytes). Each step runs as its own process
 * (scripts/bench/measure.js: wall, peak RSS); a write step also times, in process, how much of it
 * went to making the synthetic references (the store writer walks them once per column), so the
 * writer's own time is reported apart:
 *   - write-v2 / load-v2 (verified columns, readStore) at --count (default 1,000,000);
 *   - at --v1-count (default 100,000; v1 cannot hold a million): write-v1 (the JSON the fingerprint
 *     command writes), load-v1 and load-v2-full (both to a FingerprintIndex of Reference objects);
 *   - segments (issue #17, item 2): append of --append-count (default 10,000) new references to the
 *     --count store (verifying it first; bytes written against the store's size), load of the
 *     appended store against its compaction (merge of the one store), and the merge of two stores of
 *     half the count each.
 * Writes bench/results/store.md and store.json. Needs a build (npx tsc -p tsconfig.build.json).
 */
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';
import { machine } from './report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORK = path.join(ROOT, 'bench', 'work', 'store');
const RESULTS = path.join(ROOT, 'bench', 'results');
const dist = (/** @type {string} */ file) => new URL(`../../dist/references/${file}`, import.meta.url).href;
const distOf = (/** @type {string} */ file) => new URL(`../../dist/${file}`, import.meta.url).href;
const VARIANTS = ['full', 'crop:5,5,5,5', 'crop:10,10,10,10', 'crop:10,0,0,0', 'tile:0,0', 'tile:0,2', 'tile:1,1', 'tile:2,0', 'tile:2,2'];
const CLASSES = ['vehicle-image', 'traveler-image', 'agency-image'];
const META = { tool: { name: /** @type {const} */ ('custody'), version: 'bench' }, createdAt: '2026-12-01T00:00:00.000Z', roots: ['agency'] };

/** 32 random bits for (i, salt): a hash of the pair, so any reference can be made again alone. */
function bits(/** @type {number} */ i, /** @type {number} */ salt) {
  let t = (Math.imul(i, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d);
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b);
  return (t ^ (t >>> 16)) >>> 0;
}

/**
 * 64 MiB of seeded random bytes; a digest is 16 or 32 of them from a random offset. Drawing every
 * digest bit by bit cost ~25 us a reference, more than the writer itself, and the writer walks the
 * references once per column.
 */
let pool = Buffer.alloc(0);

function hex(/** @type {number} */ i, /** @type {number} */ salt, /** @type {number} */ bytes) {
  if (pool.length === 0) {
    // Made on first use, so the load steps' peak RSS does not include it.
    pool = Buffer.alloc(64 * 2 ** 20);
    for (let at = 0; at < pool.length; at += 4) pool.writeUInt32LE(bits(at, 7), at);
  }
  const at = bits(i, salt) % (pool.length - bytes);
  return pool.toString('hex', at, at + bytes);
}

/** Reference i (ids sorted by i, as v1 sorts by id). */
function reference(/** @type {number} */ i) {
  return {
    id: `lanes/cam-${i % 64}/${String(i).padStart(8, '0')}.jpg`,
    class: CLASSES[i % 3] ?? 'agency-image',
    size: 20_000 + (bits(i, 1) % 4_000_000),
    sha256: hex(i, 2, 32),
    md5: hex(i, 3, 16),
    media: 'image/jpeg',
    pdq: VARIANTS.map((variant, v) => ({ hash: hex(i, 10 + v, 32), quality: 50 + (bits(i, 30 + v) % 51), variant })),
    capturedAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
  };
}

/** References from..from+count-1, adding the time spent making them to `clock.ms`. */
const timed = (/** @type {number} */ count, /** @type {{ ms: number }} */ clock, from = 0) =>
  function* () {
    for (let i = from; i < from + count; i++) {
      const started = performance.now();
      const made = reference(i);
      clock.ms += performance.now() - started;
      yield made;
    }
  };

/** One step, run in a child process so that its peak RSS is its own. */
async function step(/** @type {string} */ name, /** @type {number} */ count, /** @type {string} */ file, from = 0, inputs = /** @type {string[]} */ ([])) {
  const started = performance.now();
  const clock = { ms: 0 };
  /** @type {Record<string, number>} */
  const extra = {};
  if (name === 'append-v2') {
    const { openForAppend, appendSegment } = await import(dist('store-append.js'));
    const { writeGuard } = await import(distOf('util/safe-write.js'));
    const target = await openForAppend({ guard: await writeGuard(path.dirname(file), []), cwd: path.dirname(file), path: path.basename(file) });
    extra.verify = (performance.now() - started) / 1000;
    extra.storeBytes = target.size;
    try {
      const meta = { ...META, createdAt: '2026-12-02T00:00:00.000Z' };
      extra.written = (await appendSegment(target, timed(count, clock, from), undefined, meta)).bytes;
    } finally {
      await target.handle.close();
    }
  } else if (name === 'merge-v2') {
    const { mergeFingerprints } = await import(distOf('fingerprint/merge.js'));
    await mergeFingerprints(inputs, { guard: { roots: [], files: [] }, cwd: path.dirname(file), path: path.basename(file) });
  } else if (name === 'write-v2') {
    const { storeChunks } = await import(dist('store-write.js'));
    const out = createWriteStream(file);
    for (const chunk of storeChunks(timed(count, clock, from), undefined, META)) if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', () => resolve(undefined)));
    await new Promise((resolve) => out.end(resolve));
  } else if (name === 'write-v1') {
    const { fingerprintDigest } = await import(dist('load.js'));
    const body = { format: 'custody-fingerprints', version: 1, ...META, references: [...timed(count, clock)()] };
    await writeFile(file, `${JSON.stringify({ ...body, digest: fingerprintDigest(body) }, null, 2)}\n`);
  } else if (name === 'load-v2') {
    const { readStore } = await import(dist('store-read.js'));
    const { footer } = await readStore(file);
    if (footer.counts.references !== count) throw new Error('store miscounted');
  } else if (name === 'load-v1' || name === 'load-v2-full') {
    const { loadFingerprints } = await import(dist('load.js'));
    const index = await loadFingerprints([file]);
    if (index.references.length !== count) throw new Error('index miscounted');
  }
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, generating: clock.ms / 1000, extra })}\n`);
}

async function main() {
  const args = process.argv.slice(2);
  const flag = (/** @type {string} */ name, /** @type {number} */ fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  if (args[0] === '--step') return step(args[1] ?? '', Number(args[2]), args[3] ?? '', Number(args[4] ?? 0), args.slice(5));
  const quick = args.includes('--quick');
  const count = flag('--count', quick ? 100_000 : 1_000_000);
  const v1Count = flag('--v1-count', quick ? 20_000 : 100_000);
  const appendCount = flag('--append-count', quick ? 1_000 : 10_000);
  await mkdir(WORK, { recursive: true });
  await mkdir(RESULTS, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  const heap = ['--max-old-space-size=6144'];
  /** @type {Record<string, Row>} */
  const rows = {};
  const run = async (
    /** @type {string} */ name,
    /** @type {string} */ label,
    /** @type {number} */ n,
    /** @type {string} */ file,
    from = 0,
    inputs = /** @type {string[]} */ ([]),
  ) => {
    const m = await measure('nice', ['-n', '10', process.execPath, ...heap, self, '--step', name, String(n), file, String(from), ...inputs]);
    if (m.code !== 0) throw new Error(`${label} failed: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const { seconds, generating, extra } = JSON.parse(m.stdout.trim().split('\n').at(-1) ?? '{}');
    const written = name.startsWith('write') || name.startsWith('merge') ? { bytes: (await stat(file)).size } : {};
    rows[label] = { references: n, seconds, own: seconds - generating, wall: m.wall, rssMiB: m.rssMiB, load1: m.load1, ...written, ...extra };
    process.stderr.write(`${label}: ${seconds.toFixed(2)} s (${(seconds - generating).toFixed(2)} s its own), peak RSS ${m.rssMiB.toFixed(0)} MiB${rows[label]?.bytes ? `, ${(rows[label].bytes / 2 ** 20).toFixed(1)} MiB` : ''}\n`);
  };
  const big = path.join(WORK, `store-${count}.cfs`);
  const small = path.join(WORK, `store-${v1Count}.cfs`);
  const json = path.join(WORK, `v1-${v1Count}.fp.json`);
  await run('write-v2', `write v2 ${count}`, count, big);
  await run('load-v2', `load v2 columns ${count}`, count, big);
  await run('write-v1', `write v1 ${v1Count}`, v1Count, json);
  await run('load-v1', `load v1 index ${v1Count}`, v1Count, json);
  await run('write-v2', `write v2 ${v1Count}`, v1Count, small);
  await run('load-v2', `load v2 columns ${v1Count}`, v1Count, small);
  await run('load-v2-full', `load v2 index ${v1Count}`, v1Count, small);
  await rm(small);
  await rm(json);
  // Segments: append to the big store (a copy), load it, compact it, load the compact one.
  const appended = path.join(WORK, 'appended.cfs');
  const compact = path.join(WORK, 'compact.cfs');
  await copyFile(big, appended);
  await run('append-v2', `append ${appendCount} to ${count}`, appendCount, appended, count);
  await run('load-v2', `load v2 columns ${count}+${appendCount} (2 segments)`, count + appendCount, appended);
  await run('merge-v2', `compact ${count}+${appendCount} (merge of 1)`, count + appendCount, compact, 0, [appended]);
  await run('load-v2', `load v2 columns ${count + appendCount} (compact)`, count + appendCount, compact);
  await rm(appended);
  await rm(compact);
  await rm(big);
  const half = Math.floor(count / 2);
  const [first, second, merged] = ['first', 'second', 'merged'].map((name) => path.join(WORK, `${name}.cfs`));
  await run('write-v2', `write v2 ${half} (first half)`, half, first ?? '', 0);
  await run('write-v2', `write v2 ${half} (second half)`, half, second ?? '', half);
  await run('merge-v2', `merge 2 x ${half}`, 2 * half, merged ?? '', 0, [first ?? '', second ?? '']);
  await rm(WORK, { recursive: true, force: true });
  await report(rows, { count, v1Count, appendCount });
}

/**
 * @typedef {{ references: number, seconds: number, own: number, wall: number, rssMiB: number, bytes?: number, load1: number,
 *   verify?: number, storeBytes?: number, written?: number }} Row
 */

const markdownTable = (/** @type {string[][]} */ rows) =>
  rows.map((row, n) => `| ${row.join(' | ')} |${n === 0 ? `\n|${row.map(() => ' --- |').join('')}` : ''}`).join('\n');

/**
 * @param {Record<string, Row>} rows
 * @param {{ count: number, v1Count: number, appendCount: number }} sizes
 */
async function report(rows, { count, v1Count, appendCount }) {
  const get = (/** @type {string} */ label) => {
    const row = rows[label];
    if (!row) throw new Error(`no row ${label}`);
    return row;
  };
  const per = (/** @type {string} */ label, /** @type {'seconds' | 'own' | 'bytes'} */ key) => (get(label)[key] ?? NaN) / get(label).references;
  const ratio = (/** @type {number} */ a, /** @type {number} */ b) => `${(a / b).toFixed(2)}x`;
  const v1Write = `write v1 ${v1Count}`;
  const ratios = {
    'size per reference, v2 / v1': ratio(per(`write v2 ${count}`, 'bytes'), per(v1Write, 'bytes')),
    'write time per reference, v2 (1M) / v1, making the synthetic references excluded': ratio(per(`write v2 ${count}`, 'own'), per(v1Write, 'own')),
    'write time per reference, v2 (1M) / v1, making them included (v2 makes them once per column)': ratio(
      per(`write v2 ${count}`, 'seconds'),
      per(v1Write, 'seconds'),
    ),
    'load time per reference, v2 columns (1M) / v1 index': ratio(per(`load v2 columns ${count}`, 'seconds'), per(`load v1 index ${v1Count}`, 'seconds')),
    'load time, v2 index / v1 index (same set)': ratio(get(`load v2 index ${v1Count}`).seconds, get(`load v1 index ${v1Count}`).seconds),
    'peak RSS, v2 columns (1M) / v1 index (100k)': ratio(get(`load v2 columns ${count}`).rssMiB, get(`load v1 index ${v1Count}`).rssMiB),
    'peak RSS, v2 index / v1 index (same set)': ratio(get(`load v2 index ${v1Count}`).rssMiB, get(`load v1 index ${v1Count}`).rssMiB),
    'peak RSS while writing, v2 (1M) / v1': ratio(get(`write v2 ${count}`).rssMiB, get(v1Write).rssMiB),
    'append: bytes written / store size before': ratio(get(`append ${appendCount} to ${count}`).written ?? NaN, get(`append ${appendCount} to ${count}`).storeBytes ?? NaN),
    'append: seconds, of which verifying the store first': `${get(`append ${appendCount} to ${count}`).seconds.toFixed(2)} s, ${get(`append ${appendCount} to ${count}`).verify?.toFixed(2)} s`,
    'load time, appended (2 segments) / compact (same references)': ratio(
      get(`load v2 columns ${count}+${appendCount} (2 segments)`).seconds,
      get(`load v2 columns ${count + appendCount} (compact)`).seconds,
    ),
    'merge 2 x half: seconds per reference / writing (making references excluded)': ratio(
      per(`merge 2 x ${Math.floor(count / 2)}`, 'seconds'),
      per(`write v2 ${count}`, 'own'),
    ),
  };
  const table = [
    ['step', 'references', 'seconds', 'of which not making references', 'peak RSS MiB', 'file MiB', 'bytes/ref', 'load1'],
    ...Object.entries(rows).map(([label, r]) => [
      label,
      String(r.references),
      r.seconds.toFixed(2),
      r.own.toFixed(2),
      r.rssMiB.toFixed(0),
      r.bytes ? (r.bytes / 2 ** 20).toFixed(1) : '',
      r.bytes ? (r.bytes / r.references).toFixed(0) : '',
      r.load1.toFixed(2),
    ]),
  ];
  const md = [
    '# Fingerprint store v2 against v1 JSON',
    '',
    `Synthetic references with 9 PDQ views each (\`node scripts/bench/store.js --count ${count} --v1-count ${v1Count}\`); each step is its own process under nice 10.`,
    '',
    markdownTable(table),
    '',
    markdownTable([['ratio', 'value'], ...Object.entries(ratios)]),
    '',
    `Machine: ${JSON.stringify(machine({}))}`,
    '',
  ].join('\n');
  await writeFile(path.join(RESULTS, 'store.md'), md);
  await writeFile(path.join(RESULTS, 'store.json'), `${JSON.stringify({ rows, ratios, cpus: os.cpus().length }, null, 2)}\n`);
  process.stdout.write(md);
}

await main();
