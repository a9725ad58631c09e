// @ts-check
/**
 * Row 6 of the benchmark: one audit run twice against the same re-audit cache directory. The first
 * run starts from an empty cache (cold: every file inspected, the cache written); the second finds
 * every file unchanged (warm: stat and replay, no content read). Cold and warm alternate `runs`
 * times (each cold run from an emptied cache) and the median runs are compared, wall and CPU: on a
 * shared machine one run of either can be off by half. Every pair's reports are compared with their
 * run times taken out, so a speed-up bought with a different answer cannot pass unnoticed.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { medianRun } from './measure.js';

/**
 * @param {(args: string[]) => Promise<import('./measure.js').Measurement>} custody runs custody in the tree's folder
 * @param {{ subset: string, args: string[], audit: string[], out: string, runs?: number }} options audit arguments (`audit` ends with --output)
 */
export async function measureReaudit(custody, { subset, args, audit, out, runs = 3 }) {
  const cacheDir = path.join(out, 'reaudit-cache');
  const run = (/** @type {string} */ name) => custody(['audit', subset, ...args, '--cache', cacheDir, ...audit, path.join(out, name)]);
  const withoutTimes = async (/** @type {string} */ name) => {
    const report = JSON.parse(await readFile(path.join(out, name), 'utf8'));
    return JSON.stringify({ ...report, startedAt: undefined, finishedAt: undefined });
  };
  const colds = [];
  const warms = [];
  let identical = true;
  for (let i = 0; i < runs; i++) {
    await rm(cacheDir, { recursive: true, force: true });
    const cold = await run('reaudit-cold.json');
    const warm = await run('reaudit-warm.json');
    for (const m of [cold, warm]) if (m.code !== 0 && m.code !== 1 && m.code !== 3) throw new Error(`re-audit failed (${m.code}): ${m.stderr}`);
    identical &&= (await withoutTimes('reaudit-cold.json')) === (await withoutTimes('reaudit-warm.json'));
    colds.push(cold);
    warms.push(warm);
  }
  const cold = medianRun(colds);
  const warm = medianRun(warms);
  // What the cache directory holds after a warm run: the audit's cache file, the verified fingerprint set, the user's key.
  /** @type {Record<string, number>} */
  const cacheFiles = {};
  for (const name of await readdir(cacheDir)) cacheFiles[name.replace(/-[0-9a-f]{16}/g, '-*')] = (await stat(path.join(cacheDir, name))).size;
  const cacheBytes = Object.entries(cacheFiles).reduce((sum, [name, size]) => sum + (name === 'cache-key' ? 0 : size), 0);
  const walls = (/** @type {{ wall: number }[]} */ list) => list.map((m) => m.wall.toFixed(2)).join(', ');
  const cpus = (/** @type {{ cpu: number }[]} */ list) => list.map((m) => m.cpu.toFixed(2)).join(', ');
  return {
    cold,
    warm,
    speedup: cold.wall / warm.wall,
    cpuSpeedup: medianOf(colds.map((m) => m.cpu)) / medianOf(warms.map((m) => m.cpu)),
    identical,
    cacheBytes,
    cacheFiles,
    runs: `${runs} alternating pairs: cold ${walls(colds)} s wall (${cpus(colds)} s CPU); warm ${walls(warms)} s wall (${cpus(warms)} s CPU)`,
  };
}

const medianOf = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
