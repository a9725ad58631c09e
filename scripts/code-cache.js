#!/usr/bin/env node
// @ts-check
/**
 * The build's training run for the V8 code cache of the bundled CLI (src/cli/bundle.ts): loads
 * dist/bin/custody.cjs without a cache, runs the commands a user runs most on a small made-up case
 * (a fingerprint with perceptual hashes and plates, a cold audit, the same audit warm from its
 * re-audit cache, --version), then writes the cache of every function compiled on
 * the way to dist/bin/custody.cjs.v8-cache. A function left out is compiled when first called, as
 * without a cache; a function in it that a run never calls costs a little to load, which is why
 * the policy loader (yaml, used only with --policy) is not trained. Run by
 * scripts/build.js after the bundle; it needs dist/ from tsc (npm run build does both).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadBundledCli } = await import(path.join(root, 'dist/cli/bundle.js'));
const cli = loadBundledCli({ useCache: false });
const dir = await mkdtemp(path.join(os.tmpdir(), 'custody-code-cache-'));
try {
  await mkdir(path.join(dir, 'agency/vehicles'), { recursive: true });
  await mkdir(path.join(dir, 'agency/plate-reads'), { recursive: true });
  await mkdir(path.join(dir, 'share/photos'), { recursive: true });
  await mkdir(path.join(dir, 'share/logs'), { recursive: true });
  await copyFile(path.join(root, 'fixtures/pdq/bridge-640.jpg'), path.join(dir, 'agency/vehicles/bridge.jpg'));
  await copyFile(path.join(root, 'fixtures/pdq/bridge-640.jpg'), path.join(dir, 'share/photos/copy.jpg'));
  await copyFile(path.join(root, 'fixtures/pdq/q1050.jpg'), path.join(dir, 'share/photos/other.jpg'));
  await writeFile(path.join(dir, 'agency/plate-reads/reads.csv'), 'read_id,plate\nRD-1,QRT4821\nRD-2,ES31ARV\n');
  await writeFile(path.join(dir, 'share/logs/lane.log'), 'lane 2 read QRT4821 at 01:07\nlane 3 read ZZZ9999\n');
  await writeFile(path.join(dir, 'share/notes.txt'), 'nothing of the agency here\n');
  await writeFile(path.join(dir, 'plate.key'), 'custody code cache training key, not a secret\n');
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const io = { stdout: sink(), stderr: sink(), stdin: process.stdin, env: { NO_COLOR: '1' }, cwd: dir };
  const audit = ['audit', 'share', '--fingerprints', 'agency.fp.json', '--plate-key-file', 'plate.key', '--authorized', 'enclave/**', '--cache', 'cache'];
  for (const argv of [
    ['--version'],
    ['fingerprint', 'agency', '--out', 'agency.fp.json', '--plate-key-file', 'plate.key', '--class', 'vehicles/**=vehicle-image'],
    [...audit, '--format', 'json', '--output', 'cold.json'],
    [...audit, '--format', 'json', '--output', 'warm.json'],
    [...audit, '--no-archives', '--format', 'json', '--output', 'warm-no-archives.json'],
  ]) {
    const { exitCode } = await cli.run(argv, io);
    // 0 clean, 1 violations (the copies are outside the enclave): anything else is a broken training run.
    if (exitCode !== 0 && exitCode !== 1) throw new Error(`code cache training: custody ${argv.join(' ')} exited ${exitCode}`);
  }
  cli.saveCodeCache();
} finally {
  await rm(dir, { recursive: true, force: true });
}
