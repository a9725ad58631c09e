import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { containerFormat } from '../../src/sources/containers/registry.js';
import { sniff } from '../../src/sources/sniff.js';
import { unsupportedCoverage } from '../../src/sources/unsupported.js';
import { AGENCY_PLATES, type Agency, buildAgency, PLATE_KEY } from '../hostile/support/agency.js';
import { auditFiles } from '../hostile/support/audit-files.js';
import { encode, rawPicture } from '../hostile/support/images.js';
import { buildPdf, ghostscript, hasGhostscript } from '../hostile/support/pdf.js';
import { rng } from '../support/fuzz.js';
import { REPO_ROOT } from '../support/tmp.js';
import { expand, fileItem, locations, makeTempDir, memoryItem, reasons } from './archives/support/harness.js';

let dir: string;
let cleanup: () => Promise<void>;
let photo: Buffer;
let pixels: Buffer;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  pixels = rawPicture(rng(3), 160, 120);
  photo = await encode(pixels, 160, 120, 'jpeg');
});
afterAll(() => cleanup());

const raw = async (image: Buffer) => (await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true })).data;

describe('PDF as a container', () => {
  it('is sniffed and opened, no longer reported as unsupported', async () => {
    const pdf = await buildPdf({ pages: [['hello']] });
    expect(sniff(pdf.subarray(0, 512))).toBe('application/pdf');
    expect(containerFormat('application/pdf')?.id).toBe('pdf');
    expect(unsupportedCoverage('a.pdf', 'application/pdf')).toBeUndefined();
  });

  it('yields a DCTDecode image as the exact JPEG bytes (before: unsupported-document, nothing inspected)', async () => {
    const { item } = await fileItem(dir, 'report.pdf', await buildPdf({ jpegs: [photo] }));
    const result = await expand(item);
    expect(locations(result)).toEqual(['report.pdf!/page-1/image-1.jpg']);
    expect(result.bytes.get('report.pdf!/page-1/image-1.jpg')).toEqual(photo);
    expect(result.items[0]).toMatchObject({ origin: 'archive', archiveChain: ['report.pdf'] });
    expect(result.coverage).toEqual([]);
  });

  it('decodes a Flate image (embedded PNG) to a PNG of the same pixels', async () => {
    const png = await encode(pixels, 160, 120, 'png');
    const result = await expand(memoryItem('scan.pdf', await buildPdf({ pngs: [png] })));
    expect(locations(result)).toEqual(['scan.pdf!/page-1/image-1.png']);
    const member = result.bytes.get('scan.pdf!/page-1/image-1.png')!;
    expect(sniff(member.subarray(0, 512))).toBe('image/png');
    expect(await raw(member)).toEqual(pixels);
  });

  it('gives the page text, from compressed content streams, as one text member', async () => {
    const pdf = await buildPdf({ pages: [['Lane 3 read ABC1234 at 10:02'], ['Second page: XYZ9876']] });
    const result = await expand(memoryItem('reads.pdf', pdf));
    expect(locations(result)).toEqual(['reads.pdf!/text']);
    const text = result.bytes.get('reads.pdf!/text')!.toString('utf8');
    expect(text).toContain('Lane 3 read ABC1234 at 10:02');
    expect(text).toContain('Second page: XYZ9876');
    expect(sniff(result.bytes.get('reads.pdf!/text')!)).toBe('text/plain');
  });

  it('opens a PDF inside a zip-free tar as a nested container', async () => {
    const { buildTar } = await import('./archives/support/harness.js');
    const tar = await buildTar([{ name: 'docs/report.pdf', data: await buildPdf({ jpegs: [photo], pages: [['ABC1234']] }) }]);
    const result = await expand(memoryItem('docs.tar', tar));
    expect(locations(result)).toEqual(['docs.tar!/docs/report.pdf', 'docs.tar!/docs/report.pdf!/page-1/image-1.jpg', 'docs.tar!/docs/report.pdf!/text']);
    expect(result.bytes.get('docs.tar!/docs/report.pdf!/page-1/image-1.jpg')).toEqual(photo);
  });

  it.runIf(hasGhostscript)('reads a PDF rewritten by Ghostscript: re-encoded JPEG, subset fonts, predictors', async () => {
    const png = await encode(pixels, 160, 120, 'png');
    const pdf = ghostscript(await buildPdf({ jpegs: [photo], pngs: [png], pages: [['Lane 3 read ABC1234'], ['KLM4455 seen']] }));
    const result = await expand(memoryItem('gs.pdf', pdf));
    expect(reasons(result)).toEqual([]);
    const names = locations(result);
    expect(names).toContain('gs.pdf!/text');
    expect(names.filter((n) => /\/image-\d+\.(jpg|png)$/.test(n))).toHaveLength(2);
    const text = result.bytes.get('gs.pdf!/text')!.toString('utf8');
    expect(text).toContain('ABC1234');
    expect(text).toContain('KLM4455');
  });
});

