import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/policy/schema.js';
import { clauseVerdicts } from '../../src/postprocess/clauses.js';
import { sortAssets, sortCoverage, sortFindings } from '../../src/postprocess/sort.js';
import type { Asset, Finding } from '../../src/report/model.js';

const policy: PolicyDocument = {
  version: 1,
  contract: {
    id: 'C',
    title: 'T',
    agency: 'A',
    clauses: [
      { id: 'PASS', title: 'passes', mandatory: true },
      { id: 'VIOL', title: 'violated', mandatory: true },
      { id: 'WAIV', title: 'waived', mandatory: true },
      { id: 'MIXED', title: 'one waived, one not', mandatory: true },
      { id: 'NOEVAL', title: 'cannot run here', mandatory: true },
      { id: 'NONE', title: 'no protocol', mandatory: false },
    ],
  },
  assets: { fingerprints: [], classes: [], markers: [] },
  locations: { authorized: [] },
  protocols: [
    { id: 'P-PASS', clause: 'PASS', title: 't', severity: 'high', require: { kind: 'location' } },
    { id: 'P-VIOL', clause: 'VIOL', title: 't', severity: 'high', require: { kind: 'location' } },
    { id: 'P-WAIV', clause: 'WAIV', title: 't', severity: 'high', require: { kind: 'retention', maxAgeDays: 1 } },
    { id: 'P-MIXED', clause: 'MIXED', title: 't', severity: 'high', require: { kind: 'retention', maxAgeDays: 1 } },
    { id: 'P-ENC', clause: 'NOEVAL', title: 't', severity: 'high', require: { kind: 'encryption', accept: ['SSE-KMS'] } },
    { id: 'P-PUB', clause: 'NOEVAL', title: 't', severity: 'high', require: { kind: 'public-access' } },
  ],
  waivers: [],
};

const finding = (ruleId: string, clause: string, extra: Partial<Finding> = {}): Finding => ({
  ruleId,
  requirement: 'x',
  clause,
  severity: 'high',
  level: 'error',
  location: 'a',
  message: 'm',
  evidence: {},
  fingerprint: 'f',
  ...extra,
});
const waiver = { id: 'W', reason: 'r', approver: 'CO', expires: '2030-01-01' };

const COMPLETE = { reasons: [], notInspected: 0 };

describe('clauseVerdicts', () => {
  it('gives each clause passed, violated, waived or not-evaluated with a reason', () => {
    const findings = [
      finding('P-VIOL', 'VIOL'),
      finding('P-WAIV', 'WAIV', { waiver }),
      finding('P-MIXED', 'MIXED', { waiver }),
      finding('P-MIXED', 'MIXED', { location: 'b' }),
    ];
    const notEvaluated = new Map([
      ['P-ENC', 'encryption is not knowable'],
      ['P-PUB', 'grants need manifests'],
    ]);
    const verdicts = clauseVerdicts(policy, findings, notEvaluated, COMPLETE);
    expect(verdicts.map((v) => [v.id, v.verdict, v.reason])).toEqual([
      ['PASS', 'passed', undefined],
      ['VIOL', 'violated', undefined],
      ['WAIV', 'waived', undefined],
      ['MIXED', 'violated', undefined],
      ['NOEVAL', 'not-evaluated', 'encryption is not knowable; grants need manifests'],
      ['NONE', 'not-evaluated', 'no protocol enforces this clause'],
    ]);
    expect(verdicts[4]!.protocols).toEqual(['P-ENC', 'P-PUB']);
  });

  it('passes a clause when at least one of its protocols could run', () => {
    const verdicts = clauseVerdicts(policy, [], new Map([['P-ENC', 'no']]), COMPLETE);
    expect(verdicts.find((v) => v.id === 'NOEVAL')!.verdict).toBe('passed');
  });

  it('never passes a clause plainly when the audit is incomplete: passed on what was inspected, with the gaps', () => {
    const gaps = { reasons: ['plate records NOT checked: no plate key', '2 items NOT inspected, see coverage'], notInspected: 2 };
    const verdicts = clauseVerdicts(
      policy,
      [finding('P-VIOL', 'VIOL')],
      new Map([
        ['P-ENC', 'no'],
        ['P-PUB', 'no'],
      ]),
      gaps,
    );
    expect(verdicts.map((v) => [v.id, v.verdict])).toEqual([
      ['PASS', 'passed-on-inspected'],
      ['VIOL', 'violated'],
      ['WAIV', 'passed-on-inspected'],
      ['MIXED', 'passed-on-inspected'],
      ['NOEVAL', 'not-evaluated'],
      ['NONE', 'not-evaluated'],
    ]);
    const pass = verdicts[0]!;
    expect(pass.reason).toBe('plate records NOT checked: no plate key; 2 items NOT inspected, see coverage');
    expect(pass.notInspected).toBe(2);
  });
});

describe('sort', () => {
  it('orders findings by severity, protocol, location (code units, not locale), fingerprint', () => {
    const findings = [
      finding('B', 'c', { severity: 'low', location: 'a' }),
      finding('B', 'c', { severity: 'critical', location: 'b' }),
      finding('A', 'c', { severity: 'critical', location: 'z' }),
      finding('B', 'c', { severity: 'critical', location: 'B' }),
      finding('B', 'c', { severity: 'critical', location: 'b', fingerprint: 'e' }),
    ];
    expect(sortFindings(findings).map((f) => `${f.severity}/${f.ruleId}/${f.location}/${f.fingerprint}`)).toEqual([
      'critical/A/z/f',
      'critical/B/B/f',
      'critical/B/b/e',
      'critical/B/b/f',
      'low/B/a/f',
    ]);
  });

  it('orders assets by location then class, and coverage by location, reason, detail', () => {
    const asset = (location: string, cls: string) => ({ location, asset: cls }) as Asset;
    expect(sortAssets([asset('é', 'a'), asset('z', 'b'), asset('z', 'a'), asset('Z', 'a')]).map((a) => `${a.location}:${a.asset}`)).toEqual([
      'Z:a',
      'z:a',
      'z:b',
      'é:a',
    ]);
    const cov = (location: string, reason: string, detail?: string) => ({ location, reason, incomplete: false, ...(detail ? { detail } : {}) });
    expect(
      sortCoverage([cov('b', 'x'), cov('a', 'z'), cov('a', 'y', '2'), cov('a', 'y', '1')]).map((c) => `${c.location}${c.reason}${c.detail ?? ''}`),
    ).toEqual(['ay1', 'ay2', 'az', 'bx']);
  });
});
