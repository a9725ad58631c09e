// @ts-check
/**
 * What the scripts that compare builds of custody share (index-ab.js, match-ab.js, search-calls.js):
 * the checkout's root, `--name value` arguments, this process's CPU time, and a module of a build
 * held in some directory's dist/ (so that two builds load side by side in one process, each with
 * its own module instances).
 */
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

/** CPU time (user + system) of this process so far, in ms. */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Module `rel` (e.g. `references/load.js`) of the build in `dir`/dist. @param {string} dir @param {string} rel */
export function distModule(dir, rel) {
  return import(pathToFileURL(path.join(dir, 'dist', rel)).href);
}
