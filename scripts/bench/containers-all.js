#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:containers`: every container kind's bench in one run, one after another (issue #18):
 * what each kind finds of the agency data planted in it (with negatives of the same kind) and what it
 * costs against the plain file. Each kind's script can be run alone; their figures are in its output.
 * - hides.js first: found/planted in every kind at once, in one contractor tree and one audit (plus one
 *   --git audit), with negatives of each kind; writes bench/results/hides.md (npm run bench:hides);
 * - archives.js: xz, zstd, 7z against a plain tar (found/planted is in test/hostile/archives-hostile.test.ts);
 * - pdf.js: JPEG kept verbatim, Flate pixels, Ghostscript rewrites, encrypted, page text; and cost;
 * - mail.js: .eml, mbox, data URIs, JSON base64; cost against reading the plain file;
 * - data.js: SQLite, Parquet, split plate fields, UTF-16; cost against the same rows as CSV;
 * - git.js: history against the same files on disk;
 * - media.js: video and HEIC against the plain file and JPEG.
 * Needs a build (npm run build) and the Debian tools the kinds use (ffmpeg, heif-enc, git, 7zz, xz,
 * zstd, ghostscript); a kind whose tool is absent says so and the run goes on.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const KINDS = [
  ['hides', []],
  ['archives', []],
  ['pdf', []],
  ['mail', ['20']],
  ['data', ['5']],
  ['git', ['40']],
  ['media', []],
];
let failed = 0;
for (const [kind, args] of /** @type {[string, string[]][]} */ (KINDS)) {
  console.log(`\n## ${kind}\n`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [path.join(here, `${kind}.js`), ...args], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
  console.log(`(${kind}: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${run.status})`);
}
process.exitCode = failed > 0 ? 1 : 0;
