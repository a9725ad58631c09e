import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csv, csvCell } from '../../src/report/csv.js';
import { HOSTILE_LOCATION, SCRIPT_LOCATION, sampleReport } from '../support/sample-report.js';

describe('csv reporter', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
    ['mid=dle', 'mid=dle'],
  ])('cell %j becomes %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('writes one row per finding that an RFC 4180 parser reads back', () => {
    const report = sampleReport();
    const text = csv(report, { color: false, showWaived: false });
    expect(text.endsWith('\r\n')).toBe(true);
    const all = parse(text, { columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
    // The verdict row comes first: a sheet filed alone says whether the audit was complete.
    expect(all[0]!.level).toBe('verdict');
    expect(all[0]!.message).toBe(
      "VIOLATED: 9 violations of the contract's protocols; 4 new, 1 already in the baseline; 1 waived; scan incomplete: 3 items NOT inspected, see coverage",
    );
    const rows = all.filter((r) => r.level !== 'clause' && r.level !== 'verdict');
    expect(Object.keys(rows[0]!)).toEqual([
      'severity',
      'level',
      'ruleId',
      'requirement',
      'clause',
      'location',
      'asset',
      'reference',
      'message',
      'waived',
      'fingerprint',
    ]);
    expect(rows).toHaveLength(report.findings.length);
    rows.forEach((row, i) => {
      const f = report.findings[i]!;
      expect(row.fingerprint).toBe(f.fingerprint);
      expect(row.ruleId).toBe(f.ruleId);
      expect(row.waived).toBe(f.waiver?.id ?? '');
    });
    const clauses = all.filter((r) => r.level === 'clause');
    expect(clauses.map((r) => r.clause)).toEqual(report.clauses.map((c) => c.id));
    expect(clauses.find((r) => r.clause === '5.3')!.message).toBe(
      'clause 5.3 (Laptop encryption) [ENC-2]: not-evaluated: encryption is not knowable on a plain filesystem',
    );
  });

  it('neutralises the formula in a hostile name and keeps the rest of it byte-faithful', () => {
    const rows = parse(csv(sampleReport(), { color: false, showWaived: false }), { columns: true }) as Record<string, string>[];
    const locations = rows.map((r) => r.location);
    expect(locations).toContain(`'${HOSTILE_LOCATION}`);
    expect(locations).toContain(SCRIPT_LOCATION);
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
