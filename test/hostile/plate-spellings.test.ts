import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../support/fuzz.js';
import { removeTree } from '../support/hostile-corpus.js';
import { type Agency, buildAgency, PLATE_KEY } from './support/agency.js';
import { buildTar } from './support/archives.js';
import { type CliResult, runCli } from './support/cli.js';
import { encode, rawPicture } from './support/images.js';

/**
 * Issue #22, class 2: an agency plate spelled in any way the record scanner reads as that plate is
 * never printed in clear, through any channel (file, directory and archive-member names, gzip FNAME,
 * EXIF marker evidence, coverage), in any report format, in the cache, or in the fingerprint file.
 */

/** An agency plate (support/agency.ts) whose letters are not hex digits: no digest can contain it. */
const PLATE = 'XYZ9876';

/** The leaking spellings of the issue, and two the redactor always masked (as controls). */
const SPELLINGS: readonly (readonly [label: string, spelled: string])[] = [
  ['en dash', 'XYZ–9876'],
  ['em dash', 'XYZ—9876'],
  ['minus sign', 'XYZ\u22129876'],
  ['no-break space', 'XYZ\u00a09876'],
  ['ideographic space', 'XYZ\u30009876'],
  ['two spaces', 'XYZ  9876'],
  ['spaced hyphen', 'XYZ - 9876'],
  ['two dots', 'XYZ..9876'],
  ['non-ASCII letters touching', 'éXYZ9876ö'],
  ['full width', 'ＸＹＺ９８７６'],
  ['lower case, hyphen', 'xyz-9876'],
];

const FORMATS = ['pretty', 'json', 'sarif', 'junit', 'csv', 'markdown', 'html'] as const;

/** Undoes the encodings a report may apply (percent, JSON/visible escapes, HTML entities). */
function readable(text: string): string {
  return text
    .replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'))
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)));
}

/** Every way `text` could show the plate: as stored, as spelled, or once folded and separators dropped. */
function leaks(text: string): string[] {
  const found = SPELLINGS.filter(([, spelled]) => text.includes(spelled)).map(([label]) => label);
  if (text.toUpperCase().includes(PLATE)) found.push('normalised');
  const shown = readable(text);
  // Also as UTF-8 bytes shown as Latin-1 (`XYZâ\x80\x939876`): mojibake still shows the plate.
  const mojibake = shown.replace(/[\u0080-\u00ff]+/g, (run) => Buffer.from(run, 'latin1').toString('utf8'));
  for (const [label, variant] of [
    ['folded', shown],
    ['mojibake', mojibake],
  ] as const) {
    if (
      variant
        .normalize('NFKC')
        .toUpperCase()
        .replace(/[\s\p{Pd}\u2212.]/gu, '')
        .includes(PLATE)
    )
      found.push(label);
  }
  return found;
}

/** A JPEG with an EXIF ImageDescription of `text` written as UTF-8 bytes (sharp itself writes ASCII). */
async function jpegDescribed(pixels: Buffer, text: string): Promise<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  const placeholder = 'Q'.repeat(bytes.length);
  const jpeg = await sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } })
    .jpeg()
    .withExif({ IFD0: { ImageDescription: placeholder } })
    .toBuffer();
  const at = jpeg.indexOf(placeholder);
  if (at < 0) throw new Error('placeholder not found in EXIF');
  bytes.copy(jpeg, at);
  return jpeg;
}

