import { describe, expect, it } from 'vitest';
import type { Subject } from '../../src/evaluate/requirement.js';
import type { EvaluationContext, Violation } from '../../src/policy/requirements/kind.js';
import { REQUIREMENT_KINDS, requirementKind } from '../../src/policy/requirements/registry.js';
import { RequirementSchema as PolicyRequirement, type Requirement } from '../../src/policy/schema.js';
import { context, daysAgo, NOW, subject } from './subjects.js';

/** The requirement's kind, to check subjects against it (typed for the tests' subjects). */
const check = <K extends Requirement['kind']>(requirement: Extract<Requirement, { kind: K }>) =>
  requirementKind(requirement.kind) as unknown as {
    notEvaluable?(ctx: EvaluationContext): string | undefined;
    check(subjects: readonly Subject[], requirement: Extract<Requirement, { kind: K }>, ctx: EvaluationContext): Violation<Subject>[];
  };

describe('location', () => {
  const req = { kind: 'location' } as const;
  it.each([
    ['secure-enclave/a.jpg', false],
    ['corp/a.jpg', true],
    ['secure-enclave/backup.zip!/a.jpg', false],
    ['corp/backup.zip!/secure-enclave/a.jpg', true],
    ['s3://enclave/a.jpg', false],
    ['s3://other/a.jpg', true],
  ])('%s violates: %s', (location, violates) => {
    const violations = check(req).check([subject(location)], req, context());
    expect(violations.length).toBe(violates ? 1 : 0);
    if (violates) {
      expect(violations[0]!.location).toBe(location);
      expect(violations[0]!.message).toBe('Agency data (vehicle-image) found outside the authorised locations');
      expect(violations[0]!.evidence['authorized']).toEqual(['secure-enclave/**', 's3://enclave/**']);
    }
  });

  it('names the archive that holds a member', () => {
    const [v] = check(req).check([subject('corp/b.zip!/x/a.jpg')], req, context());
    expect(v!.evidence['container']).toBe('corp/b.zip');
  });

  it("uses the requirement's own authorised globs when it has them", () => {
    const own = { kind: 'location' as const, authorized: ['corp/**'] };
    expect(
      check(own)
        .check([subject('corp/a.jpg'), subject('secure-enclave/a.jpg')], own, context())
        .map((v) => v.location),
    ).toEqual(['secure-enclave/a.jpg']);
  });
});

describe('permissions', () => {
  // mode | allowed group | allowed world | expected excess in the message (undefined: no violation)
  const table: [number, 'none' | 'read' | 'read-write', 'none' | 'read' | 'read-write', string | undefined][] = [
    [0o600, 'none', 'none', undefined],
    [0o640, 'none', 'none', 'group read'],
    [0o640, 'read', 'none', undefined],
    [0o660, 'read', 'none', 'group read-write'],
    [0o620, 'read', 'none', 'group write'],
    [0o604, 'read', 'none', 'world read'],
    [0o606, 'read', 'read', 'world read-write'],
    [0o602, 'read-write', 'read', 'world write'],
    [0o666, 'read-write', 'read-write', undefined],
    [0o777, 'none', 'none', 'group read-write, world read-write'],
    [0o4750, 'read', 'none', undefined],
  ];
  it.each(table)('mode %o with group %s, world %s', (mode, group, world, excess) => {
    const req = { kind: 'permissions', group, world } as const;
    const violations = check(req).check([subject('corp/a.jpg', { item: { mode } })], req, context());
    if (!excess) return expect(violations).toEqual([]);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.message).toContain(`: ${excess} (mode 0${(mode & 0o7777).toString(8)})`);
    expect(violations[0]!.evidence).toMatchObject({ allowed: { group, world } });
  });

  it("judges archive members by the archive file's mode, and says so", () => {
    const req = { kind: 'permissions', group: 'none', world: 'none' } as const;
    const member = { ...subject('corp/b.zip!/a.jpg'), accessMode: 0o644 };
    const [v] = check(req).check([member], req, context());
    expect(v!.message).toContain('(the archive holding it)');
  });

  it('skips subjects whose mode is unknown, and is not evaluable without filesystem inputs', () => {
    const req = { kind: 'permissions', group: 'none', world: 'none' } as const;
    expect(check(req).check([subject('s3://other/a.jpg')], req, context(['manifest']))).toEqual([]);
    expect(check(req).notEvaluable?.(context(['manifest']))).toMatch(/only known for files on a filesystem/);
    expect(check(req).notEvaluable?.(context(['filesystem', 'manifest']))).toBeUndefined();
  });
});

