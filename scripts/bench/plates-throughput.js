#!/usr/bin/env node
// @ts-check
/**
 * The plate scan alone, without the audit around it (issue 20): scans each file given with the
 * library's scanPlates against a fingerprint file's plate digests, one file after another on this
 * thread, and prints CPU seconds and MB/s per file and what each scan found (so two builds can be
 * compared for identical findings). Needs a build (dist/).
 *   node scripts/bench/plates-throughput.js <fingerprints.json> <plate.key> <file>...
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

const dist = (/** @type {string} */ p) => new URL(`../../dist/${p}`, import.meta.url).href;
const { PlateMatcher } = await import(dist('identify/plates/matcher.js'));
const { scanPlates } = await import(dist('identify/plates/scan.js'));
const { loadPlateKey } = await import(dist('identify/plates/key.js'));

const [fingerprints, keyFile, ...files] = process.argv.slice(2);
if (!fingerprints || !keyFile || files.length === 0) {
  process.stderr.write('usage: plates-throughput.js <fingerprints.json> <plate.key> <file>...\n');
  process.exit(2);
}
const plates = JSON.parse(await readFile(fingerprints, 'utf8')).plates;
const key = loadPlateKey({ keyFile, env: {} });
const matcher = PlateMatcher.fromHex(key, plates.digests, plates.shapes);
let totalCpu = 0;
let totalBytes = 0;
for (const file of files) {
  const size = (await stat(file)).size;
  const before = process.cpuUsage();
  const result = await scanPlates(createReadStream(file, { highWaterMark: 1 << 20 }), matcher);
  const used = process.cpuUsage(before);
  const cpu = (used.user + used.system) / 1e6;
  totalCpu += cpu;
  totalBytes += size;
  const found = JSON.stringify({ format: result.format, records: result.records, where: result.where, truncated: result.whereTruncated, examples: result.examples });
  process.stdout.write(`${file}: ${cpu.toFixed(2)} CPU-s, ${(size / 1e6 / cpu).toFixed(0)} MB/s; ${found}\n`);
}
process.stdout.write(`total: ${totalCpu.toFixed(2)} CPU-s, ${(totalBytes / 1e6 / totalCpu).toFixed(0)} MB/s\n`);
