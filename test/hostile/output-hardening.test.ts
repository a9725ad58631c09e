import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseOutputs } from '../../src/cli/outputs.js';
import { csv, csvCell } from '../../src/report/csv.js';
import type { Finding, Report } from '../../src/report/model.js';
import { SARIF_MAX_RESULTS, sarif } from '../../src/report/sarif.js';
import { escapeInvisible } from '../../src/util/escape.js';
import { parseShard } from '../../src/util/shard.js';
import { sarifValidator } from '../report/sarif-validator.js';
import { sampleReport } from '../support/sample-report.js';
import { tempDir } from '../support/tmp.js';
import { runCli } from './support/cli.js';

/** Issue #22 class 8: CSV cells split at `;`, `--shard ''`, invisible characters in messages, SARIF size. */
describe('CSV formula starts after separators', () => {
  it.each([
    ['x;=HYPERLINK("http://evil.example","click")', `"x;'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['x,=1+1', `"x,'=1+1"`],
    ['x; =1+1', `"x; '=1+1"`],
    ['x;"=1+1', `"x;""'=1+1"`],
    ['a;b', '"a;b"'],
    ['x;-2;+3;@A1', `"x;'-2;'+3;'@A1"`],
    ['line\n=cmd', `"line\n'=cmd"`],
    ['=1;=2', `"'=1;'=2"`],
    ['mid=dle;ok', '"mid=dle;ok"'],
    ['plain', 'plain'],
  ])('cell %j becomes %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('no cell of the sheet starts with a formula trigger when split at , or ; (RFC 4180 or naive)', () => {
    const report = sampleReport();
    report.findings = report.findings.map((f, i) =>
      i === 0 ? { ...f, location: 'exports/x;=HYPERLINK("http://evil.example";"x").jpg', message: 'copy, -1;@SUM(A1)' } : f,
    );
    const text = csv(report, { color: false, showWaived: false });
    expect(csv(report, { color: false, showWaived: false })).toBe(text);
    const rows = parse(text, { record_delimiter: '\r\n' }) as string[][];
    for (const cell of rows.flat()) {
      for (const piece of cell.split(/[,;\n]/)) expect(piece.replace(/^[ "]*/, ''), cell).not.toMatch(/^[=+\-@\t\r]/);
    }
    // Read back, the location is the name with apostrophes before its formula starts, nothing else.
    expect(rows.find((row) => row[1] !== 'verdict' && row[1] !== 'level')![5]).toBe(`exports/x;'=HYPERLINK("http://evil.example";"x").jpg`);
  });
});

describe('SARIF stays within code scanning limits', () => {
  function bigReport(count: number): Report {
    const report = sampleReport();
    const template = report.findings[0]!;
    const findings: Finding[] = Array.from({ length: count }, (_, i) => ({
      ...template,
      severity: i < 10 ? 'critical' : 'low',
      location: `share/copy-${String(i).padStart(6, '0')}.jpg`,
      fingerprint: i.toString(16).padStart(16, '0'),
    }));
    return { ...report, findings };
  }

  it(`lists at most ${SARIF_MAX_RESULTS} results, says how many are left out and where they are, and validates`, () => {
    const report = bigReport(SARIF_MAX_RESULTS + 123);
    const doc = JSON.parse(sarif(report, { color: false, showWaived: false })) as {
      runs: {
        results: { properties: { location: string } }[];
        properties: { resultsOmitted?: { count: number; findings: number; maxResults: number; fullList: string } };
        invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[];
      }[];
    };
    expect(sarifValidator()(doc)).toEqual([]);
    const run = doc.runs[0]!;
    expect(run.results).toHaveLength(SARIF_MAX_RESULTS);
    expect(run.results[0]!.properties.location).toBe('share/copy-000000.jpg');
    expect(run.properties.resultsOmitted).toEqual(
      expect.objectContaining({ count: 123, findings: SARIF_MAX_RESULTS + 123, maxResults: SARIF_MAX_RESULTS, fullList: 'the JSON report (--format json)' }),
    );
    expect(run.invocations[0]!.toolExecutionNotifications).toContainEqual({
      level: 'warning',
      message: { text: expect.stringMatching(/^123 of 25123 findings are not in this SARIF run: .* The JSON report \(--format json\) lists every finding\.$/) },
    });
  });

  it('says nothing about omissions when every finding fits', () => {
    const doc = JSON.parse(sarif(bigReport(5), { color: false, showWaived: false })) as { runs: { results: unknown[]; properties: Record<string, unknown> }[] };
    expect(doc.runs[0]!.results).toHaveLength(5);
    expect(doc.runs[0]!.properties).not.toHaveProperty('resultsOmitted');
  });
});

describe('--shard and invisible characters in messages', () => {
  it.each(['', ' ', '0/4', '5/4', '1/0', '1/99999999999999999999', '1/4 ', '-1/4'])('--shard %j is a usage error', (text) => {
    expect(() => parseShard(text)).toThrow(/^--shard takes k\/n/);
  });

  it('escapes controls, format characters and odd spaces, and keeps visible text', () => {
    expect(escapeInvisible('\uFEFFhigh')).toBe('\\u{FEFF}high');
    expect(escapeInvisible('a\u202Eb\u200Bc\u00A0d\u0007e\u009Bf\ng\th')).toBe('a\\u{202E}b\\u{200B}c\\u{00A0}d\\u{0007}e\\u{009B}f\\ng\\th');
    expect(escapeInvisible('Übersicht 車牌 a b')).toBe('Übersicht 車牌 a b');
    expect(escapeInvisible(escapeInvisible('\uFEFFx'))).toBe('\\u{FEFF}x');
  });

  it('prints rejected input with invisible characters escaped (custody and commander messages)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const shard = await runCli(['audit', '.', '--fingerprints', 'none.json', '--shard', ''], { cwd: dir });
      expect(shard).toEqual({ exitCode: 2, stdout: '', stderr: 'custody: --shard takes k/n with 1 <= k <= n, e.g. 2/4, not ""\n' });
      const format = await runCli(['audit', '.', '--fingerprints', 'none.json', '--format', '\uFEFFjson'], { cwd: dir });
      expect(format.stderr).toBe('custody: unknown --format "\\u{FEFF}json" (choose from pretty, json, sarif, junit, csv, markdown, html)\n');
      expect(format.exitCode).toBe(2);
      const failOn = await runCli(['audit', '.', '--fingerprints', 'none.json', '--fail-on', '\u202Ehigh'], { cwd: dir });
      expect(failOn.exitCode).toBe(2);
      expect(failOn.stderr).toContain('\\u{202E}high');
      expect(failOn.stderr).not.toMatch(/[\u202E\uFEFF]/);
      await writeFile(path.join(dir, 'p.yaml'), 'version: 1\n\uFEFFcontract:\n  id: x\n');
      const policy = await runCli(['policy', 'check', 'p.yaml'], { cwd: dir });
      expect(policy.exitCode).toBe(2);
      expect(policy.stderr).not.toMatch(/[\uFEFF\u0000-\u0008\u000b-\u001f]/);
      const output = await runCli(['audit', '.', '--fingerprints', 'none.json', '--output', 'r\u200B.json', '--output', 'x\u0007'], { cwd: dir });
      expect(output.stderr).toBe(
        'custody: cannot tell the report format of --output x\\u{0007} from its extension: add --format <name> before it (extensions: .txt pretty, .json json, .sarif sarif, .xml junit, .csv csv, .md markdown, .markdown markdown, .html html, .htm html)\n',
      );
    } finally {
      await cleanup();
    }
  });
});

