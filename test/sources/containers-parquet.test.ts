import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { AGENCY_PLATES, type Agency, buildAgency } from '../hostile/support/agency.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { buildParquet, otherPlates } from '../hostile/support/data-files.js';
import { buildTar } from '../sources/archives/support/harness.js';
import { removeTree } from '../support/hostile-corpus.js';

/** Issue #18 item 5: Parquet files are opened (before: unsupported-database, exit 3, 0/120 plates found). */

let base: string;
let agency: Agency;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-parquet-'));
  agency = await buildAgency(base);
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

const assetsAt = (report: Report, location: string) => report.assets.filter((a) => a.location === location);

function reads(plates: string[], thumbnails: (Buffer | null)[] = []): Buffer[] {
  const columns = (codec: 'SNAPPY' | 'UNCOMPRESSED') =>
    buildParquet(
      [
        { name: 'read_id', data: plates.map((_, i) => i + 1), type: 'INT32' },
        { name: 'plate', data: plates, type: 'STRING' },
        { name: 'camera', data: plates.map((_, i) => `cam-${i % 3}`), type: 'STRING' },
        { name: 'thumbnail', data: plates.map((_, i) => thumbnails[i] ?? null), type: 'BYTE_ARRAY' },
      ],
      { codec, rowGroupSize: 50 },
    );
  return [columns('SNAPPY'), columns('UNCOMPRESSED')];
}

describe('Parquet files', () => {
  it('finds agency plates in string columns and agency images in binary cells, SNAPPY and uncompressed, across row groups', async () => {
    const plates = [...otherPlates(117, 3), ...AGENCY_PLATES];
    const thumbnails = Array.from({ length: 120 }, (_, i) => (i === 70 ? agency.images[0]! : null));
    const [snappy, plain] = reads(plates, thumbnails);
    const { exitCode, report } = await auditFiles(base, agency, { 'lake/reads.snappy.parquet': snappy!, 'lake/reads.parquet': plain! });
    expect(exitCode).toBe(1);
    expect(report.summary.incomplete).toBe(false);
    for (const file of ['lake/reads.snappy.parquet', 'lake/reads.parquet']) {
      const record = assetsAt(report, `${file}!/rows`).find((a) => a.method === 'record');
      expect(record?.evidence['records'], file).toBe(AGENCY_PLATES.length);
      expect(record?.evidence['where']).toEqual(['plate']);
      expect(assetsAt(report, `${file}!/rows/row-71/thumbnail`).map((a) => a.method)).toContain('exact');
    }
    expect(report.coverage.filter((c) => c.location.startsWith('lake/'))).toEqual([]);
  }, 60_000);

  it('a Parquet file of other plates yields no claim (exit 0, complete)', async () => {
    const [snappy] = reads(otherPlates(300, 11));
    const { exitCode, report } = await auditFiles(base, agency, { 'lake/other.parquet': snappy! });
    expect(report.assets).toEqual([]);
    expect(report.summary.incomplete).toBe(false);
    expect(exitCode).toBe(0);
  }, 60_000);

  it('a Parquet file inside a tar is opened from memory', async () => {
    const [snappy] = reads([...AGENCY_PLATES]);
    const tar = await buildTar([{ name: 'export/part-0000.parquet', data: snappy! }]);
    const { report } = await auditFiles(base, agency, { 'export.tar': tar });
    expect(assetsAt(report, 'export.tar!/export/part-0000.parquet!/rows').map((a) => a.method)).toContain('record');
  }, 60_000);
});
