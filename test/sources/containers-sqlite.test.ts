import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { AGENCY_PLATES, type Agency, buildAgency } from '../hostile/support/agency.js';
import { buildZip } from '../hostile/support/archives.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { buildSqlite, insertRows, otherPlates } from '../hostile/support/data-files.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { rng } from '../support/fuzz.js';
import { removeTree } from '../support/hostile-corpus.js';

/** Issue #18 item 5: SQLite databases are opened (before: unsupported-database, exit 3, nothing found). */

let base: string;
let agency: Agency;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-sqlite-'));
  agency = await buildAgency(base);
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

const assetsAt = (report: Report, location: string) => report.assets.filter((a) => a.location === location);

/** A capture table as a lane system keeps it: plates among others', pictures as BLOBs. */
async function capturesDb(images: Buffer[], plates: string[]): Promise<Buffer> {
  return buildSqlite((db) => {
    db.run('CREATE TABLE captures (id INTEGER PRIMARY KEY, lane INTEGER, plate TEXT, seen_at TEXT, image BLOB)');
    const rows = plates.map((plate, i) => [i % 4, plate, `2026-11-0${(i % 9) + 1}T10:00:00Z`, images[i] ?? null]);
    insertRows(db, 'captures', ['lane', 'plate', 'seen_at', 'image'], rows);
    db.run('CREATE TABLE settings (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID');
    insertRows(db, 'settings', ['k', 'v'], [['site', 'north gate']]);
    db.run('CREATE VIEW recent AS SELECT plate FROM captures');
  });
}

describe('SQLite databases', () => {
  it('finds agency images in BLOB cells and agency plates in TEXT cells, named outer!/inner', async () => {
    const reencoded = await sharp(agency.images[2]!).png().toBuffer();
    const plates = [...otherPlates(40), ...AGENCY_PLATES];
    const images = [agency.images[0]!, ...Array.from({ length: 39 }, () => null), agency.images[1]!, reencoded] as Buffer[];
    const { exitCode, report } = await auditFiles(base, agency, { 'app/lanes.sqlite': await capturesDb(images, plates) });
    expect(exitCode).toBe(1);
    expect(report.summary.incomplete).toBe(false);
    expect(assetsAt(report, 'app/lanes.sqlite!/table/captures/rowid-1/image').map((a) => a.method)).toContain('exact');
    expect(assetsAt(report, 'app/lanes.sqlite!/table/captures/rowid-41/image').map((a) => a.method)).toContain('exact');
    expect(assetsAt(report, 'app/lanes.sqlite!/table/captures/rowid-42/image').map((a) => a.method)).toContain('perceptual');
    const record = assetsAt(report, 'app/lanes.sqlite!/table/captures').find((a) => a.method === 'record');
    expect(record?.evidence['records']).toBe(AGENCY_PLATES.length);
    expect(record?.evidence['where']).toEqual(['plate']);
    expect(report.coverage.filter((c) => c.location.startsWith('app/lanes.sqlite'))).toEqual([]);
  }, 60_000);

  it('a database of other plates and other pictures yields no claim (exit 0, complete)', async () => {
    const r = rng(99);
    const images = await Promise.all(Array.from({ length: 3 }, () => encode(rawPicture(r, 160, 120), 160, 120, 'jpeg')));
    const { exitCode, report } = await auditFiles(base, agency, { 'app/other.sqlite': await capturesDb(images, otherPlates(120, 5)) });
    expect(report.assets).toEqual([]);
    expect(report.summary.incomplete).toBe(false);
    expect(exitCode).toBe(0);
  }, 60_000);

  it('a database inside a zip is opened from memory (zip!/db!/table)', async () => {
    const db = await capturesDb([agency.images[0]!], [AGENCY_PLATES[0]]);
    const { report } = await auditFiles(base, agency, { 'backup.zip': buildZip([{ name: 'data/app.db', data: db, deflate: true }]) });
    expect(assetsAt(report, 'backup.zip!/data/app.db!/table/captures/rowid-1/image').length).toBeGreaterThan(0);
    expect(assetsAt(report, 'backup.zip!/data/app.db!/table/captures').map((a) => a.method)).toContain('record');
  }, 60_000);
});
