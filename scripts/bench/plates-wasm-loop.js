#!/usr/bin/env node
// @ts-check
/**
 * The plate tokenizer's WebAssembly byte loop alone (issue 20), two builds of plate-tokenizer.wasm
 * over the same record files, alternating, CPU medians: logs through feed(), `.csv` files through
 * csvFeed() (comma), in 1 MiB chunks as the scan reads them. Without the audit around it (start-up,
 * reads, digests, JSON) a change to the loop shows as it is; the candidate counts of both builds are
 * printed and must agree. The byte tables are dist's own (spelling.ts, matcher.ts); the gate holds the
 * bench tree's three plate shapes (LLLDDDD, DLLLDDD, LLDDLLL), so candidates are what the bench emits.
 * The first round of each build is slower (the module's first compile and tier-up): compare medians.
 *   node scripts/bench/plates-wasm-loop.js [--rounds 5] <a.wasm> <b.wasm> <file>...
 */
import { readFileSync } from 'node:fs';
import { CODE_VALUE } from '../../dist/identify/plates/matcher.js';
import { plateChar } from '../../dist/identify/plates/spelling.js';

const argv = process.argv.slice(2);
const r = argv.indexOf('--rounds');
const rounds = r >= 0 ? Number(argv[r + 1]) : 5;
const [wasmA, wasmB, ...files] = r >= 0 ? argv.filter((_, i) => i !== r && i !== r + 1) : argv;
if (!wasmA || !wasmB || files.length === 0) {
  process.stderr.write('usage: plates-wasm-loop.js [--rounds 5] <a.wasm> <b.wasm> <file>...\n');
  process.exit(2);
}
const CHUNK = 1 << 20;
const PAGE = 65_536;

/** @param {string} file */
function instance(file) {
  const wasm = /** @type {any} */ (globalThis).WebAssembly;
  const x = new wasm.Instance(new wasm.Module(readFileSync(file)), {}).exports;
  const missing = x.inputAt() + CHUNK + PAGE - x.memory.buffer.byteLength;
  if (missing > 0) x.memory.grow(Math.ceil(missing / PAGE));
  const mem = new Uint8Array(x.memory.buffer);
  // tokenizer-wasm.ts byteTables: BREAK 0, SEP 1, ALNUM 2, NEWLINE 3, HIGH 4; values; letters.
  for (let b = 0; b < 256; b++) {
    const kind = b < 0x80 ? plateChar(b) : undefined;
    mem[x.classAt() + b] = b === 0x0a ? 3 : kind === undefined ? 4 : kind === 'sep' ? 1 : kind === 'break' ? 0 : 2;
    mem[x.classAt() + 256 + b] = CODE_VALUE[b] ?? 0;
    mem[x.classAt() + 512 + b] = (CODE_VALUE[b] ?? 0) > 10 ? 1 : 0;
  }
  for (const mask of [0b1110000, 0b0111000, 0b1100111]) mem[x.gateAt() + ((7 << 10) | mask)] = 1;
  return x;
}

const data = files.map((f) => readFileSync(f));

/** One pass over every file; returns the candidates the module emitted. */
function pass(/** @type {any} */ x) {
  let candidates = 0;
  data.forEach((bytes, k) => {
    const csv = files[k]?.endsWith('.csv');
    const state = new Float64Array(x.memory.buffer, x.stateAt(), 32);
    state.fill(0);
    state[16] = 1; // the line
    x.loadState();
    const at = x.inputAt();
    for (let o = 0; o < bytes.length; o += CHUNK) {
      const chunk = bytes.subarray(o, Math.min(bytes.length, o + CHUNK));
      new Uint8Array(x.memory.buffer).set(chunk, at);
      let start = at;
      const end = at + chunk.length;
      while (true) {
        const done = csv ? x.csvFeed(start, end, 0x2c) : x.feed(start, end);
        candidates += x.candidates();
        x.clearCandidates();
        if (done >= 0) break;
        // Stopped: a full buffer, a code point to fold (read here as a break), a whole value for JavaScript.
        start = x.stoppedAt();
        if (x.takePending() >= 0) x.breakToken();
        x.takeWholeColumn();
        if (start >= end) break;
      }
    }
    candidates += Math.max(0, csv ? x.csvEnd() : x.flush());
    x.clearCandidates();
  });
  return candidates;
}

const builds = [instance(wasmA), instance(wasmB)];
/** @type {number[][]} */
const cpu = [[], []];
const counts = [0, 0];
for (let round = 0; round < rounds; round++) {
  for (const k of [0, 1]) {
    const before = process.cpuUsage();
    counts[k] = pass(builds[k]);
    const used = process.cpuUsage(before);
    cpu[k]?.push((used.user + used.system) / 1e6);
  }
}
const median = (/** @type {number[]} */ a) => [...a].sort((p, q) => p - q)[a.length >> 1] ?? Number.NaN;
const mb = data.reduce((n, d) => n + d.length, 0) / 1e6;
const [a, b] = [median(cpu[0] ?? []), median(cpu[1] ?? [])];
process.stdout.write(
  `${JSON.stringify({ mb: Math.round(mb), candidates: counts, same: counts[0] === counts[1], a: cpu[0]?.map((v) => +v.toFixed(3)), b: cpu[1]?.map((v) => +v.toFixed(3)), medianA: a, medianB: b, ratio: +(b / a).toFixed(3) })}\n`,
);
