#!/usr/bin/env node
// @ts-check
/**
 * Container bench (issue #22 class 5): how long custody takes to dismiss an overlapping-entry zip
 * bomb (Fifield's construction: every entry's compressed data runs over the headers after it), and
 * how many members it yields. Before the layout check, a 1.2 MB bomb of 20,000 entries yielded
 * 20,000 "copies" in 82-110 s. Target: under 2 s, no members.
 *
 * Build first: npx tsc -p tsconfig.build.json
 * Run:         node scripts/bench/containers.js [entries]   (default 20000)
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

const { expandArchive } = await import('../../dist/sources/archives/index.js');

const count = Number(process.argv[2] ?? 20_000);
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
} finally {
  await rm(dir, { recursive: true, force: true });
}
