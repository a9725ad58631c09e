// @ts-check
/**
 * Times (CPU: user + system, all threads; steadier than wall time on a shared machine) the filesystem walk alone (list, stat, one item per file; nothing read) on a generated tree
 * shaped like the bench share (20,400 files: 60 folders of 30 subfolders of ~11 files, ~1 KiB each).
 * Given two builds of src/sources/filesystem.ts, it alternates runs of each and prints the medians
 * and their ratio, so a change to the walk is measured against the code it replaces:
 *
 *   node scripts/bench/walk.js [new.js [old.js]] [--runs 9] [--tree <dir>]
 *
 * Defaults: dist/sources/filesystem.js alone, 9 runs, the tree under bench/work/walk-tree (generated
 * when missing; a --tree given is walked as it is, e.g. the bench share).
 * The tree is reached by a relative path, as a user auditing a folder beside them would.
 * A build of an older walk, for instance:
 *   npx esbuild <old checkout>/src/sources/filesystem.ts --bundle --platform=node --format=esm --outfile=bench/work/walk-old.js
 * (the old checkout inside this repository, so that its imports resolve from node_modules).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (/** @type {string} */ name, /** @type {string} */ fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1] ?? fallback;
  args.splice(i, 2);
  return value;
};
const runs = Number(option('--runs', '9'));
const custom = args.includes('--tree');
const tree = option('--tree', path.join('bench', 'work', 'walk-tree'));
const modules = (args.length > 0 ? args : ['dist/sources/filesystem.js']).map((m) => path.resolve(m));

const FOLDERS = 60;
const SUBFOLDERS = 30;
const FILES = 20_400;

async function generate() {
  if (existsSync(path.join(tree, '.complete'))) return;
  let written = 0;
  for (let f = 0; f < FOLDERS; f++) {
    for (let s = 0; s < SUBFOLDERS; s++) {
      const dir = path.join(tree, `folder-${f}`, `sub-${s}`);
      await mkdir(dir, { recursive: true });
      const here = Math.round(((f * SUBFOLDERS + s + 1) * FILES) / (FOLDERS * SUBFOLDERS)) - written;
      for (let i = 0; i < here; i++) await writeFile(path.join(dir, `file-${i}.bin`), Buffer.alloc(1024, (f + s + i) & 0xff));
      written += here;
    }
  }
  await writeFile(path.join(tree, '.complete'), `${written}\n`);
}

/** @param {string} module */
async function timeWalk(module) {
  /** @type {{ walkFilesystem: (root: string) => AsyncGenerator<{ kind: string }> }} */
  const { walkFilesystem } = await import(pathToFileURL(module).href);
  const started = process.cpuUsage();
  let items = 0;
  for await (const event of walkFilesystem(path.resolve(tree))) if (event.kind === 'item') items++;
  const used = process.cpuUsage(started);
  return { ms: (used.user + used.system) / 1000, items };
}

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

if (!custom) await generate();
/** @type {number | undefined} */
let expected;
/** @type {number[][]} */
const times = modules.map(() => []);
for (const module of modules) await timeWalk(module); // Warm the page cache and the module.
for (let run = 0; run < runs; run++) {
  for (const [i, module] of modules.entries()) {
    const { ms, items } = await timeWalk(module);
    // The generated tree holds FILES files and its .complete marker; another tree (--tree) as many as the first walk met.
    expected ??= custom ? items : FILES + 1;
    if (items !== expected) throw new Error(`${module}: ${items} items, expected ${expected}`);
    times[i]?.push(ms);
  }
}
const medians = times.map(median);
for (const [i, module] of modules.entries()) {
  console.log(`${path.relative(process.cwd(), module)}: median ${medians[i]?.toFixed(0)} ms CPU over ${runs} runs (${times[i]?.map((t) => t.toFixed(0)).join(', ')})`);
}
if (medians.length === 2) console.log(`ratio first/second: ${((medians[0] ?? NaN) / (medians[1] ?? NaN)).toFixed(3)}`);
