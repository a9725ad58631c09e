// @ts-check
/**
 * The bench's plate-scan row (issue 20): custody's audit of the tree's large plate records (logs and
 * CSV exports) against ripgrep counting 7-character plate-like tokens in the same files, wall time
 * with start-up included, median of alternating runs. ripgrep is the tool an auditor would reach for
 * (`apt-get install ripgrep`); without it the row is measured with no baseline and says so.
 */
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { measure, medianRun } from './measure.js';

/**
 * @typedef {object} PlateRowContext
 * @property {(args: string[]) => Promise<import('./measure.js').Measurement>} custody runs custody in the tree
 * @property {string} treeDir the bench tree
 * @property {string} recordDir the records folder, relative to the tree
 * @property {string[]} audit the report arguments before the output file (`--format json --output`)
 * @property {string[]} key the plate key arguments
 * @property {string} out the tree's output folder
 * @property {number} runs alternating runs of each side
 * @property {(line: string) => void} log
 */

/**
 * Measures the row and returns it as bench.js's table takes it.
 * @param {PlateRowContext} c

 * @returns {Promise<import('./report.js').Row>}
 */
export async function plateScanRow(c) {
  const files = spawnSync('sh', ['-c', `ls ${c.recordDir}`], { cwd: c.treeDir, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((f) => path.join(c.recordDir, f));
  let bytes = 0;
  for (const f of files) bytes += (await stat(path.join(c.treeDir, f))).size;
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { stdio: 'ignore' }).status === 0;
  if (!rg) c.log('rg not found: the plate-scan row has no baseline (apt-get install ripgrep)');
  const report = path.join(c.out, 'records.json');
  const custodyRuns = [];
  const rgRuns = [];
  for (let run = 0; run < c.runs; run++) {
    custodyRuns.push(await c.custody(['audit', c.recordDir, '--fingerprints', 'out/fp-full.json', ...c.key, '--no-archives', '--no-cache', ...c.audit, report]));
    if (rg) rgRuns.push(await measure('rg', ['-c', '[A-Z0-9]{7}', ...files], { cwd: c.treeDir }));
  }
  const custody = medianRun(custodyRuns);
  const baseline = rg ? medianRun(rgRuns) : undefined;
  const assets = JSON.parse(await readFile(report, 'utf8')).assets.length;
  const mb = bytes / 1e6;
  const ratio = baseline ? custody.wall / baseline.wall : Number.NaN;
  const walls = (/** @type {{ wall: number }[]} */ runs) => runs.map((r) => r.wall.toFixed(2)).join(', ');
  return {
    name: `plate-record scan, ${files.length} files, ${Math.round(mb)} MB`,
    custody,
    baselineName: "rg -c '[A-Z0-9]{7}'",
    baseline,
    ratio: baseline ? `${ratio.toFixed(1)}x rg's time` : 'n/a (no rg)',
    target: "within 3x of rg's time",
    verdict: baseline ? (ratio <= 3 ? 'met' : 'missed') : 'n/a',
    note: `custody ${(mb / custody.wall).toFixed(0)} MB/s${baseline ? `, rg ${(mb / baseline.wall).toFixed(0)} MB/s` : ''} (wall, start-up included); custody reported ${assets}/${files.length} files as agency plate records; median of ${c.runs} alternating runs (custody ${walls(custodyRuns)} s${baseline ? `; rg ${walls(rgRuns)} s` : ''})`,
  };
}
