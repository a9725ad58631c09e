// @ts-check
/**
 * What the scripts that compare or profile builds of custody share (index-ab.js, match-ab.js, search-calls.js,
 * grid-gate.js, gate-profile.js, set-sizes.js):
 * the checkout's root, `--name value` arguments, this process's CPU time, and a module of a build
 * held in some directory's dist/ (so that two builds load side by side in one process, each with
 * its own module instances).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** This checkout: its dist/ is the build under test. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The value after `--name` on the command line, if given. @param {string} name */
export function arg(name) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * The stack line of whatever called into the Hamming index, for a script's wrapper of
 * HammingIndex.prototype.search (called from it): the first frame past this function and that
 * wrapper outside hamming-index.js (deepen and probe call search from inside it).
 */
export function indexCaller() {
  /** @type {{ stack?: string }} */
  const trace = {};
  Error.captureStackTrace(trace);
  return (trace.stack ?? '').split('\n').slice(3).find((line) => !line.includes('hamming-index')) ?? '';
}

/** CPU time (user + system) of this process so far, in ms. */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Module `rel` (e.g. `references/load.js`) of the build in `dir`/dist. @param {string} dir @param {string} rel */
export function distModule(dir, rel) {
  return import(pathToFileURL(path.join(dir, 'dist', rel)).href);
}

/**
 * An even sample of a folder's images (every k-th name, up to `limit`), decoded by the build in
 * `dir`: what match-ab.js, search-calls.js, grid-gate.js and gate-profile.js match.
 * @param {string} dir @param {string} folder @param {number} limit
 * @returns {Promise<{ name: string, image: any }[]>}
 */
export async function sampleImages(dir, folder, limit) {
  const { decodeImage } = await distModule(dir, 'identify/image-decode.js');
  const listed = (await readdir(folder)).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
  const stride = Math.max(1, Math.floor(listed.length / limit));
  const images = [];
  for (const name of listed.filter((_, i) => i % stride === 0).slice(0, limit)) {
    const decoded = await decodeImage(await readFile(path.join(folder, name)), { maxImagePixels: 100_000_000 });
    if (decoded.ok) images.push({ name, image: decoded.image });
  }
  return images;
}

/**
 * The bench share's camera-roll photos with no agency content (those tree.json does not list as
 * planted), sorted, the first `limit`: what the sub-image search's cost is measured on
 * (subimage-audit.js, subimage-precheck.js). `--tree DIR`, or the first generated tree under
 * bench/work. Names are relative to `folder`.
 * @param {number} limit
 * @returns {Promise<{ tree: string, folder: string, names: string[] }>}
 */
export async function unrelatedCameraRoll(limit) {
  const work = path.join(root, 'bench', 'work');
  const tree = arg('--tree') ?? path.join(work, (await readdir(work)).filter((d) => d.startsWith('tree-')).sort()[0] ?? 'tree-missing');
  const planted = JSON.parse(await readFile(path.join(tree, 'tree.json'), 'utf8')).planted;
  const roll = 'photos/camera-roll';
  const skip = new Set([...planted.exact, ...planted.transformed]);
  const folder = path.join(tree, 'share', roll);
  const names = (await readdir(folder))
    .filter((f) => /\.jpe?g$/i.test(f) && !skip.has(`${roll}/${f}`))
    .sort()
    .slice(0, limit);
  return { tree, folder, names };
}

/**
 * The bench tree's full fingerprint file (`out/fp-full.json`: the agency folder fingerprinted with
 * perceptual hashes, classes and the plate key), which `npm run bench` writes; a freshly generated
 * tree has none, so a script that needs it says so in one line and exits 2.
 * @param {string} tree @param {string} script
 */
export function treeFingerprints(tree, script) {
  const file = path.join(tree, 'out', 'fp-full.json');
  if (!existsSync(file)) {
    process.stderr.write(`${script}: ${path.relative(root, file)} is missing: \`npm run bench\` writes it (it fingerprints the tree's agency folder)\n`);
    process.exit(2);
  }
  return file;
}

/**
 * What the scripts that profile one build's matcher read first (search-calls.js, grid-gate.js,
 * gate-profile.js): `--set` and `--images` (usage and exit 2 when either is missing), `--limit`
 * and `--build`, that build's module loader, and the audit's matcher (SubImageMatcher) over the set.
 * @param {string} script @param {number} defaultLimit
 */
export async function profiledMatcher(script, defaultLimit) {
  const setFile = arg('--set');
  const imagesDir = arg('--images');
  if (!setFile || !imagesDir) {
    process.stderr.write(`usage: ${script} --set <file> --images <dir> [--limit n] [--build <dir>]\n`);
    process.exit(2);
  }
  const build = path.resolve(arg('--build') ?? root);
  const module = (/** @type {string} */ rel) => distModule(build, rel);
  const { loadFingerprints } = await module('references/load.js');
  const { buildPdqIndex } = await module('identify/pdq/pdq-index.js');
  const { SubImageMatcher } = await module('identify/subimage/sub-image-matcher.js');
  const set = await loadFingerprints([setFile]);
  const matcher = new SubImageMatcher(buildPdqIndex(set.columns, set.tables, set.viewFile));
  return { build, module, matcher, imagesDir, limit: Number(arg('--limit') ?? defaultLimit) };
}

/**
 * A seeded xorshift32 generator: the same numbers every run, for the scripts that build random
 * hashes and queries (search-ab.js, probe-ab.js, match-index.js).
 * @param {number} seed @returns {() => number}
 */
export function xorshift(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}
