// @ts-check
/**
 * The bench's S3 inventory row (issue 20): custody's inventory reader (inventory-read.js, in its own
 * process) against `zcat | wc -l` over the same gzip part, rows per second, median of alternating
 * runs. The synthetic inventory is generated once and kept under the bench's work folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, medianRun } from './measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * @param {{ work: string, rows: number, runs: number, env: NodeJS.ProcessEnv, log: (line: string) => void }} c

 * @returns {Promise<import('./report.js').Row>}
 */
export async function inventoryRow(c) {
  const dir = path.join(c.work, `inventory-${c.rows}`);
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    const { writeSyntheticInventory } = await import('./synthetic-inventory.js');
    await writeSyntheticInventory(dir, c.rows);
  }
  const dataFile = path.join(dir, 'data/synthetic.csv.gz');
  execFileSync('sh', ['-c', `cat "${dataFile}" > /dev/null`]);
  const custodyRuns = [];
  const zcatRuns = [];
  for (let run = 0; run < c.runs; run++) {
    custodyRuns.push(await measure(process.execPath, [path.join(here, 'inventory-read.js'), path.join(dir, 'manifest.json')], { env: c.env }));
    zcatRuns.push(await measure('sh', ['-c', 'zcat "$1" | wc -l', 'sh', dataFile]));
  }
  const custody = medianRun(custodyRuns);
  const zcat = medianRun(zcatRuns);
  const custodyRows = c.rows / custody.wall;
  const zcatRows = Number(zcat.stdout.trim()) / zcat.wall;
  const walls = (/** @type {{ wall: number }[]} */ runs) => runs.map((r) => r.wall.toFixed(2)).join(', ');
  return {
    name: `S3 inventory read, ${c.rows} rows`,
    custody,
    baselineName: 'zcat | wc -l',
    baseline: zcat,
    ratio: `${(zcatRows / custodyRows).toFixed(2)}x slower`,
    target: '>= zcat (ratio <= 1)',
    verdict: custodyRows >= zcatRows ? 'met' : 'missed',
    note: `custody ${Math.round(custodyRows).toLocaleString('en')} rows/s, zcat | wc -l ${Math.round(zcatRows).toLocaleString('en')} lines/s (items read: ${JSON.parse(custody.stdout || '{}').items ?? '?'}); median of ${c.runs} alternating runs (custody ${walls(custodyRuns)} s; zcat ${walls(zcatRuns)} s)`,
  };
}
