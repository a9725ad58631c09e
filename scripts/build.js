#!/usr/bin/env node
// The build after tsc (`npm run build`): PDQ's WebAssembly kernels, then the bundled CLI.
//
// 1. src/identify/pdq/wasm/kernels.ts (AssemblyScript) -> dist/identify/pdq/pdq-kernels.wasm: PDQ's
//    hot loops (luma, tent filter, DCT, sampling, Hamming scan; see src/identify/pdq/simd.ts).
// 2. The CLI and its matching thread bundled into dist/bin/, the kernels copied beside them.
//    Start-up is a good part of a short audit: loading ~150 modules from dist/ and node_modules
//    takes about a second on a slow machine, a single bundle about half of that (measured on the
//    bench machine: `custody --version` 1.45 -> 0.85 s, of which 0.37 s is Node's own start).
//    The library (dist/index.js) stays unbundled; packages with native code or loaded on first
//    use stay outside the bundle, so an audit that never decodes an image never loads sharp.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kernels = path.join(root, 'dist/identify/pdq/pdq-kernels.wasm');

await mkdir(path.dirname(kernels), { recursive: true });
const compiled = await asc.main(
  // No runtime and no assertions: the kernels allocate nothing and are only called with offsets
  // simd.ts laid out. SIMD is in every Node this package supports (20.19+).
  ['src/identify/pdq/wasm/kernels.ts', '--outFile', kernels, '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '--baseDir', root],
  { stdout: process.stdout, stderr: process.stderr },
);
if (compiled.error) {
  process.stderr.write(`build: AssemblyScript failed: ${compiled.error.message}\n`);
  process.exit(1);
}

/** @type {import('esbuild').BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: { run: 'src/cli/run.ts', 'match-worker': 'src/identify/pdq/match-worker.ts' },
  outdir: 'dist/bin',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['sharp', 'exifr', 'yauzl', 'tar-stream', 'csv-parse', 'sql.js', 'hyparquet', 'hyparquet-compressors', 'pdf-lib', 'pdfjs-dist'],
  // commander, yaml and picomatch are CommonJS: their require() of Node's modules needs a real require.
  banner: { js: "import { createRequire as __custodyRequire } from 'node:module'; const require = __custodyRequire(import.meta.url);" },
  logLevel: 'warning',
};

// The re-audit cache is keyed by a digest of custody's code (src/cache/key.ts). For the bundle it is
// the digest of every input that went into it and of the kernels, computed here so an audit need not
// read its own code.
const probe = await build({ ...options, write: false, metafile: true });
const hash = createHash('sha256');
for (const input of Object.keys(probe.metafile.inputs).sort()) hash.update(input).update('\0').update(await readFile(path.join(root, input))).update('\0');
hash.update('pdq-kernels.wasm\0').update(await readFile(kernels));
await build({ ...options, define: { CUSTODY_CODE_DIGEST: JSON.stringify(hash.digest('hex')) } });
await copyFile(kernels, path.join(root, 'dist/bin/pdq-kernels.wasm'));