/** A gzip file whose header names its content `name` (FNAME, raw bytes). */
function gzipNamed(content: Buffer, name: Buffer): Buffer {
  const plain = gzipSync(content);
  const header = Buffer.from(plain.subarray(0, 10));
  header[3] = header[3]! | 0x08;
  return Buffer.concat([header, name, Buffer.from([0]), plain.subarray(10)]);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

let base: string;
let agency: Agency;
let cold: CliResult;
let warm: CliResult;
const outputs = new Map<string, string>();
let fingerprint: CliResult;
let fingerprintFile: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-plate-spellings-'));
  agency = await buildAgency(base);
  const tree = path.join(base, 'tree');
  const r = rng(22);
  const log: string[] = [];
  for (const [i, [, spelled]] of SPELLINGS.entries()) {
    // File names, directory names, tar member names, gzip FNAME: copies of agency images.
    await mkdir(path.join(tree, 'names'), { recursive: true });
    await writeFile(path.join(tree, 'names', `crop ${spelled}.jpg`), agency.images[0]!);
    await mkdir(path.join(tree, 'dirs', spelled), { recursive: true });
    await writeFile(path.join(tree, 'dirs', spelled, 'lane.jpg'), agency.images[1]!);
    await mkdir(path.join(tree, 'archives'), { recursive: true });
    await writeFile(path.join(tree, 'archives', `export-${i}.tar`), buildTar([{ name: `crops/${spelled}.jpg`, data: agency.images[2]! }]));
    await mkdir(path.join(tree, 'gz'), { recursive: true });
    await writeFile(path.join(tree, 'gz', `capture-${i}.gz`), gzipNamed(agency.images[0]!, Buffer.from(`${spelled}.jpg`, 'utf8')));
    // EXIF marker evidence: an unfingerprinted camera image whose description names the plate.
    await mkdir(path.join(tree, 'exif'), { recursive: true });
    await writeFile(path.join(tree, 'exif', `capture-${i}.jpg`), await jpegDescribed(rawPicture(r, 64, 48), `Lane capture ${spelled}`));
    // Coverage: an image that cannot be decoded, named after the plate.
    await mkdir(path.join(tree, 'broken'), { recursive: true });
    await writeFile(path.join(tree, 'broken', `${spelled}.png`), Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), r.bytes(64)]));
    log.push(`2026-11-0${(i % 9) + 1}T10:00:00Z read plate=${spelled} lane=${i}`);
  }
  // gzip names that are not UTF-8 are Latin-1 (0xa0 is a no-break space there).
  await writeFile(path.join(tree, 'gz', 'latin1.gz'), gzipNamed(agency.images[0]!, Buffer.from('XYZ\u00a09876.jpg', 'latin1')));
  await mkdir(path.join(tree, 'logs'), { recursive: true });
  await writeFile(path.join(tree, 'logs', 'lane.log'), `${log.join('\n')}\n`);

  await writeFile(
    path.join(base, 'policy.yaml'),
    [
      'version: 1',
      'contract:',
      '  id: SPELL-1',
      '  title: Plate spellings',
      '  agency: Test agency',
      '  contractor: Test contractor',
      '  clauses:',
      '    - id: C.1',
      '      title: Agency data stays in the enclave',
      '    - id: C.2',
      '      title: Plate reads are never logged',
      'assets:',
      '  fingerprints: [agency.fp.json]',
      '  classes:',
      '    - id: vehicle-image',
      '      title: Vehicle images',
      '    - id: plate-record',
      '      title: Plate reads',
      '  markers:',
      '    - field: ImageDescription',
      '      matches: "^Lane capture"',
      '      asset: vehicle-image',
      'locations:',
      '  authorized: [enclave/**]',
      'protocols:',
      '  - id: LOC-01',
      '    clause: C.1',
      '    title: Agency data outside the enclave',
      '    severity: critical',
      '    require:',
      '      kind: location',
      '  - id: LOG-01',
      '    clause: C.2',
      '    title: Plate reads in a log',
      '    severity: high',
      '    assets: [plate-record]',
      '    require:',
      '      kind: no-logs',
      '',
    ].join('\n'),
  );

  const out = path.join(base, 'out');
  await mkdir(out);
  const env = { CUSTODY_PLATE_KEY: PLATE_KEY };
  // A BagIt bag whose payload files (named after the plate) are missing: a notice names them.
  const sha = createHash('sha256').update(agency.images[0]!).digest('hex');
  await mkdir(path.join(base, 'bag', 'data'), { recursive: true });
  await writeFile(path.join(base, 'bag', 'bagit.txt'), 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  await writeFile(path.join(base, 'bag', 'manifest-sha256.txt'), SPELLINGS.map(([, spelled]) => `${sha}  data/${spelled}.jpg\n`).join(''));
  // A root named after a plate: reports list their inputs.
  await mkdir(path.join(base, `handover ${SPELLINGS[0]![1]}`));
  await writeFile(path.join(base, `handover ${SPELLINGS[0]![1]}`, 'notes.txt'), 'nothing\n');
  const common = [
    'audit',
    'tree',
    `handover ${SPELLINGS[0]![1]}`,
    '--manifest',
    'bag',
    '-p',
    'policy.yaml',
    '--now',
    '2026-12-01T00:00:00Z',
    '--cache',
    path.join(base, 'cache'),
  ];
  cold = await runCli([...common, ...FORMATS.flatMap((f) => ['--format', f, '-o', path.join(out, `report.${f}`)])], { cwd: base, env });
  for (const f of FORMATS) outputs.set(f, await readFile(path.join(out, `report.${f}`), 'utf8'));
  // Warm: every file replayed from the cache; pretty to a colour terminal.
  warm = await runCli([...common, '--format', 'pretty'], { cwd: base, env, tty: true });

  // The fingerprint file handed to contractors: references named after plates, plate files too.
  const refs = path.join(base, 'refs');
  await mkdir(path.join(refs, 'crops'), { recursive: true });
  for (const [i, [, spelled]] of SPELLINGS.entries()) {
    await writeFile(path.join(refs, 'crops', `crop ${spelled}.jpg`), await encode(rawPicture(r, 32, 24), 32, 24, 'jpeg'));
    await mkdir(path.join(refs, spelled), { recursive: true });
    await writeFile(path.join(refs, spelled, `reads-${i}.csv`), agency.plateCsv);
  }
  await writeFile(path.join(refs, `reads ${SPELLINGS[0]![1]}.csv`), agency.plateCsv);
  fingerprintFile = path.join(base, 'refs.fp.json');
  fingerprint = await runCli(['fingerprint', 'refs', '--out', fingerprintFile, '--no-perceptual'], { cwd: base, env });
}, 240_000);

