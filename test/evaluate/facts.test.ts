import { describe, expect, it } from 'vitest';
import { subjectOf } from '../../src/audit/subject.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { EvaluationContext, Subject } from '../../src/evaluate/requirement.js';
import { locationMatcher } from '../../src/policy/locations.js';
import { type RequirementKind, requirementKind } from '../../src/policy/requirements/registry.js';
import type { PolicyDocument } from '../../src/policy/schema.js';
import type { Fact, Item, Knowledge, Origin } from '../../src/sources/item.js';
import { AUTHORIZED, daysAgo, NOW } from './subjects.js';

/**
 * Requirements ask an item's facts, never its origin. Each case runs a requirement on items of a
 * source that is not in the registry (say a git history: dates as commit times, no modes), under
 * every origin an item can have: the outcome must follow from the facts alone, so a requirement
 * that compares `origin` gives a different outcome for one of them and fails here.
 */
const ORIGINS: readonly Origin[] = ['filesystem', 'archive', 'manifest'];
const GIT_HISTORY: Knowledge = { knows: ['content', 'dates'], mtimeIs: 'commit time' };
const BUCKET_MOUNT: Knowledge = { knows: ['content', 'modes', 'encryption', 'public-access'], mtimeIs: 'modification time' };

function subjectFrom(origin: Origin, known: Knowledge, item: Partial<Item> = {}, extra: Partial<Subject> = {}): Subject {
  const full: Item = { location: 'corp/a.jpg', origin, size: 10, known, ...item };
  return {
    asset: { location: full.location, origin, asset: 'vehicle-image', method: 'exact', reference: 'r', size: 10, evidence: {} },
    item: full,
    facts: {},
    authorized: false,
    ...extra,
  };
}

function context(knows: readonly Fact[]): EvaluationContext {
  return { now: NOW, authorized: AUTHORIZED, isAuthorized: locationMatcher(AUTHORIZED), knows: new Set(knows), scope: '.' };
}

const check = (kind: RequirementKind) => requirementKind(kind);

/** The messages of one requirement's violations for the same facts under every origin. */
function underEveryOrigin(kind: RequirementKind, requirement: object, make: (origin: Origin) => Subject, knows: readonly Fact[]): string[][] {
  return ORIGINS.map((origin) =>
    check(kind)
      .check([make(origin)], requirement as never, context(knows))
      .map((v) => v.message),
  );
}

describe('requirements ask facts, not origins', () => {
  it('retention names the date as the source does (a commit time), whatever the origin', () => {
    const req = { kind: 'retention', maxAgeDays: 30 };
    const outcomes = underEveryOrigin('retention', req, (origin) => subjectFrom(origin, GIT_HISTORY, { mtime: daysAgo(40) }), GIT_HISTORY.knows);
    for (const messages of outcomes) expect(messages).toEqual(['Agency data kept 40 days, past the 30-day retention period (dated by its commit time)']);
  });

  it('permissions say "(the archive holding it)" only when the bits are an archive file\'s, whatever the origin', () => {
    const req = { kind: 'permissions', group: 'none', world: 'none' };
    const own = underEveryOrigin('permissions', req, (origin) => subjectFrom(origin, BUCKET_MOUNT, { mode: 0o604 }, { accessMode: 0o604 }), BUCKET_MOUNT.knows);
    for (const messages of own) expect(messages).toEqual(['Agency data is accessible beyond its owner: world read (mode 0604)']);
    const held = (origin: Origin) => subjectFrom(origin, BUCKET_MOUNT, {}, { accessMode: 0o604, accessFrom: 'corp/b.zip' });
    for (const messages of underEveryOrigin('permissions', req, held, BUCKET_MOUNT.knows)) expect(messages[0]).toContain('(the archive holding it)');
  });

  it("a requirement is evaluable exactly when the audit's sources know its fact", () => {
    expect(check('permissions').notEvaluable?.(context(GIT_HISTORY.knows))).toMatch(/only known for files on a filesystem/);
    expect(check('permissions').notEvaluable?.(context(BUCKET_MOUNT.knows))).toBeUndefined();
    expect(check('encryption').notEvaluable?.(context(GIT_HISTORY.knows))).toMatch(/not knowable/);
    expect(check('encryption').notEvaluable?.(context(BUCKET_MOUNT.knows))).toBeUndefined();
    expect(check('public-access').notEvaluable?.(context(GIT_HISTORY.knows))).toMatch(/only known from storage manifests/);
    expect(check('public-access').notEvaluable?.(context(BUCKET_MOUNT.knows))).toBeUndefined();
  });

  it('evaluates encryption and public access on items of any origin that carry them', () => {
    const policy = {
      protocols: [
        { id: 'ENC', clause: '1', title: 't', severity: 'high', require: { kind: 'encryption', accept: ['SSE-KMS'] } },
        { id: 'PUB', clause: '2', title: 't', severity: 'high', require: { kind: 'public-access' } },
      ],
    } as unknown as PolicyDocument;
    for (const origin of ORIGINS) {
      const exposed = subjectFrom(origin, BUCKET_MOUNT, { encryption: 'NOT-SSE', publicGrants: ['AllUsers READ'] });
      const { findings, notEvaluated } = evaluate(policy, [exposed], context(BUCKET_MOUNT.knows));
      expect(notEvaluated.size, origin).toBe(0);
      expect(findings.map((f) => f.ruleId).sort(), origin).toEqual(['ENC', 'PUB']);
    }
  });

  it("a subject takes its own permission bits when its source knows modes, an archive file's otherwise", () => {
    const inspection = (origin: Origin, known: Knowledge | undefined) => ({
      item: { location: 'x/a.jpg', origin, size: 10, mode: 0o640, archiveChain: ['x.zip'], ...(known ? { known } : {}) },
      identifications: [{ asset: 'vehicle-image', method: 'exact' as const, evidence: {} }],
      facts: {},
      coverage: [],
    });
    const authorised = () => false;
    for (const origin of ORIGINS) {
      expect(subjectOf(inspection(origin, BUCKET_MOUNT), authorised, undefined), origin).toMatchObject({ accessMode: 0o640 });
      expect(subjectOf(inspection(origin, GIT_HISTORY), authorised, undefined)?.accessMode, origin).toBeUndefined();
      const member = subjectOf(inspection(origin, undefined), authorised, 0o600);
      expect(member, origin).toMatchObject({ accessMode: 0o600, accessFrom: 'x.zip' });
    }
  });
});