describe('retention', () => {
  const req = { kind: 'retention', maxAgeDays: 30 } as const;
  const run = (s: ReturnType<typeof subject>, ctx = context()) => check(req).check([s], req, ctx);

  it('prefers the capture date over the mtime, and says which date it used', () => {
    const copied = subject('corp/a.jpg', { item: { mtime: daysAgo(2) }, capturedAt: daysAgo(160) });
    const [v] = run(copied);
    expect(v!.evidence).toMatchObject({
      ageDays: 160,
      maxAgeDays: 30,
      dateSource: 'capture date (DateTimeOriginal)',
      measuredTo: 'audit time',
      date: daysAgo(160).toISOString(),
    });
    expect(v!.message).toBe('Agency data kept 160 days, past the 30-day retention period (dated by its capture date (DateTimeOriginal))');
    // and a recent capture date wins over an old mtime
    expect(run(subject('corp/a.jpg', { item: { mtime: daysAgo(400) }, capturedAt: daysAgo(3) }))).toEqual([]);
  });

  it('falls back to the modification time', () => {
    const [v] = run(subject('corp/a.jpg', { item: { mtime: daysAgo(45) } }));
    expect(v!.evidence).toMatchObject({ ageDays: 45, dateSource: 'modification time' });
  });

  it('is inclusive at the limit: 30 days is allowed, 31 is not', () => {
    expect(run(subject('a', { item: { mtime: daysAgo(30) } }))).toEqual([]);
    expect(run(subject('a', { item: { mtime: daysAgo(31) } }))).toHaveLength(1);
  });

  it("measures a manifest object to the manifest's as-of time, not the audit time", () => {
    const asOf = daysAgo(100);
    const [v] = run(subject('s3://other/a.jpg', { item: { mtime: daysAgo(150), asOf } }), context(['manifest']));
    expect(v!.evidence).toMatchObject({ ageDays: 50, dateSource: 'last-modified time in the manifest', measuredTo: `inventory as-of ${asOf.toISOString()}` });
    // 120 days old today, but only 20 when the inventory was taken: within retention then
    expect(run(subject('s3://other/b.jpg', { item: { mtime: daysAgo(120), asOf } }), context(['manifest']))).toEqual([]);
  });

  it('applies to authorised locations too, and skips items with no date', () => {
    expect(run(subject('secure-enclave/a.jpg', { item: { mtime: daysAgo(90) } }))).toHaveLength(1);
    expect(run(subject('corp/a.jpg'))).toEqual([]);
  });
});

describe('encryption', () => {
  const req = { kind: 'encryption' as const, accept: ['SSE-S3', 'SSE-KMS'] };
  it('flags statuses the policy does not accept, and ignores unknown status', () => {
    const subjects = [
      subject('s3://enclave/a', { item: { encryption: 'NOT-SSE' } }),
      subject('s3://enclave/b', { item: { encryption: 'SSE-KMS' } }),
      subject('s3://enclave/c'),
    ];
    const violations = check(req).check(subjects, req, context(['manifest']));
    expect(violations.map((v) => [v.location, v.evidence['encryption']])).toEqual([['s3://enclave/a', 'NOT-SSE']]);
  });
  it('is not evaluated on filesystem-only audits', () => {
    expect(check(req).notEvaluable?.(context(['filesystem']))).toMatch(/not knowable on a plain filesystem/);
    expect(check(req).notEvaluable?.(context(['filesystem', 'manifest']))).toBeUndefined();
  });
});

