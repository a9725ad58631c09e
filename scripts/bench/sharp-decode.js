#!/usr/bin/env node
// @ts-check
/**
 * The decoder floor for the benchmark: sharp alone decoding every file under a folder at the
 * resolution custody hashes at (long side 512), with a given number of decodes in flight.
 *   node scripts/bench/sharp-decode.js <dir> <concurrency>
 * Prints {"files":n,"decoded":n,"failed":n} as JSON. Files that are not images count as failed,
 * as they cost custody a sniff, not a decode.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

const [dir, jobsArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: sharp-decode.js <dir> [concurrency]\n');
  process.exit(2);
}
const jobs = Number(jobsArg ?? 8);
const entries = await readdir(dir, { recursive: true, withFileTypes: true });
const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
let next = 0;
let decoded = 0;
let failed = 0;
const worker = async () => {
  while (next < files.length) {
    const file = /** @type {string} */ (files[next++]);
    try {
      await sharp(file).resize(512, 512, { fit: 'inside' }).raw().toBuffer();
      decoded += 1;
    } catch {
      failed += 1; // not an image: counted, nothing more to learn here
    }
  }
};
await Promise.all(Array.from({ length: jobs }, worker));
process.stdout.write(`${JSON.stringify({ files: files.length, decoded, failed })}\n`);
