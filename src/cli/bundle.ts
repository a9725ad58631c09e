import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type { run } from './run.js';

/**
 * How bin/custody.js loads the CLI: the whole program as one CommonJS bundle (dist/bin/custody.cjs,
 * scripts/build.js), compiled with the V8 code cache the build made for it beside it.
 *
 * Start-up is most of a short audit (a warm re-audit, an exact-only one): of the instructions an
 * audit of an empty folder runs beyond `node -e 0`, a third went to parsing custody's code and a
 * sixth to compiling it to bytecode, every run, for the ~40 ES modules an audit loads (callgrind,
 * scripts/bench/fixed-cost.js). Node 20 has no compile cache for ES modules (module.enableCompileCache
 * came in 22.1), but vm.Script takes V8's code cache: with it the parse and most compiles are
 * skipped. The cache holds the functions a training run compiled (a fingerprint, a cold and a warm
 * audit), so it is valid only for the bundle it was made from, by the same Node and V8: V8 checks the
 * source length, its version and its flags, and a cache it rejects is ignored (the code is then
 * compiled as usual, with the same result). Nothing is written at run time.
 *
 * V8 checks no more than that: a cache made for another bundle of the same length is accepted and
 * runs the old functions, and release builds of Node 20 do not checksum the cache, so a damaged one
 * crashes the process (SIGTRAP in the deserializer). The cache file therefore starts with the
 * SHA-256 of the bundle it was made for and of its own payload ({@link CACHE_HEADER_BYTES}), both
 * checked before V8 sees it (~2.5 ms for the 4 MB); a cache that fails either, or cannot be read at
 * all, is not used.
 */
export interface BundledCli {
  run: typeof run;
  /** What became of the code cache: used, absent (no file) or rejected by V8 (another Node, flags or bundle). */
  codeCache: 'accepted' | 'absent' | 'rejected';
  /** Writes the code cache for the functions compiled so far (the build's training run calls this). */
  saveCodeCache(): void;
}

/** The bundle and its code cache, beside each other in dist/bin/. */
export const BUNDLE_FILE = fileURLToPath(new URL('../bin/custody.cjs', import.meta.url));
export const CODE_CACHE_FILE = `${BUNDLE_FILE}.v8-cache`;
/** The cache file's header: SHA-256 of the bundle's bytes, then of the payload that follows. */
export const CACHE_HEADER_BYTES = 64;

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();

/**
 * Loads and runs the bundle's top level, returning its `run`. `useCache: false` compiles without the
 * cache (the training run, which makes it).
 */
export function loadBundledCli(options: { useCache?: boolean } = {}): BundledCli {
  const bytes = readFileSync(BUNDLE_FILE);
  const bundleDigest = sha256(bytes);
  const source = bytes.toString('utf8');
  const cache = options.useCache === false ? undefined : readCache(bundleDigest);
  const cachedData = cache === 'stale' ? undefined : cache;
  // CommonJS's own wrapper, on the bundle's first line so that stack traces keep its line numbers.
  // With __custodyImport: the bundle's import() calls (scripts/build.js), which a vm.Script cannot make
  // itself in Node 20 without --experimental-vm-modules; packages left outside the bundle (sharp,
  // pdfjs-dist, ...) are imported from here (bare names and absolute URLs only: a relative one would resolve from dist/cli/).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __custodyImport) {${source}\n})`, {
    filename: BUNDLE_FILE,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as { run?: typeof run } };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const importModule = (specifier: string): Promise<unknown> => import(specifier);
  wrapper(module.exports, createRequire(BUNDLE_FILE), module, BUNDLE_FILE, path.dirname(BUNDLE_FILE), importModule);
  if (typeof module.exports.run !== 'function') throw new Error(`custody: ${BUNDLE_FILE} does not export run (rebuild with npm run build)`);
  return {
    run: module.exports.run,
    codeCache: cache === 'stale' || (cachedData && script.cachedDataRejected) ? 'rejected' : cachedData ? 'accepted' : 'absent',
    saveCodeCache: () => {
      const payload = script.createCachedData();
      writeFileSync(CODE_CACHE_FILE, Buffer.concat([bundleDigest, sha256(payload), payload]));
    },
  };
}

/**
 * The code cache's payload, undefined when there is none or it cannot be read (it is an
 * optimisation, never required), or `stale` when it was made for another bundle or is damaged.
 */
function readCache(bundleDigest: Buffer): Buffer | 'stale' | undefined {
  let file: Buffer;
  try {
    file = readFileSync(CODE_CACHE_FILE);
  } catch {
    return undefined;
  }
  const payload = file.subarray(CACHE_HEADER_BYTES);
  if (file.length <= CACHE_HEADER_BYTES || !bundleDigest.equals(file.subarray(0, 32)) || !sha256(payload).equals(file.subarray(32, CACHE_HEADER_BYTES)))
    return 'stale';
  return payload;
}
