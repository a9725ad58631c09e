import { describe, expect, it } from 'vitest';
import type { Waiver } from '../../src/policy/schema.js';
import { applyWaivers, isActive } from '../../src/postprocess/waivers.js';
import type { Finding } from '../../src/report/model.js';

const finding = (ruleId: string, location: string): Finding => ({
  ruleId,
  requirement: 'retention',
  clause: 'H.7.5',
  severity: 'high',
  level: 'error',
  location,
  message: 'm',
  evidence: {},
  fingerprint: `${ruleId}:${location}`,
});
const waiver = (id: string, protocol: string, location: string, expires: string): Waiver => ({
  id,
  protocol,
  location,
  reason: `reason ${id}`,
  approver: 'Contracting Officer',
  expires,
});

describe('isActive', () => {
  const w = waiver('W', 'P', '**', '2026-06-30');
  it.each([
    ['2026-06-29T12:00:00Z', true],
    ['2026-06-30T23:59:59.999Z', true],
    ['2026-07-01T00:00:00Z', false],
  ])('on %s: %s (inclusive through the end of the expiry day, UTC)', (now, active) => expect(isActive(w, new Date(now))).toBe(active));
});

describe('applyWaivers', () => {
  const now = new Date('2026-11-01T00:00:00Z');
  const findings = [
    finding('RET', 'legal-hold/a.jpg'),
    finding('RET', 'legal-hold/b.jpg'),
    finding('RET', 'corp/c.jpg'),
    finding('PERM', 'legal-hold/a.jpg'),
    finding('PERM', 'qa/d.jpg'),
  ];
  const waivers = [
    waiver('ACTIVE', 'RET', 'legal-hold/**', '2027-03-31'),
    waiver('EXPIRED', 'PERM', 'qa/**', '2026-06-30'),
    waiver('EXPIRED-UNUSED', 'RET', 'nowhere/**', '2025-01-01'),
  ];

  it('marks findings an active waiver covers (protocol and location), and no others', () => {
    const { findings: out } = applyWaivers(findings, waivers, now);
    expect(out.map((f) => [f.ruleId, f.location, f.waiver?.id])).toEqual([
      ['RET', 'legal-hold/a.jpg', 'ACTIVE'],
      ['RET', 'legal-hold/b.jpg', 'ACTIVE'],
      ['RET', 'corp/c.jpg', undefined],
      ['PERM', 'legal-hold/a.jpg', undefined],
      ['PERM', 'qa/d.jpg', undefined],
    ]);
    expect(out[0]!.waiver).toEqual({ id: 'ACTIVE', reason: 'reason ACTIVE', approver: 'Contracting Officer', expires: '2027-03-31' });
  });

  it('reports expired waivers with what they would still cover, and they stop applying', () => {
    const { expired } = applyWaivers(findings, waivers, now);
    expect(expired).toEqual([
      { id: 'EXPIRED', protocol: 'PERM', location: 'qa/**', expires: '2026-06-30', approver: 'Contracting Officer', wouldCover: 1 },
      { id: 'EXPIRED-UNUSED', protocol: 'RET', location: 'nowhere/**', expires: '2025-01-01', approver: 'Contracting Officer', wouldCover: 0 },
    ]);
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(findings);
    applyWaivers(findings, waivers, now);
    expect(findings).toEqual(copy);
  });

  it('judges an archive member by its archive, like authorisation', () => {
    const { findings: out } = applyWaivers([finding('RET', 'legal-hold/x.zip!/other/a.jpg'), finding('RET', 'corp/x.zip!/legal-hold/a.jpg')], waivers, now);
    expect(out.map((f) => f.waiver?.id)).toEqual(['ACTIVE', undefined]);
  });
});
