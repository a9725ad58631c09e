#!/usr/bin/env node
// @ts-check
/**
 * What reading a large file costs in CPU, by how it is read (issue 20): a file stream with a fresh
 * 1 MiB buffer per chunk (what content.stream() did), 256 KiB and 4 MiB streams, and one 1 MiB
 * buffer read into again and again (ContentSource.lentChunks), and the first touch of fresh memory
 * alone (the page faults a fresh buffer costs). Alternating rounds, medians.
 *   node scripts/bench/read-chunks.js [--rounds 5] <file>...
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

const argv = process.argv.slice(2);
const r = argv.indexOf('--rounds');
const rounds = r >= 0 ? Number(argv[r + 1]) : 5;
const files = r >= 0 ? argv.filter((_, i) => i !== r && i !== r + 1) : argv;
if (files.length === 0) {
  process.stderr.write('usage: read-chunks.js [--rounds 5] <file>...\n');
  process.exit(2);
}
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** @type {Record<string, (file: string) => Promise<number>>} */
const ways = {
  'stream 1 MiB': async (file) => {
    let n = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) n += chunk.length;
    return n;
  },
  'stream 256 KiB': async (file) => {
    let n = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 18 })) n += chunk.length;
    return n;
  },
  'stream 4 MiB': async (file) => {
    let n = 0;
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 22 })) n += chunk.length;
    return n;
  },
  'one 1 MiB buffer': async (file) => {
    const handle = await open(file);
    const buffer = Buffer.allocUnsafeSlow(1 << 20);
    let n = 0;
    try {
      for (let read = -1; read !== 0; n += read) read = (await handle.read(buffer, 0, buffer.length, n)).bytesRead;
    } finally {
      await handle.close();
    }
    return n;
  },
};
/** @type {Record<string, number[]>} */
const times = {};
let bytes = 0;
for (let round = 0; round < rounds; round++) {
  for (const [name, read] of Object.entries(ways)) {
    const before = cpu();
    bytes = 0;
    for (const file of files) bytes += await read(file);
    (times[name] ??= []).push(cpu() - before);
  }
  const before = cpu();
  new Uint8Array(new SharedArrayBuffer(bytes)).fill(1);
  (times['first touch of as many fresh bytes'] ??= []).push(cpu() - before);
}
const median = (/** @type {number[]} */ v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
const base = median(times['one 1 MiB buffer'] ?? []);
for (const [name, v] of Object.entries(times)) {
  process.stdout.write(`${name}: median ${median(v).toFixed(3)} CPU-s (${(median(v) / base).toFixed(2)}x one buffer) for ${(bytes / 1e6).toFixed(0)} MB; ${v.map((t) => t.toFixed(3)).join(' ')}\n`);
}