describe('auditing PDFs end to end (agency images and plate reads planted in PDFs)', () => {
  let base: string;
  let agency: Agency;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'custody-pdf-e2e-'));
    agency = await buildAgency(base);
  }, 120_000);
  afterAll(() => rm(base, { recursive: true, force: true }));

  const assets = (report: Report, prefix: string): string[] =>
    report.assets
      .filter((a) => a.location.includes(prefix))
      .map((a) => `${a.location.slice(a.location.indexOf(prefix))} ${a.method}`)
      .sort();
  const plateLines = (plates: readonly string[]) => plates.map((p, i) => `2026-11-0${i + 1} 10:00 lane ${i + 1} read ${p} conf 0.97`);

  it('finds the agency JPEG (exact), a Flate copy (perceptual) and the plate reads, each named outer!/inner (before: exit 3, nothing found)', async () => {
    const png = await sharp(agency.images[1]!).png().toBuffer();
    const pdf = await buildPdf({ jpegs: [agency.images[0]!], pngs: [png], pages: [plateLines(AGENCY_PLATES)] });
    const { exitCode, report } = await auditFiles(base, agency, { 'share/report.pdf': pdf });
    expect(report.coverage).toEqual([]);
    expect(assets(report, 'report.pdf!')).toEqual([
      'report.pdf!/page-1/image-1.jpg exact',
      'report.pdf!/page-1/image-2.png perceptual',
      'report.pdf!/text record',
    ]);
    expect(report.assets.find((a) => a.method === 'record')?.evidence.records).toBe(AGENCY_PLATES.length);
    expect(report.summary.incomplete).toBe(false);
    expect(exitCode).toBe(1);
  }, 120_000);

  it('makes no claim on a PDF of the same kinds holding no agency data', async () => {
    const r = rng(99);
    const other = await encode(rawPicture(r, 160, 120), 160, 120, 'jpeg');
    const otherPng = await encode(rawPicture(r, 160, 120), 160, 120, 'png');
    const pdf = await buildPdf({ jpegs: [other], pngs: [otherPng], pages: [plateLines(['QRS1111', 'TUV2222', 'WXY3333'])] });
    const { exitCode, report } = await auditFiles(base, agency, { 'share/clean.pdf': pdf });
    expect(report.assets).toEqual([]);
    expect(report.coverage).toEqual([]);
    expect(exitCode).toBe(0);
  }, 120_000);

  it.runIf(hasGhostscript)(
    'finds them in the same PDF rewritten by Ghostscript (re-encoded JPEG, embedded subset font)',
    async () => {
      const pdf = ghostscript(await buildPdf({ jpegs: [agency.images[2]!], pages: [plateLines(AGENCY_PLATES)] }));
      const { report } = await auditFiles(base, agency, { 'share/printed.pdf': pdf });
      expect(report.coverage).toEqual([]);
      expect(assets(report, 'printed.pdf!')).toEqual(['printed.pdf!/page-1/image-1.jpg perceptual', 'printed.pdf!/text record']);
      expect(report.assets.find((a) => a.method === 'record')?.evidence.records).toBe(AGENCY_PLATES.length);
    },
    120_000,
  );

  it('loads pdf.js and pdf-lib from the bundled CLI (bin/custody.js)', async () => {
    const dir = await mkdtemp(path.join(base, 'spawn-'));
    await mkdir(path.join(dir, 'share'));
    await writeFile(path.join(dir, 'share', 'r.pdf'), await buildPdf({ jpegs: [agency.images[0]!], pages: [plateLines(AGENCY_PLATES)] }));
    const result = await execa(
      'node',
      [
        path.join(REPO_ROOT, 'bin', 'custody.js'),
        'audit',
        'share',
        '-f',
        agency.fingerprintFile,
        '--authorized',
        'enclave/**',
        '--format',
        'json',
        '--no-cache',
      ],
      {
        cwd: dir,
        reject: false,
        env: { CUSTODY_PLATE_KEY: PLATE_KEY, NO_COLOR: '1' },
      },
    );
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as Report;
    expect(assets(report, 'r.pdf!')).toEqual(['r.pdf!/page-1/image-1.jpg exact', 'r.pdf!/text record']);
    expect(result.exitCode).toBe(1);
  }, 120_000);
});
