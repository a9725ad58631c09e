import { describe, expect, it } from 'vitest';
import { evaluate, findingFingerprint } from '../../src/evaluate/evaluate.js';
import type { PolicyDocument, Protocol } from '../../src/policy/schema.js';
import { context, daysAgo, subject } from './subjects.js';

function policy(protocols: Protocol[]): PolicyDocument {
  return {
    version: 1,
    contract: { id: 'C', title: 'T', agency: 'A', clauses: [{ id: 'H.1', title: 'one', mandatory: true }] },
    assets: { fingerprints: [], classes: [], markers: [] },
    locations: { authorized: ['secure-enclave/**'] },
    protocols,
    waivers: [],
  };
}
const LOC: Protocol = { id: 'LOC', clause: 'H.1', title: 'Location', severity: 'critical', require: { kind: 'location' } };
const ENC: Protocol = { id: 'ENC', clause: 'H.1', title: 'Encryption', severity: 'high', require: { kind: 'encryption', accept: ['SSE-KMS'] } };
const RET_TRAVELERS: Protocol = {
  id: 'RET',
  clause: 'H.1',
  title: 'Retention',
  severity: 'medium',
  assets: ['traveler-image'],
  require: { kind: 'retention', maxAgeDays: 30 },
};

describe('evaluate', () => {
  it('turns violations into findings carrying protocol, clause, kind, severity, level and evidence', () => {
    const { findings, notEvaluated } = evaluate(policy([LOC]), [subject('corp/a.jpg')], context());
    expect(notEvaluated.size).toBe(0);
    expect(findings).toEqual([
      {
        ruleId: 'LOC',
        requirement: 'location',
        clause: 'H.1',
        severity: 'critical',
        level: 'error',
        location: 'corp/a.jpg',
        asset: 'vehicle-image',
        reference: 'lanes/a.jpg',
        message: 'Agency data (vehicle-image) found outside the authorised locations',
        evidence: { method: 'exact', authorized: ['secure-enclave/**', 's3://enclave/**'] },
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });

  it('never evaluates unverifiable candidates', () => {
    const { findings } = evaluate(policy([LOC]), [subject('corp/a.jpg', { method: 'unverifiable' }), subject('corp/b.jpg', { method: 'metadata' })], context());
    expect(findings.map((f) => f.location)).toEqual(['corp/b.jpg']);
  });

  it('records protocols that cannot run on these inputs, with the reason, and produces no findings for them', () => {
    const { findings, notEvaluated } = evaluate(policy([LOC, ENC]), [subject('corp/a.jpg', { item: { encryption: 'NOT-SSE' } })], context(['filesystem']));
    expect(findings.map((f) => f.ruleId)).toEqual(['LOC']);
    expect([...notEvaluated]).toEqual([['ENC', expect.stringMatching(/plain filesystem/)]]);
  });

  it('scopes a protocol to its asset classes', () => {
    const old = { item: { mtime: daysAgo(90) } };
    const subjects = [subject('corp/v.jpg', { ...old, asset: 'vehicle-image' }), subject('corp/t.jpg', { ...old, asset: 'traveler-image' })];
    const { findings } = evaluate(policy([RET_TRAVELERS]), subjects, context());
    expect(findings.map((f) => [f.location, f.severity, f.level])).toEqual([['corp/t.jpg', 'medium', 'warning']]);
  });
});

describe('findingFingerprint', () => {
  it('follows the content, not the path: a renamed copy keeps its identity', () => {
    const a = subject('corp/a.jpg');
    const b = subject('laptop/renamed.bin');
    expect(findingFingerprint('LOC', { location: a.asset.location, subject: a })).toBe(findingFingerprint('LOC', { location: b.asset.location, subject: b }));
    expect(findingFingerprint('LOC', { location: 'x', subject: a })).not.toBe(findingFingerprint('RET', { location: 'x', subject: a }));
  });
});