describe('no-archives', () => {
  const req = { kind: 'no-archives' } as const;
  it('flags members of archives outside authorised locations only', () => {
    const subjects = [
      subject('corp/b.zip!/a.jpg', { item: { archiveChain: ['corp/b.zip'] } }),
      subject('corp/b.zip!/in.tar!/a.jpg', { item: { archiveChain: ['corp/b.zip', 'corp/b.zip!/in.tar'] } }),
      subject('secure-enclave/b.zip!/a.jpg', { item: { archiveChain: ['secure-enclave/b.zip'] } }),
      subject('corp/a.jpg'),
    ];
    const violations = check(req).check(subjects, req, context());
    expect(violations.map((v) => v.location)).toEqual(['corp/b.zip!/a.jpg', 'corp/b.zip!/in.tar!/a.jpg']);
    expect(violations[1]!.evidence['archives']).toEqual(['corp/b.zip', 'corp/b.zip!/in.tar']);
    expect(violations[1]!.message).toContain('(corp/b.zip)');
  });
});

describe('max-copies', () => {
  const req = { kind: 'max-copies', max: 2 } as const;
  it('is one audit-wide finding when more than max items are outside authorised locations', () => {
    const subjects = [subject('corp/a'), subject('corp/b', { asset: 'traveler-image' }), subject('secure-enclave/c'), subject('secure-enclave/d')];
    expect(check(req).check(subjects, req, context())).toEqual([]);
    const [v, ...rest] = check(req).check([...subjects, subject('laptop/e')], req, context());
    expect(rest).toEqual([]);
    expect(v!.location).toBe('.');
    expect(v!.subject).toBeUndefined();
    expect(v!.evidence).toEqual({ count: 3, max: 2, byClass: { 'vehicle-image': 2, 'traveler-image': 1 }, distinctReferences: 1 });
  });
});

describe('public-access', () => {
  const req = { kind: 'public-access' } as const;
  it('flags objects with public grants; needs manifests', () => {
    const subjects = [subject('s3://enclave/a', { item: { publicGrants: ['AllUsers READ'] } }), subject('s3://enclave/b', { item: { publicGrants: [] } })];
    const violations = check(req).check(subjects, req, context(['manifest']));
    expect(violations.map((v) => [v.location, v.evidence['grants']])).toEqual([['s3://enclave/a', ['AllUsers READ']]]);
    expect(check(req).notEvaluable?.(context(['filesystem']))).toMatch(/only known from storage manifests/);
  });
});

describe('no-logs', () => {
  const req = { kind: 'no-logs' } as const;
  it('flags plate records found in free-text files, not in CSV or images', () => {
    const subjects = [
      subject('secure-enclave/gateway.log', { asset: 'plate-record', method: 'record', evidence: { format: 'text', records: 12 } }),
      subject('corp/reads.csv', { asset: 'plate-record', method: 'record', evidence: { format: 'csv', records: 60 } }),
      subject('corp/a.jpg'),
    ];
    const violations = check(req).check(subjects, req, context());
    expect(violations.map((v) => v.location)).toEqual(['secure-enclave/gateway.log']);
    expect(violations[0]!.message).toBe('Agency plate reads written to a log (12 distinct agency plates)');
  });
});

it('every requirement kind of the registry is one the policy schema admits, once', () => {
  const kinds = REQUIREMENT_KINDS.map((k) => k.kind);
  expect(new Set(kinds).size).toBe(kinds.length);
  for (const kind of kinds)
    expect(PolicyRequirement.safeParse({ kind, max: 1, maxAgeDays: 1 }).error?.issues.some((i) => i.code === 'invalid_union')).not.toBe(true);
  expect(PolicyRequirement.safeParse({ kind: 'no-such-kind' }).success).toBe(false);
  expect([...kinds].sort()).toEqual(['encryption', 'location', 'max-copies', 'no-archives', 'no-logs', 'permissions', 'public-access', 'retention']);
  expect(NOW.toISOString()).toBe('2026-11-01T12:00:00.000Z');
});
