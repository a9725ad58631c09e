import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { buildZip as buildUnixZip } from '../sources/archives/support/zip-writer.js';
import { removeTree } from '../support/hostile-corpus.js';
import { AGENCY_PLATES, type Agency, buildAgency } from './support/agency.js';
import { buildZip } from './support/archives.js';
import { auditFiles } from './support/audit-files.js';
import { tarFile, tarHidingBehind } from './support/tar-surgery.js';
import { listOnlyFirst, overlappingBomb } from './support/zip-surgery.js';

/**
 * Issue #22 class 4: agency data that the tools extracting a container would hand over, but custody
 * missed silently (exit 0, no coverage). Each case: the agency data is found now, or the audit says
 * what it could not read (incomplete, exit 3).
 */

let base: string;
let agency: Agency;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-parity-'));
  agency = await buildAgency(base);
}, 120_000);

afterAll(() => {
  if (base) removeTree(base);
});

const audit = (files: Record<string, Buffer>) => auditFiles(base, agency, files);

const found = (report: Report, suffix: string): string[] => report.assets.filter((a) => a.location.endsWith(suffix)).map((a) => `${a.asset}/${a.method}`);
const recordsIn = (report: Report, suffix: string): unknown =>
  report.assets.find((a) => a.location.endsWith(suffix) && a.method === 'record')?.evidence['records'];

