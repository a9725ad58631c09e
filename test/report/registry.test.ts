import { describe, expect, it } from 'vitest';
import { isReportFormat, REPORT_EXTENSION, type ReportFormat, reporters } from '../../src/report/registry.js';
import { clauseVerdictText } from '../../src/report/verdict.js';
import { sampleReport, sampleReportWithoutProtocols } from '../support/sample-report.js';

const formats = Object.keys(reporters) as ReportFormat[];

describe('reporter registry', () => {
  it('registers every format', () => {
    expect(formats).toEqual(['pretty', 'json', 'sarif', 'junit', 'csv', 'markdown', 'html']);
    expect(isReportFormat('sarif')).toBe(true);
    expect(isReportFormat('toString')).toBe(false);
    expect(Object.keys(REPORT_EXTENSION).sort()).toEqual([...formats].sort());
  });

  describe.each(formats)('%s', (format) => {
    it('matches its snapshot on the shared sample', async () => {
      const text = reporters[format](sampleReport(), { color: false, showWaived: true });
      await expect(text).toMatchFileSnapshot(`./__snapshots__/sample.${REPORT_EXTENSION[format]}`);
    });

    it('is byte-identical for the same input and does not mutate the report', () => {
      const report = sampleReport();
      const before = JSON.stringify(report);
      const ctx = { color: true, showWaived: true };
      expect(reporters[format](report, ctx)).toBe(reporters[format](sampleReport(), ctx));
      expect(JSON.stringify(report)).toBe(before);
    });

    it('shows every clause with its verdict and, when not evaluated, its reason', () => {
      for (const report of [sampleReport(), sampleReportWithoutProtocols()]) {
        const text = reporters[format](report, { color: false, showWaived: false });
        for (const clause of report.clauses) {
          expect(text, `clause ${clause.id}`).toContain(clause.id);
          // Machine formats carry the enum, human ones the words; an incomplete audit's clause never reads as plainly passed.
          expect(
            [clause.verdict, clauseVerdictText(clause)].some((v) => text.includes(v)),
            `clause ${clause.id} verdict`,
          ).toBe(true);
          if (clause.reason) expect(text).toContain(clause.reason);
        }
      }
    });
  });
});
