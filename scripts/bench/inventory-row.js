// @ts-check
/**
 * The bench's S3 inventory row (issue 20): custody's inventory reader (inventory-read.js, in its own
 * process) against `zcat | wc -l` over the same gzip parts (8, as AWS delivers a large inventory in
 * several), rows per second, median of alternating runs. The synthetic inventory is generated once
 * and kept under the bench's work folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, medianRun } from './measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Gzip parts of the synthetic inventory. */
const PARTS = 8;

/**
 * @param {{ work: string, rows: number, runs: number, env: NodeJS.ProcessEnv, log: (line: string) => void }} c

 * @returns {Promise<import('./report.js').Row>}
 */
export async function inventoryRow(c) {
  const dir = path.join(c.work, `inventory-${c.rows}-${PARTS}-parts`);
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    const { writeSyntheticInventory } = await import('./synthetic-inventory.js');
    await writeSyntheticInventory(dir, c.rows, 6, PARTS);
  }
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  const dataFiles = manifest.files.map((/** @type {{ key: string }} */ f) => path.join(dir, 'data', path.basename(f.key)));
  execFileSync('cat', dataFiles, { stdio: ['ignore', 'ignore', 'inherit'] });
  const custodyRuns = [];
  const zcatRuns = [];
  for (let run = 0; run < c.runs; run++) {
    custodyRuns.push(await measure(process.execPath, [path.join(here, 'inventory-read.js'), path.join(dir, 'manifest.json')], { env: c.env }));
    zcatRuns.push(await measure('sh', ['-c', 'zcat "$@" | wc -l', 'sh', ...dataFiles]));
  }
  const custody = medianRun(custodyRuns);
  const zcat = medianRun(zcatRuns);
  const custodyRows = c.rows / custody.wall;
  const zcatRows = Number(zcat.stdout.trim()) / zcat.wall;
  const walls = (/** @type {{ wall: number }[]} */ runs) => runs.map((r) => r.wall.toFixed(2)).join(', ');
  return {
    name: `S3 inventory read, ${c.rows} rows in ${PARTS} gzip parts`,
    custody,
    baselineName: 'zcat | wc -l',
    baseline: zcat,
    ratio: `${(zcatRows / custodyRows).toFixed(2)}x slower`,
    target: '>= zcat (ratio <= 1)',
    verdict: custodyRows >= zcatRows ? 'met' : 'missed',
    note: `custody ${Math.round(custodyRows).toLocaleString('en')} rows/s, zcat | wc -l ${Math.round(zcatRows).toLocaleString('en')} lines/s (items read: ${JSON.parse(custody.stdout || '{}').items ?? '?'}); median of ${c.runs} alternating runs (custody ${walls(custodyRuns)} s; zcat ${walls(zcatRuns)} s)`,
  };
}
