import { describe, expect, it } from 'vitest';
import type { EvaluationContext, RequirementSubject } from '../../src/policy/requirements/kind.js';
import { REQUIREMENT_KINDS } from '../../src/policy/requirements/registry.js';
import { evidencePairs, evidenceWords } from '../../src/report/evidence.js';
import { markdown } from '../../src/report/markdown.js';
import { pretty } from '../../src/report/pretty.js';
import { sampleReport } from '../support/sample-report.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const AUTHORIZED = ['secure-enclave/**', 's3://bpa-lpr-enclave/**'];

function subject(location: string, extra: Partial<RequirementSubject> = {}): RequirementSubject {
  return {
    asset: { location, asset: 'vehicle-image', method: 'exact', reference: 'lanes/cam07-0001.jpg', evidence: { format: 'text', records: 14 } },
    item: { mtime: new Date('2026-07-01T00:00:00Z') },
    facts: {},
    authorized: false,
    ...extra,
  };
}

const ctx: EvaluationContext = {
  now: NOW,
  authorized: AUTHORIZED,
  isAuthorized: () => false,
  knows: new Set(['modes', 'encryption', 'public-access']),
  scope: '.',
};

/** The words of the evidence the real requirement check produces for `subjects` (method evidence as the evaluator adds it). */
function wordsOf(kind: string, requirement: Record<string, unknown>, subjects: RequirementSubject[]): string[] {
  const def = REQUIREMENT_KINDS.find((k) => k.kind === kind)!;
  const violations = def.check(subjects, { kind, ...requirement } as never, ctx);
  expect(violations).toHaveLength(1);
  return evidenceWords({ requirement: kind, evidence: { method: 'exact', ...violations[0]!.evidence } });
}

describe('evidence in words, from the evidence each requirement kind really produces', () => {
  it('permissions: the mode, who has too much access, and what the contract allows', () => {
    expect(wordsOf('permissions', { group: 'read', world: 'none' }, [subject('corp/a.jpg', { accessMode: 0o644 })])).toEqual([
      'mode 0644: world can read; the contract allows group read, world none',
      'identified by an exact content match',
    ]);
    expect(wordsOf('permissions', { group: 'none', world: 'none' }, [subject('corp/a.jpg', { accessMode: 0o666 })])[0]).toBe(
      'mode 0666: group can read and write, world can read and write; the contract allows group none, world none',
    );
  });

  it('location, retention, encryption, archives, public access, logs and breach volume', () => {
    expect(wordsOf('location', {}, [subject('backups/x.zip!/a.jpg')])[0]).toBe(
      'held in backups/x.zip, which lies outside the authorised locations (secure-enclave/**, s3://bpa-lpr-enclave/**)',
    );
    expect(wordsOf('retention', { maxAgeDays: 30 }, [subject('corp/a.jpg')])[0]).toBe(
      'kept 142 days, dated 2026-07-01 by its modification time, measured to the audit time; the contract allows 30 days',
    );
    expect(wordsOf('encryption', { accept: ['SSE-S3', 'SSE-KMS', 'SSE-C'] }, [subject('s3://x/a.jpg', { item: { encryption: 'NOT-SSE' } })])[0]).toBe(
      'stored with encryption status NOT-SSE; the contract accepts SSE-S3, SSE-KMS or SSE-C',
    );
    expect(wordsOf('no-archives', {}, [subject('b/x.zip!/y.tar!/a.jpg', { item: { archiveChain: ['b/x.zip', 'b/x.zip!/y.tar'] } })])[0]).toBe(
      'packed inside nested archives: b/x.zip, within it b/x.zip!/y.tar',
    );
    expect(wordsOf('public-access', {}, [subject('s3://x/a.jpg', { item: { publicGrants: ['AllUsers:READ'] } })])[0]).toBe('readable by AllUsers:READ');
    const log = subject('logs/gw.log', {
      asset: { location: 'logs/gw.log', asset: 'plate-record', method: 'record', evidence: { format: 'text', records: 14 } },
    });
    expect(wordsOf('no-logs', {}, [log])[0]).toBe('14 distinct agency plates written to a free-text log (the plates themselves are never reported)');
    expect(wordsOf('max-copies', { max: 1 }, [subject('a/1.jpg'), subject('b/2.jpg')])[0]).toBe(
      '2 agency items outside the authorised locations (2 vehicle-image), copies of 1 distinct agency references; the contract allows at most 1',
    );
  });

  it('covers every requirement kind, and never falls back to key=value or JSON for them', () => {
    const covered = ['permissions', 'location', 'retention', 'encryption', 'no-archives', 'public-access', 'no-logs', 'max-copies'];
    expect(REQUIREMENT_KINDS.map((k) => k.kind).sort()).toEqual([...covered].sort());
  });

  it('words unknown keys and nested maps without JSON; the machine pairs stay as they were', () => {
    const finding = { requirement: 'future-kind', evidence: { allowed: { group: 'read', world: 'none' }, archiveChain: ['a.zip'] } };
    expect(evidenceWords(finding)).toEqual(['allowed: group read, world none', 'archive chain: a.zip']);
    expect(evidencePairs(finding.evidence)).toEqual(['allowed={"group":"read","world":"none"}', 'archiveChain=a.zip']);
  });

  it('pretty and Markdown show the same words, and no raw JSON evidence', () => {
    const report = sampleReport();
    const text = pretty(report, { color: false, showWaived: true });
    const md = markdown(report, { color: false, showWaived: true, maxFindings: 100 });
    expect(text).toContain('kept 87 days, dated 2026-03-02');
    expect(md).toContain('kept 87 days, dated 2026-03-02');
    expect(text).toContain('stored with encryption status NOT-SSE');
    expect(md).toContain('stored with encryption status NOT-SSE');
    for (const out of [text, md]) expect(out).not.toMatch(/\w=\{|\w=\[/);
  });
});
