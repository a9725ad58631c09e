import fs from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { type ReportFormat, reporters } from '../../src/report/registry.js';
import { sarifValidator } from '../report/sarif-validator.js';
import { buildHostileCorpus, HOSTILE_NAMES, type HostileCorpus, removeTree, SHARED_CORPORA } from '../support/hostile-corpus.js';
import { AGENCY_PLATES, type Agency, buildAgency, PLATE_KEY, plateSpellings } from './support/agency.js';
import { type CliResult, runCli, strayStderrLines } from './support/cli.js';
import { ageAtimes, diffSnapshots, type EntryState, snapshotTree, statOnly } from './support/snapshot.js';

const FORMATS: ReportFormat[] = ['json', 'sarif', 'junit', 'csv', 'markdown', 'html', 'pretty'];
const ENV = { CUSTODY_PLATE_KEY: PLATE_KEY };

let base: string;
let agency: Agency;
let corpus: HostileCorpus;
let cli: CliResult;
let seconds: number;
let outputs: Record<string, string>;
let report: Report;
let before: Map<string, EntryState>;
let statsBefore: Map<string, EntryState>;
let statsAfter: Map<string, EntryState>;
let after: Map<string, EntryState>;

beforeAll(async () => {
  if (!fs.existsSync(SHARED_CORPORA)) console.log(`hostile: ${SHARED_CORPORA} absent: real corrupt samples left out of the corpus`);
  const t0 = performance.now();
  const step = (label: string) => console.log(`hostile: ${label} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  base = await mkdtemp(path.join(os.tmpdir(), 'custody-hostile-'));
  agency = await buildAgency(base);
  step('agency fingerprinted');
  corpus = await buildHostileCorpus(base, agency);
  step('corpus built');
  before = snapshotTree(corpus.root);
  step('snapshot taken');
  // Old atimes make any plain read visible (relatime moves an atime older than the mtime).
  statsBefore = ageAtimes(corpus.root, before, new Date('2020-01-01T00:00:00Z'));

  const outDir = path.join(base, 'out');
  fs.mkdirSync(outDir);
  const args = ['audit', corpus.root, '-f', agency.fingerprintFile, '--authorized', 'enclave/**', '--now', '2026-11-20T00:00:00Z'];
  for (const format of FORMATS.filter((f) => f !== 'pretty')) args.push('--format', format, '--output', path.join(outDir, `report.${format}`));
  args.push('--format', 'pretty');
  const started = performance.now();
  cli = await runCli(args, { cwd: base, env: ENV, tty: true });
  seconds = (performance.now() - started) / 1000;

  step('audit done');
  statsAfter = statOnly(corpus.root, before);
  after = snapshotTree(corpus.root);
  outputs = { pretty: cli.stdout, stderr: cli.stderr };
  for (const format of FORMATS.filter((f) => f !== 'pretty')) outputs[format] = await readFile(path.join(outDir, `report.${format}`), 'utf8');
  report = JSON.parse(outputs['json']!) as Report;
  outputs['pretty-no-color'] = reporters.pretty(report, { color: false, showWaived: true });
  console.log(`hostile: audit of ${corpus.cases.length} hostile cases took ${seconds.toFixed(1)} s, exit ${cli.exitCode}`);
}, 300_000);

afterAll(async () => {
  if (base) removeTree(base);
});

describe('no crash, no hang', () => {
  it('finishes with exit 1 (agency copies everywhere) or 3, and no internal error', () => {
    expect(strayStderrLines(cli.stderr)).toEqual([]);
    expect(cli.stderr).not.toMatch(/internal error|\n\s+at /);
    expect([1, 3]).toContain(cli.exitCode);
    expect(seconds).toBeLessThan(120);
  });

  it('accounts for every file: seen = inspected + skipped, each skip with a reason', () => {
    const { summary, coverage } = report;
    expect(summary.filesSeen).toBe(summary.filesInspected + summary.filesSkipped);
    const onDisk = [...before.entries()].filter(([, e]) => (e.mode & 0o170000) !== 0o040000).length;
    expect(summary.filesSeen).toBeGreaterThanOrEqual(onDisk);
    for (const entry of coverage) {
      expect(entry.reason).toMatch(/^[a-z][a-z-]*$/);
      expect(typeof entry.incomplete).toBe('boolean');
    }
    const covered = new Set(coverage.map((c) => c.location));
    const mustBeCovered = corpus.cases.filter((c) => c.kind === 'symlink' || c.kind === 'special-file');
    expect(mustBeCovered.filter((c) => !covered.has(c.location)).map((c) => c.location)).toEqual([]);
    expect(new Set(coverage.filter((c) => c.reason !== 'unreadable-directory').map((c) => c.location)).size).toBeGreaterThanOrEqual(summary.filesSkipped);
  });

  it('finds the agency copies behind hostile names, mode 000 and hard links', () => {
    const assets = new Set(report.assets.map((a) => a.location));
    for (const name of HOSTILE_NAMES) expect(assets, name).toContain(name);
    expect(assets).toContain('plain/agency-copy.jpg');
    expect(assets).toContain('links/hard-agency.jpg');
    // As root, mode 000 does not stop a read: the copy must then be found, not skipped.
    if (corpus.asRoot) expect(assets).toContain('perms/locked.jpg');
    else expect(report.coverage.map((c) => c.location)).toContain('perms/locked.jpg');
  });

  // globby's '**' never matched a name holding CR or LF, so such files and whole directories were
  // silently invisible; the walker now compiles its own globs.
  it('finds copies whose names hold CR or LF, and inside a directory whose name does', () => {
    const assets = new Set(report.assets.map((a) => a.location));
    for (const c of corpus.cases.filter((c) => /[\r\n]/.test(c.location))) expect(assets, JSON.stringify(c.location)).toContain(c.location);
  });

  // Names are walked and reopened as bytes, so a name that is not UTF-8 still gets read; it is shown
  // with its invalid bytes escaped (never U+FFFD, which would merge different names).
  it('reads files whose names are not valid UTF-8, and shows them escaped', () => {
    const invalid = corpus.cases.find((c) => c.description.includes('invalid UTF-8'))!;
    expect(invalid.location).toMatch(/\\x[0-9a-f]{2}/);
    expect(invalid.location).not.toContain('\uFFFD');
    expect(report.assets.map((a) => a.location)).toContain(invalid.location);
  });

  it('prints the table of hostile cases and what custody did', () => {
    const assets = new Map(report.assets.map((a) => [a.location, a]));
    const rows = corpus.cases.map((c) => {
      const cover = report.coverage.filter((e) => e.location === c.location || e.location.startsWith(`${c.location}!/`));
      const found = [...assets.values()].filter((a) => a.location === c.location || a.location.startsWith(`${c.location}!/`));
      const outcome =
        [...found.map((a) => `asset (${a.method}${a.location === c.location ? '' : ', member'})`), ...cover.map((e) => `${e.reason}${e.incomplete ? '*' : ''}`)]
          .filter(Boolean)
          .join(', ') || 'inspected, clean';
      return `| ${c.kind} | ${c.description.replaceAll('|', '\\|')} | ${outcome} |`;
    });
    console.log(['| kind | case | custody (* = marks scan incomplete) |', '|---|---|---|', ...rows].join('\n'));
    expect(rows.length).toBe(corpus.cases.length);
  });
});

describe('hostile archives', () => {
  const coverageOf = (archive: string) => report.coverage.filter((c) => c.location === archive || c.location.startsWith(`${archive}!/`));
  const assetsIn = (archive: string) => report.assets.filter((a) => a.location.startsWith(`${archive}!/`)).map((a) => a.location);

  it('finds copies inside a valid zip and beside an encrypted entry, which is reported', () => {
    expect(assetsIn('archives/ok.zip')).toEqual(['archives/ok.zip!/inside/copy.jpg']);
    expect(assetsIn('archives/encrypted.zip')).toEqual(['archives/encrypted.zip!/plain.jpg']);
    expect(coverageOf('archives/encrypted.zip').map((c) => [c.location, c.reason, c.incomplete])).toEqual([
      ['archives/encrypted.zip!/secret.jpg', 'encrypted', true],
    ]);
  });

  it('stops the zip bomb and the nesting past the limit with archive-limit entries', () => {
    const bomb = coverageOf('archives/zip-bomb.zip');
    expect(bomb.length).toBeGreaterThan(0);
    expect(bomb.every((c) => c.reason === 'archive-limit' && c.incomplete)).toBe(true);
    expect(coverageOf('archives/nested-9.zip').some((c) => c.reason === 'archive-limit')).toBe(true);
    expect(report.summary.bytesRead).toBeLessThan(256 * 1024 * 1024);
  });

  it('keeps traversal member names inside their archive and writes nothing outside', () => {
    const members = report.assets.filter((a) => a.location.startsWith('archives/traversal.zip!/'));
    expect(members.length).toBeGreaterThan(0);
    expect(fs.readdirSync(corpus.outside)).toEqual(['secret.jpg']);
    expect(fs.readdirSync(base).sort()).toEqual(['agency', 'agency.fp.json', 'corpus', 'out', 'outside']);
  });

  it('never follows tar link members; corrupt archives are reported, not thrown', () => {
    expect(assetsIn('archives/links.tar')).toEqual(['archives/links.tar!/copy.jpg']);
    expect(coverageOf('archives/links.tar').map((c) => c.reason)).toEqual(['link-member', 'link-member', 'link-member']);
    for (const broken of ['archives/corrupt-cd.zip', 'archives/truncated.zip', 'archives/truncated.tar']) {
      expect(
        coverageOf(broken).some((c) => c.reason === 'corrupt-archive' && c.incomplete),
        broken,
      ).toBe(true);
    }
  });
});

describe('read-only', () => {
  it('leaves the tree unchanged: entries, contents, modes, mtimes, ctimes', () => {
    // Entry list and contents from the full snapshots; times from the stat-only passes around the audit
    // (the aged atimes reset mtimes to microsecond precision, so `before` holds the pre-ageing values).
    expect(diffSnapshots(before, after, ['mode', 'size', 'content'])).toEqual([]);
    expect(diffSnapshots(statsBefore, statsAfter, ['mode', 'mtimeNs', 'ctimeNs'])).toEqual([]);
  });

  it('leaves file atimes unchanged (O_NOATIME)', () => {
    const files = new Map([...statsBefore].filter(([, e]) => (e.mode & 0o170000) === 0o100000));
    const changed = diffSnapshots(files, new Map([...statsAfter].filter(([k]) => files.has(k))), ['atimeNs']);
    expect(changed).toEqual([]);
  });

  it('reports directory atimes moved by the walk (readdir cannot use O_NOATIME)', () => {
    const dirs = new Map([...statsBefore].filter(([, e]) => (e.mode & 0o170000) === 0o040000));
    const changed = diffSnapshots(dirs, new Map([...statsAfter].filter(([k]) => dirs.has(k))), ['atimeNs']);
    console.log(`hostile: ${changed.length} of ${dirs.size} directory atimes moved by the audit (relatime)`);
    expect(changed.length).toBeLessThanOrEqual(dirs.size);
  });

  it('refuses --output inside the audited tree and writes nothing there', async () => {
    const target = path.join(corpus.root, 'report.json');
    const refused = await runCli(['audit', corpus.root, '-f', agency.fingerprintFile, '--format', 'json', '--output', target], { cwd: base, env: ENV });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^custody: refusing to write .* inside the audited tree/);
    expect(fs.existsSync(target)).toBe(false);
    const relative = await runCli(['audit', '.', '-f', agency.fingerprintFile, '--format', 'json', '--output', 'sub/../r.json'], {
      cwd: corpus.root,
      env: ENV,
    });
    expect(relative.exitCode).toBe(2);
    expect(fs.existsSync(path.join(corpus.root, 'r.json'))).toBe(false);
  });
});

describe('no injection', () => {
  it('terminal output (colour on and off) carries no control character from a name', () => {
    for (const key of ['pretty', 'pretty-no-color', 'markdown', 'stderr']) {
      const text = outputs[key]!;
      const withoutSgr = key === 'pretty' ? text.replace(/\u001b\[[0-9;]*m/g, '') : text;
      expect(withoutSgr, key).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      for (const name of HOSTILE_NAMES.filter((n) => /[\u0000-\u001f\u202e]/.test(n))) expect(text, key).not.toContain(name);
    }
    expect(outputs['pretty-no-color']).toContain('\\x1b[31mred\\x1b[0m');
    expect(outputs['pretty-no-color']).toContain('new\\nline.jpg');
  });

  it('JSON and SARIF parse, keep names byte-faithful, and SARIF validates', () => {
    expect(report.assets.map((a) => a.location)).toContain('\u001b[2J\u001b[Hclear.jpg');
    expect(report.assets.map((a) => a.location)).toContain('new\nline.jpg');
    const sarif = JSON.parse(outputs['sarif']!) as unknown;
    expect(sarifValidator()(sarif)).toEqual([]);
  });

  it('CSV neutralises formula starts in every cell', () => {
    const rows = parseCsv(outputs['csv']!, { relax_column_count: true }) as string[][];
    const cells = rows.flat();
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(cells).toContain(`'=HYPERLINK("evil.example","click").jpg`);
  });

  it('HTML and JUnit escape names', () => {
    expect(outputs['html']).not.toContain('<img src=x');
    expect(outputs['html']).not.toContain('<b>.jpg');
    expect(outputs['html']).toContain('&lt;img src=x onerror=alert(1)&gt;.jpg');
    expect(XMLValidator.validate(outputs['junit']!)).toBe(true);
    expect(outputs['junit']).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe('no leak', () => {
  it('no agency plate, in any spelling, in any output or on stderr', () => {
    const spellings = AGENCY_PLATES.flatMap(plateSpellings);
    for (const [key, text] of Object.entries(outputs)) {
      for (const spelling of spellings) expect(text.includes(spelling), `${spelling} in ${key}`).toBe(false);
    }
  });

  it('no image bytes (raw, hex or base64) in any output', () => {
    const head = agency.images[0]!.subarray(0, 24);
    const probes = ['\u00ff\u00d8\u00ff', head.toString('hex').slice(0, 16), head.toString('base64').slice(0, 12), '/9j/4'];
    for (const [key, text] of Object.entries(outputs)) {
      for (const probe of probes) expect(text.includes(probe), `${JSON.stringify(probe)} in ${key}`).toBe(false);
    }
  });
});
