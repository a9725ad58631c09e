#!/usr/bin/env node
// @ts-check
/**
 * Container bench (issue #22 class 5).
 * 1. How long custody takes to dismiss an overlapping-entry zip bomb (Fifield's construction: every
 *    entry's compressed data runs over the headers after it), and how many members it yields.
 *    Before the layout check, a 1.2 MB bomb of 20,000 entries yielded 20,000 "copies" in 82-110 s.
 *    Target: under 2 s, no members.
 * 2. With --nested, peak RSS expanding nested zips: outer.zip (2.5 MB on disk) > middle.zip
 *    (190 MiB, deflated 79:1) > inner.zip (190 MiB, stored) > data.bin. Each level used to hold its
 *    own buffer (about 640 MB peak RSS); with one budget for all levels the inner zip is refused with
 *    coverage (about 260 MB). Writes about 200 MB to the temp dir (--keep leaves it there).
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/containers.js [entries] [--nested]   (default 20000)
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const { expandArchive } = await import('../../dist/sources/archives/index.js');

const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20_000);
const nested = process.argv.includes('--nested');
const u16 = (/** @type {number} */ n) => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
const u32 = (/** @type {number} */ n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** @param {number} entries */
function overlappingBomb(entries) {
  const zeros = Buffer.alloc(1 << 20);
  const kernel = deflateRawSync(zeros, { level: 9 });
  const names = Array.from({ length: entries }, (_, i) => Buffer.from(`f${i}.jpg`));
  /** @type {number[]} */
  const offsets = [];
  let at = 0;
  for (const name of names) {
    offsets.push(at);
    at += 30 + name.length;
  }
  const end = at + kernel.length;
  /** @type {Buffer[]} */
  const locals = [];
  /** @type {Buffer[]} */
  const centrals = [];
  names.forEach((name, i) => {
    const offset = /** @type {number} */ (offsets[i]);
    const common = [u16(20), u16(0), u16(8), u16(0), u16(0x21), u32(crc32(zeros)), u32(end - offset - 30 - name.length), u32(zeros.length), u16(name.length), u16(0)];
    locals.push(Buffer.concat([u32(0x04034b50), ...common, name]));
    centrals.push(Buffer.concat([u32(0x02014b50), u16(0x031e), ...common, u16(0), u16(0), u16(0), u32(0o100644 << 16), u32(offset), name]));
  });
  const central = Buffer.concat(centrals);
  return Buffer.concat([...locals, kernel, central, u32(0x06054b50), u16(0), u16(0), u16(entries), u16(entries), u32(central.length), u32(end), u16(0)]);
}

const expandOnly = process.argv.indexOf('--expand');
if (expandOnly >= 0) {
  await expandNested(/** @type {string} */ (process.argv[expandOnly + 1]));
  process.exit(0);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-bench-containers-'));
try {
  const file = path.join(dir, 'bomb.zip');
  const bytes = overlappingBomb(count);
  await writeFile(file, bytes);
  const content = { head: async (/** @type {number} */ n) => (await readFile(file)).subarray(0, n), readAll: () => readFile(file), stream: () => createReadStream(file) };
  const item = { location: 'bomb.zip', origin: /** @type {const} */ ('filesystem'), size: bytes.length, path: file, content };
  const started = performance.now();
  let members = 0;
  const coverage = [];
  for await (const event of expandArchive(item, 'application/zip', { filePath: file })) {
    if (event.kind === 'item') members++;
    else if (event.kind === 'coverage') coverage.push(event.entry);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`overlapping-entry bomb: ${count} entries, ${(bytes.length / 1e6).toFixed(2)} MB: ${seconds.toFixed(2)} s, ${members} members, coverage ${coverage.map((c) => c.reason).join(', ')}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  if (nested) await nestedZips(dir);
} finally {
  if (!process.argv.includes('--keep')) await rm(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}

/** A zip of one entry, stored or deflated. @param {string} name @param {Buffer} data @param {boolean} deflate */
function singleZip(name, data, deflate) {
  const body = deflate ? deflateRawSync(data) : data;
  const nameBytes = Buffer.from(name);
  const common = [u16(20), u16(0), u16(deflate ? 8 : 0), u16(0), u16(0x21), u32(crc32(data)), u32(body.length), u32(data.length), u16(nameBytes.length), u16(0)];
  const local = Buffer.concat([u32(0x04034b50), ...common, nameBytes]);
  const central = Buffer.concat([u32(0x02014b50), u16(0x031e), ...common, u16(0), u16(0), u16(0), u32(0o100644 << 16), u32(0), nameBytes]);
  const end = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(1), u16(1), u32(central.length), u32(local.length + body.length), u16(0)]);
  return Buffer.concat([local, body, central, end]);
}

/** @param {string} dir */
async function nestedZips(dir) {
  const data = Buffer.alloc(190 * 1024 * 1024);
  for (let i = 0, x = 3; i < data.length; i += 300) data[i] = x = (x * 1103515245 + 12345) & 0xff;
  const file = path.join(dir, 'outer.zip');
  const outer = singleZip('middle.zip', singleZip('inner.zip', singleZip('data.bin', data, false), false), true);
  await writeFile(file, outer);
  // Expanded in a fresh process, so its peak RSS is the expansion's, not the generation's.
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--expand', file], { stdio: 'inherit' });
}

/** @param {string} file */
async function expandNested(file) {
  const size = (await readFile(file)).length;
  const content = { head: async (/** @type {number} */ n) => (await readFile(file)).subarray(0, n), readAll: () => readFile(file), stream: () => createReadStream(file) };
  // Sampled, not maxRSS: a child's maxRSS starts at its parent's when it is forked (Linux).
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const lines = [];
  const item = { location: 'outer.zip', origin: /** @type {const} */ ('filesystem'), size, path: file, content };
  for await (const event of expandArchive(item, 'application/zip', { filePath: file })) {
    if (event.kind === 'item') {
      lines.push(event.item.location);
      const stream = event.item.content?.stream();
      if (stream) for await (const chunk of stream) void chunk;
    } else if (event.kind === 'coverage') lines.push(`${event.entry.reason}: ${event.entry.detail}`);
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`nested zips (${(size / 1e6).toFixed(1)} MB on disk): ${lines.join('; ')}; peak RSS of the expanding process ${(peak / 2 ** 20).toFixed(0)} MB`);
}
