import { describe, expect, it } from 'vitest';
import { assemble, type ReportParts } from '../../src/audit/assemble.js';
import type { PolicyDocument, Waiver } from '../../src/policy/schema.js';
import { finalize } from '../../src/postprocess/finalize.js';
import { redactPlates } from '../../src/postprocess/redact.js';
import type { Finding } from '../../src/report/model.js';

const waiver: Waiver = { id: 'W-1', protocol: 'P-LOC', location: 'legal-hold/**', reason: 'hold', approver: 'CO', expires: '2026-12-31' };
const expired: Waiver = { id: 'W-0', protocol: 'P-LOC', location: 'old/**', reason: 'gone', approver: 'CO', expires: '2026-01-31' };

const policy: PolicyDocument = {
  version: 1,
  contract: {
    id: 'C',
    title: 'T',
    agency: 'A',
    clauses: [
      { id: 'LOC', title: 'only in the enclave', mandatory: true },
      { id: 'HOLD', title: 'held copies', mandatory: true },
    ],
  },
  assets: { fingerprints: [], classes: [], markers: [] },
  locations: { authorized: ['enclave/**'] },
  protocols: [
    { id: 'P-LOC', clause: 'LOC', title: 't', severity: 'high', require: { kind: 'location' } },
    { id: 'P-HOLD', clause: 'HOLD', title: 't', severity: 'critical', require: { kind: 'location' } },
  ],
  waivers: [waiver, expired],
};

const finding = (ruleId: string, location: string, severity: Finding['severity'] = 'high'): Finding => ({
  ruleId,
  requirement: 'location',
  clause: ruleId === 'P-LOC' ? 'LOC' : 'HOLD',
  severity,
  level: 'error',
  location,
  message: `outside the enclave: ${location}`,
  evidence: {},
  fingerprint: `fp-${ruleId}-${location}`,
});

const parts = (findings: Finding[], notices: ReportParts['notices'] = []): ReportParts => ({
  policy: { doc: policy, digest: 'sha256:x', builtin: false },
  fingerprints: [],
  inputs: ['share'],
  startedAt: 's',
  finishedAt: 'f',
  assets: [],
  findings,
  notEvaluated: new Map(),
  coverage: [],
  notices,
  counts: { filesSeen: 3, filesInspected: 3, filesSkipped: 0, bytesSeen: 1, bytesRead: 1 },
  plates: { status: 'checked' },
  allowEmpty: false,
});

const now = new Date('2026-11-20T12:00:00Z');
const isPlate = (plate: string) => plate === 'QRT4821';
const redact = (text: string) => redactPlates(text, isPlate);

describe('finalize: waivers, baseline, redaction, sort', () => {
  it('counts and clause verdicts follow the waivers it applies (the report is built before them)', () => {
    const built = assemble(parts([finding('P-LOC', 'legal-hold/a.jpg'), finding('P-HOLD', 'desk/b.jpg', 'critical')]));
    expect(built.summary.waived).toBe(0);
    const report = finalize(built, { waivers: policy.waivers, now });
    expect(report.findings.map((f) => [f.location, f.waiver?.id])).toEqual([
      ['desk/b.jpg', undefined],
      ['legal-hold/a.jpg', 'W-1'],
    ]);
    expect(report.summary.waived).toBe(1);
    expect(report.summary.findingsBySeverity).toEqual({ critical: 1, high: 0, medium: 0, low: 0 });
    expect(report.clauses.map((c) => [c.id, c.verdict])).toEqual([
      ['LOC', 'waived'],
      ['HOLD', 'violated'],
    ]);
    expect(report.expiredWaivers.map((w) => [w.id, w.wouldCover])).toEqual([['W-0', 0]]);
  });

  it('marks every finding against the baseline, waived ones included, after the waivers', () => {
    const built = assemble(parts([finding('P-LOC', 'legal-hold/a.jpg'), finding('P-HOLD', 'desk/b.jpg', 'critical')]));
    const report = finalize(built, { waivers: policy.waivers, now, baseline: new Set(['fp-P-LOC-legal-hold/a.jpg']) });
    expect(report.findings.map((f) => [f.location, f.baseline, f.waiver?.id])).toEqual([
      ['desk/b.jpg', 'new', undefined],
      ['legal-hold/a.jpg', 'unchanged', 'W-1'],
    ]);
  });

  it('sorts after redaction: the order never depends on a plate the report no longer shows', () => {
    // By the plate, desk/QRT4821.jpg sorts before desk/X.jpg ('Q' < 'X'); masked, after it ('X' < '[').
    const built = assemble(parts([finding('P-HOLD', 'desk/QRT4821.jpg'), finding('P-HOLD', 'desk/X.jpg')]));
    const report = finalize(built, { waivers: [], now, redact });
    expect(report.findings.map((f) => f.location)).toEqual(['desk/X.jpg', 'desk/[plate].jpg']);
    expect(JSON.stringify(report)).not.toContain('QRT4821');
  });

  it('dedupes notices after redaction: two that differed only by a plate are one', () => {
    const notices = [
      { level: 'warning' as const, message: 'unreadable name QRT4821.csv' },
      { level: 'warning' as const, message: 'unreadable name QRT 4821.csv' },
      { level: 'info' as const, message: 'another' },
    ];
    const report = finalize(assemble(parts([], notices)), { waivers: [], now, redact });
    expect(report.notices).toEqual([
      { level: 'info', message: 'another' },
      { level: 'warning', message: 'unreadable name [plate].csv' },
    ]);
  });

  it('is pure: the report given is left as it was', () => {
    const built = assemble(parts([finding('P-HOLD', 'desk/QRT4821.jpg'), finding('P-LOC', 'legal-hold/a.jpg')]));
    const before = JSON.stringify(built);
    finalize(built, { waivers: policy.waivers, now, redact, baseline: new Set() });
    expect(JSON.stringify(built)).toBe(before);
  });
});