afterAll(() => {
  if (base) removeTree(base);
});

describe('agency plates in any spelling are never printed in clear', () => {
  it('every channel reached the report (the checks below are not vacuous)', () => {
    expect(cold.exitCode, cold.stderr).toBe(1);
    const report = JSON.parse(outputs.get('json')!) as {
      assets: { location: string; evidence: Record<string, unknown> }[];
      findings: { ruleId: string; location: string }[];
      inputs: string[];
      notices: { message: string }[];
      coverage: { location: string; reason: string }[];
    };
    // Two roots: locations are absolute.
    for (const entry of [...report.assets, ...report.findings, ...report.coverage]) entry.location = entry.location.replace(/^.*?\/tree\//, '');
    const masked = (prefix: string) => report.assets.filter((a) => a.location.startsWith(prefix) && a.location.includes('[plate]')).length;
    expect(masked('names/')).toBe(SPELLINGS.length);
    expect(masked('dirs/')).toBe(SPELLINGS.length);
    expect(masked('archives/')).toBe(SPELLINGS.length);
    expect(masked('gz/')).toBe(SPELLINGS.length + 1);
    const evidence = report.assets.filter((a) => a.location.startsWith('exif/')).map((a) => a.evidence['value']);
    expect(evidence.length).toBe(SPELLINGS.length);
    for (const value of evidence) expect(value).toMatch(/^Lane capture \S*\[plate\]/u);
    expect(report.coverage.filter((c) => c.location.startsWith('broken/') && c.location.includes('[plate]')).length).toBe(SPELLINGS.length);
    // The scanner counts the same spellings in a log that the redactor masks in names.
    expect(report.inputs).toEqual(['tree', 'handover [plate]', 'bag']);
    const bag = report.notices.find((n) => n.message.startsWith('BagIt bag is incomplete'));
    expect(bag?.message).toContain('data/[plate].jpg');
    expect(report.assets.filter((a) => a.location.includes('data/') && a.location.includes('[plate]')).length).toBe(SPELLINGS.length);
    expect(report.findings.some((f) => f.ruleId === 'LOG-01' && f.location === 'logs/lane.log')).toBe(true);
    // Every line of the log counts: one per spelling.
    const log = report.assets.find((a) => a.location === 'logs/lane.log')?.evidence;
    expect(log?.['where']).toEqual(SPELLINGS.map((_, i) => `line ${i + 1}`));
  });

  it.each(FORMATS)('%s report file', (format) => {
    expect(leaks(outputs.get(format)!)).toEqual([]);
  });

  it('stdout and stderr of both runs, and a warm run replayed from the cache', () => {
    expect(warm.exitCode, warm.stderr).toBe(1);
    expect(warm.stdout).toContain('[plate]');
    for (const text of [cold.stdout, cold.stderr, warm.stdout, warm.stderr]) expect(leaks(text)).toEqual([]);
  });

  it('the cache on disk', async () => {
    const files = await filesUnder(path.join(base, 'cache'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(file);
      expect(leaks(bytes.toString('utf8')), file).toEqual([]);
      expect(leaks(bytes.toString('latin1')), file).toEqual([]);
    }
  });

  it('the fingerprint file handed to contractors, and what fingerprint prints', async () => {
    expect(fingerprint.exitCode, fingerprint.stderr).toBe(0);
    const text = await readFile(fingerprintFile, 'utf8');
    const file = JSON.parse(text) as { references: { id: string }[]; plates: { sources: { id: string }[] } };
    expect(file.references.filter((r) => r.id.startsWith('crops/') && r.id.includes('[plate]')).length).toBe(SPELLINGS.length);
    expect(file.plates.sources.map((s) => s.id)).toContain('reads [plate].csv');
    expect(file.plates.sources.filter((s) => /\[plate\]\S*\/reads-/u.test(s.id)).length).toBe(SPELLINGS.length);
    // Every plate source still names a reference: the masked ids agree.
    const ids = new Set(file.references.map((r) => r.id));
    for (const source of file.plates.sources) expect(ids.has(source.id), source.id).toBe(true);
    expect(leaks(text)).toEqual([]);
    expect(leaks(fingerprint.stdout + fingerprint.stderr)).toEqual([]);
  });
});
