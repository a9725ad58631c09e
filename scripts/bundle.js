#!/usr/bin/env node
// Bundles the CLI and its matching thread into dist/bin/ (run after tsc, by `npm run build`).
// Start-up is a good part of a short audit: loading ~150 modules from dist/ and node_modules
// takes about a second on a slow machine, a single bundle about half of that (BENCHMARKS.md).
// The library (dist/index.js) stays unbundled; packages with native code or loaded on first use
// stay outside the bundle, so an audit that never decodes an image never loads sharp.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @type {import('esbuild').BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: { run: 'src/cli/run.ts', 'match-worker': 'src/identify/pdq/match-worker.ts' },
  outdir: 'dist/bin',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['sharp', 'exifr', 'yauzl', 'tar-stream', 'csv-parse'],
  // commander, yaml and picomatch are CommonJS: their require() of Node's modules needs a real require.
  banner: { js: "import { createRequire as __custodyRequire } from 'node:module'; const require = __custodyRequire(import.meta.url);" },
  logLevel: 'warning',
};

// The re-audit cache is keyed by a digest of custody's code (src/cache/key.ts). For the bundle it is
// the digest of every input that went into it, computed here so an audit need not read its own code.
const probe = await build({ ...options, write: false, metafile: true });
const hash = createHash('sha256');
for (const input of Object.keys(probe.metafile.inputs).sort()) hash.update(input).update('\0').update(await readFile(path.join(root, input))).update('\0');
await build({ ...options, define: { CUSTODY_CODE_DIGEST: JSON.stringify(hash.digest('hex')) } });