describe('text is read as it is shown', () => {
  it('an ANSI-coloured log: plates between colour codes are found', async () => {
    const log = `${AGENCY_PLATES.map((p, i) => `\x1b[32m2026-11-0${i + 1}T10:00:00Z\x1b[0m gate read \x1b[1;33m${p}\x1b[0m conf 0.9`).join('\n')}\n`;
    const { exitCode, report } = await audit({ 'gate.log': Buffer.from(log) });
    expect(recordsIn(report, 'gate.log')).toBe(AGENCY_PLATES.length);
    expect(exitCode).toBe(1);
  }, 60_000);

  it('a log with NUL bytes in its header is text', async () => {
    const log = Buffer.concat([
      Buffer.from('GLOG\0\0\0\x02\0\0\0\0'),
      Buffer.alloc(64),
      Buffer.from(`\n${AGENCY_PLATES.map((p) => `read ${p}`).join('\n')}\n`),
    ]);
    const { report } = await audit({ 'gate.log': log });
    expect(recordsIn(report, 'gate.log')).toBe(AGENCY_PLATES.length);
  }, 60_000);

  it('a UTF-16 LE CSV with a BOM and a UTF-16 BE one without', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(agency.plateCsv.replaceAll('\n', '\r\n'), 'utf16le')]);
    const be = Buffer.from(agency.plateCsv, 'utf16le').swap16();
    const { report } = await audit({ 'excel.csv': le, 'export.csv': be });
    expect(recordsIn(report, 'excel.csv')).toBe(AGENCY_PLATES.length);
    expect(recordsIn(report, 'export.csv')).toBe(AGENCY_PLATES.length);
  }, 60_000);
});

describe('zips are read as unzip and streaming readers read them', () => {
  it('a member flagged as a directory but holding the agency JPEG (unzip extracts it as a file)', async () => {
    const zip = buildUnixZip([
      { name: 'lanes/photo.jpg', data: agency.images[0]!, unixMode: 0o040755 },
      { name: 'lanes/other.jpg/', data: agency.images[1]! },
    ]);
    const { report } = await audit({ 'photos.zip': zip });
    expect(found(report, 'photos.zip!/lanes/photo.jpg').length).toBeGreaterThan(0);
    expect(found(report, 'photos.zip!/lanes/other.jpg/').length).toBeGreaterThan(0);
  }, 60_000);

  it('an entry present only as a local header (absent from the central directory)', async () => {
    const zip = listOnlyFirst(
      buildZip([
        { name: 'readme.txt', data: Buffer.from('nothing here\n') },
        { name: 'lane-0.jpg', data: agency.images[0]!, deflate: true },
        { name: 'reads.csv', data: Buffer.from(agency.plateCsv) },
      ]),
      1,
    );
    const { report } = await audit({ 'export.zip': zip });
    expect(found(report, 'export.zip!/lane-0.jpg').length).toBeGreaterThan(0);
    expect(found(report, 'export.zip!/reads.csv').length).toBeGreaterThan(0);
  }, 60_000);

  it('a zip appended to a JPEG: the JPEG is inspected as an image and the zip is opened', async () => {
    const zip = buildZip([
      { name: 'reads.csv', data: Buffer.from(agency.plateCsv), deflate: true },
      { name: 'lane-1.jpg', data: agency.images[1]! },
    ]);
    const { report } = await audit({ 'holiday.jpg': Buffer.concat([agency.images[2]!, zip]) });
    expect(found(report, 'holiday.jpg').length).toBeGreaterThan(0);
    expect(found(report, 'holiday.jpg!/reads.csv').length).toBeGreaterThan(0);
    expect(found(report, 'holiday.jpg!/lane-1.jpg').length).toBeGreaterThan(0);
  }, 60_000);

  it('a zip behind a self-extractor prefix, and one appended to a JPEG inside another zip', async () => {
    const inner = buildZip([{ name: 'lane-0.jpg', data: agency.images[0]! }]);
    const stub = Buffer.concat([Buffer.from('MZ\x90\0\x03\0\0\0', 'latin1'), Buffer.alloc(4000, 0x90)]);
    const outer = buildZip([{ name: 'cover.jpg', data: Buffer.concat([Buffer.alloc(0), agency.images[2]!, inner]) }]);
    const { report } = await audit({ 'setup.exe': Buffer.concat([stub, inner]), 'bundle.zip': outer });
    expect(found(report, 'setup.exe!/lane-0.jpg').length).toBeGreaterThan(0);
    expect(found(report, 'bundle.zip!/cover.jpg!/lane-0.jpg').length).toBeGreaterThan(0);
  }, 60_000);

  it('zips written by Info-ZIP (extra fields, streamed entries with data descriptors) list each member once, nothing hidden', async (ctx) => {
    if (spawnSync('zip', ['-v'], { stdio: 'ignore' }).error) return ctx.skip('zip (Info-ZIP) is not installed');
    const dir = await mkdtemp(path.join(base, 'infozip-'));
    await writeFile(path.join(dir, 'lane-0.jpg'), agency.images[0]!);
    await writeFile(path.join(dir, 'notes.txt'), 'nothing here\n'.repeat(50));
    spawnSync('zip', ['-q', '-X0', 'plain.zip', 'lane-0.jpg', 'notes.txt'], { cwd: dir });
    spawnSync('zip', ['-q', 'plain9.zip', 'lane-0.jpg', 'notes.txt'], { cwd: dir });
    // Written to a pipe, entries get data descriptors (sizes after the data).
    spawnSync('sh', ['-c', 'zip -q - notes.txt lane-0.jpg | cat > streamed.zip'], { cwd: dir });
    const { readFile } = await import('node:fs/promises');
    const files: Record<string, Buffer> = {};
    for (const name of ['plain.zip', 'plain9.zip', 'streamed.zip']) files[name] = await readFile(path.join(dir, name));
    const { report } = await audit(files);
    expect(report.coverage).toEqual([]);
    expect(report.assets.map((a) => a.location).sort()).toEqual(['plain.zip!/lane-0.jpg', 'plain9.zip!/lane-0.jpg', 'streamed.zip!/lane-0.jpg']);
  }, 60_000);

  it('an overlapping-entry zip bomb is recorded as such and yields no copies', async () => {
    const { exitCode, report } = await audit({ 'bomb.zip': overlappingBomb(2000) });
    expect(report.coverage).toMatchObject([{ reason: 'corrupt-archive', incomplete: true }]);
    expect(report.coverage[0]!.detail).toMatch(/overlapping-entry zip bomb/);
    expect(report.assets).toEqual([]);
    expect(exitCode).toBe(3);
  }, 60_000);
});

describe('tars are read as GNU tar extracts them', () => {
  const TYPES: [string, string][] = [
    ['1', 'hard link'],
    ['2', 'symbolic link'],
    ['3', 'character device'],
    ['4', 'block device'],
    ['5', 'directory'],
    ['6', 'FIFO'],
  ];
  for (const [type, kind] of TYPES) {
    it(`a ${kind} member whose size covers a whole member: that member is inspected`, async (ctx) => {
      const tar = tarHidingBehind(type, tarFile('hidden/lane-0.jpg', agency.images[0]!));
      // The premise, checked against the real tool where it is installed.
      const probe = spawnSync('tar', ['--version'], { encoding: 'utf8' });
      if (!probe.error && /GNU tar/.test(probe.stdout)) {
        const dir = await mkdtemp(path.join(base, 'gnutar-'));
        await writeFile(path.join(dir, 'x.tar'), tar);
        spawnSync('tar', ['-xf', 'x.tar'], { cwd: dir });
        expect(existsSync(path.join(dir, 'hidden/lane-0.jpg'))).toBe(true);
      } else ctx.annotate?.('GNU tar is not installed: premise not re-checked');
      const { report } = await audit({ 'bundle.tar': tar });
      expect(found(report, 'bundle.tar!/hidden/lane-0.jpg').length).toBeGreaterThan(0);
      expect(report.coverage.find((c) => c.location.endsWith(`bundle.tar!/m-${type}`))?.detail ?? '').toMatch(/read as the members GNU tar extracts/);
    }, 60_000);
  }

  it('a JPEG member of a tar.gz with a zip appended: the JPEG and the zip members are inspected', async () => {
    const { gzipSync } = await import('node:zlib');
    const zip = buildZip([{ name: 'reads.csv', data: Buffer.from(agency.plateCsv), deflate: true }]);
    const tar = Buffer.concat([tarFile('photos/holiday.jpg', Buffer.concat([agency.images[2]!, zip])), Buffer.alloc(1024)]);
    const { report } = await audit({ 'backup.tgz': gzipSync(tar) });
    expect(found(report, 'backup.tgz!/photos/holiday.jpg').length).toBeGreaterThan(0);
    expect(found(report, 'backup.tgz!/photos/holiday.jpg!/reads.csv').length).toBeGreaterThan(0);
  }, 60_000);

  it('a link whose declared data is not a header is skipped as GNU tar skips it, and the tar read on', async () => {
    const tar = tarHidingBehind('2', Buffer.concat([Buffer.from('not a header, just bytes\n'), Buffer.alloc(600, 0x41)]));
    const withCsv = Buffer.concat([tar.subarray(0, tar.length - 1024), tarFile('reads.csv', Buffer.from(agency.plateCsv)), Buffer.alloc(1024)]);
    const { exitCode, report } = await audit({ 'bundle.tar': withCsv });
    expect(found(report, 'bundle.tar!/reads.csv').length).toBeGreaterThan(0);
    expect(report.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(exitCode).toBe(1);
  }, 60_000);
});