describe('--format and --output pairing', () => {
  it.each([
    [[], [], undefined, [{ format: 'pretty' }]],
    [[], [], 'json', [{ format: 'json' }]],
    [[], ['a.SARIF'], undefined, [{ format: 'sarif', file: 'a.SARIF' }]],
    [[], ['a.json', 'b.md', '-'], undefined, [{ format: 'json', file: 'a.json' }, { format: 'markdown', file: 'b.md' }, { format: 'pretty' }]],
    [['json'], ['-'], undefined, [{ format: 'json' }]],
    [['json', 'sarif'], ['x.txt'], undefined, [{ format: 'json', file: 'x.txt' }, { format: 'sarif' }]],
    [
      ['csv'],
      ['r.json', 'r.xml'],
      undefined,
      [
        { format: 'csv', file: 'r.json' },
        { format: 'junit', file: 'r.xml' },
      ],
    ],
  ] as const)('formats %j, outputs %j (stdout default %s) -> %j', (formats, files, fallback, expected) => {
    expect(parseOutputs(formats, files, fallback)).toEqual(expected);
  });

  it.each([
    [[], ['-', '-'], /^only one report can go to stdout/],
    [['json', 'sarif'], [], /^only one report can go to stdout/],
    [[], ['report'], /^cannot tell the report format of --output report from its extension/],
    [['yaml'], [], /^unknown --format "yaml"/],
  ] as const)('formats %j, outputs %j is a usage error', (formats, files, message) => {
    expect(() => parseOutputs(formats, files)).toThrow(message);
  });
});
