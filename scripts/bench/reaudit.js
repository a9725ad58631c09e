// @ts-check
/**
 * Row 6 of the benchmark: one audit run twice against the same re-audit cache directory. The first
 * run starts from an empty cache (cold: every file inspected, the cache written); the second finds
 * every file unchanged (warm: stat and replay, no content read). Both reports are compared with
 * their run times taken out, so a speed-up bought with a different answer cannot pass unnoticed.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * @param {(args: string[]) => Promise<import('./measure.js').Measurement>} custody runs custody in the tree's folder
 * @param {{ subset: string, args: string[], audit: string[], out: string }} options audit arguments (`audit` ends with --output)
 */
export async function measureReaudit(custody, { subset, args, audit, out }) {
  const cacheDir = path.join(out, 'reaudit-cache');
  await rm(cacheDir, { recursive: true, force: true });
  const run = (/** @type {string} */ name) => custody(['audit', subset, ...args, '--cache', cacheDir, ...audit, path.join(out, name)]);
  const cold = await run('reaudit-cold.json');
  const warm = await run('reaudit-warm.json');
  for (const m of [cold, warm]) if (m.code !== 0 && m.code !== 1 && m.code !== 3) throw new Error(`re-audit failed (${m.code}): ${m.stderr}`);
  const withoutTimes = async (/** @type {string} */ name) => {
    const report = JSON.parse(await readFile(path.join(out, name), 'utf8'));
    return JSON.stringify({ ...report, startedAt: undefined, finishedAt: undefined });
  };
  const identical = (await withoutTimes('reaudit-cold.json')) === (await withoutTimes('reaudit-warm.json'));
  let cacheBytes = 0;
  for (const name of await readdir(cacheDir)) cacheBytes += (await stat(path.join(cacheDir, name))).size;
  return { cold, warm, speedup: cold.wall / warm.wall, identical, cacheBytes };
}
