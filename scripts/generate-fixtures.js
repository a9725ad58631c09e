#!/usr/bin/env node
// @ts-check
/**
 * Writes the shipped example case (see fixtures/example/README.md):
 *
 *   node scripts/generate-fixtures.js [--out <dir>] [--now <ISO date>]
 *
 * --out  output directory, default fixtures/example/generated. It is deleted and recreated, so it
 *        must be empty, absent, or a previous output of this script (it holds plan.json).
 * --now  reference time for mtimes and capture dates, default the current time. Tests pass a fixed
 *        date; the README demo uses the default so retention violations always show.
 */
import { chmod, mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildExampleCase } from './synth/example-case.js';

const DAY = 86_400_000;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the case and writes it under `out`, replacing a previous output.
 * @param {{ out: string, now: Date }} options
 * @returns {Promise<{ files: number, bytes: number, plan: object }>}
 */
export async function generateExample({ out, now }) {
  await clearOwnDir(out);
  const { files, plan } = await buildExampleCase({ now });
  let bytes = 0;
  for (const file of files) {
    const target = path.join(out, ...file.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.data);
    // chmod after writing: the umask would otherwise narrow the modes the case depends on.
    await chmod(target, file.mode);
    const when = new Date(now.getTime() - file.ageDays * DAY);
    await utimes(target, when, when);
    bytes += file.data.length;
  }
  return { files: files.length, bytes, plan };
}

/**
 * Deletes `dir` only if it is empty or looks like an earlier output, so a mistyped --out cannot
 * wipe someone's directory.
 * @param {string} dir
 */
async function clearOwnDir(dir) {
  const info = await stat(dir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new Error(`--out ${dir} exists and is not a directory`);
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes('plan.json')) {
    throw new Error(`--out ${dir} is not empty and holds no plan.json; refusing to delete it`);
  }
  await rm(dir, { recursive: true, force: true });
}

async function main() {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, now: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('usage: node scripts/generate-fixtures.js [--out <dir>] [--now <ISO date>]\n');
    return;
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new Error(`--now: not a date: ${values.now}`);
  const out = path.resolve(values.out ?? path.join(repoRoot, 'fixtures', 'example', 'generated'));
  const started = performance.now();
  const result = await generateExample({ out, now });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  process.stdout.write(`wrote ${result.files} files, ${(result.bytes / 1e6).toFixed(2)} MB, to ${path.relative(process.cwd(), out) || '.'} in ${seconds}s (now=${now.toISOString()})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`generate-fixtures: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
