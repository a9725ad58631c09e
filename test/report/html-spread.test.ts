import { describe, expect, it } from 'vitest';
import { enclaveOf, spreadOf } from '../../src/report/html-spread.js';
import type { Report } from '../../src/report/model.js';
import { sampleReport } from '../support/sample-report.js';

/** The sample with its location protocols not evaluated (as on inputs where they cannot be). */
function withoutLocationProtocol(report: Report): Report {
  return { ...report, protocols: report.protocols.map((p) => (p.requirement === 'location' ? { ...p, notEvaluated: 'not knowable here' } : p)) };
}

describe('outside the enclave, derived from the report', () => {
  it('counts items whose location a location or no-archives finding names, waived or not', () => {
    const e = enclaveOf(sampleReport());
    expect(e).toMatchObject({ known: true, outside: 6, found: 9 });
    expect(e.isOutside('backups/2026-q1.zip!/captures/cap-000117.jpg')).toBe(true);
    expect(e.isOutside('secure-enclave/travelers/booth2-0042.jpg')).toBe(false);
  });

  it('applies the authorised globs the location findings quote to items no finding names', () => {
    const report = sampleReport();
    for (const f of report.findings) if (f.requirement === 'location') f.evidence = { ...f.evidence, authorized: ['secure-enclave/**'] };
    // The S3 copy has no location finding (say, its class is outside the protocol's scope): still outside.
    expect(enclaveOf(report)).toMatchObject({ known: true, outside: 7 });
  });

  it("falls back to the breach-volume finding's count, and says when it cannot know", () => {
    const report = withoutLocationProtocol(sampleReport());
    expect(enclaveOf(report)).toMatchObject({ known: true, outside: 5 });
    const none = { ...report, findings: report.findings.filter((f) => f.requirement !== 'max-copies') };
    expect(enclaveOf(none).known).toBe(false);
  });

  it('spreads each item over its copies, with the findings at each and whether it is outside', () => {
    const spread = spreadOf(sampleReport());
    expect(spread.map((s) => [s.key, s.copies.length, s.outside, s.violating])).toEqual([
      ['lane3/2026-03-01/cap-000117.jpg', 3, 2, 1],
      ['lane3/2026-03-01/cap-000118.jpg', 3, 2, 3],
      ['travelers/2026-03-01/booth2-0042.jpg', 2, 1, 1],
      ['no reference: plate-record (record)', 1, 1, 1],
    ]);
    const photo = spread[0]!.copies.find((c) => c.asset.location.startsWith('corp-share/'));
    expect(photo?.findings.map((f) => f.ruleId)).toEqual(['LOC-1', 'PERM-1']);
  });
});
