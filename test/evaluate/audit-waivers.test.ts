import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/audit.js';
import { createFingerprints } from '../../src/fingerprint/create.js';
import { parsePolicy } from '../../src/policy/load.js';
import { FingerprintIndex } from '../../src/references/index-set.js';
import { loadedSet } from '../../src/references/load.js';
import type { Report } from '../../src/report/model.js';
import { exitCodeFor } from '../../src/report/verdict.js';
import { bytesOf, tempDir, writeTree } from '../support/tmp.js';

/** Waivers through a whole audit: an active one silences its findings, an expired one stops applying and is reported. */
describe('runAudit with waivers', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let report: Report;
  const now = new Date('2026-11-01T00:00:00Z');

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const ref = bytesOf('waived reference', 3000);
    await writeTree(dir, {
      'refs/a.jpg': ref,
      'share/secure-enclave/qa/a.jpg': { data: ref, mode: 0o644 },
      'share/secure-enclave/old/a.jpg': { data: ref, mode: 0o644 },
      'share/secure-enclave/ok/a.jpg': { data: ref, mode: 0o600 },
    });
    const { file } = await createFingerprints({ roots: ['refs'], cwd: dir, classes: [{ glob: '**', assetClass: 'vehicle-image' }] });
    const policy = parsePolicy(
      [
        'version: 1',
        'contract:',
        '  id: C',
        '  title: T',
        '  agency: A',
        '  clauses:',
        '    - { id: H.1, title: Where }',
        '    - { id: H.2, title: Access }',
        '    - { id: H.3, title: Encryption }',
        'locations: { authorized: ["secure-enclave/**"] }',
        'protocols:',
        '  - { id: LOC, clause: H.1, title: Location, severity: critical, require: { kind: location } }',
        '  - { id: PERM, clause: H.2, title: Access, severity: high, require: { kind: permissions } }',
        '  - { id: ENC, clause: H.3, title: Encryption, severity: high, require: { kind: encryption } }',
        'waivers:',
        '  - { id: W-ACTIVE, protocol: PERM, location: "secure-enclave/qa/**", reason: QA, approver: CO, expires: 2027-01-31 }',
        '  - { id: W-EXPIRED, protocol: PERM, location: "secure-enclave/old/**", reason: Old, approver: CO, expires: 2026-10-31 }',
        '',
      ].join('\n'),
      path.join(dir, 'policy.yaml'),
    );
    report = await runAudit({
      inputs: [{ source: 'filesystem', roots: [path.join(dir, 'share')] }],
      policy,
      fingerprints: new FingerprintIndex([loadedSet('fp.json', file)]),
      now,
    });
  });
  afterAll(async () => cleanup());

  it('waives the finding an active waiver covers and keeps the one an expired waiver no longer covers', () => {
    expect(report.findings.map((f) => [f.ruleId, f.location, f.waiver?.id ?? null])).toEqual([
      ['PERM', 'secure-enclave/old/a.jpg', null],
      ['PERM', 'secure-enclave/qa/a.jpg', 'W-ACTIVE'],
    ]);
    expect(report.expiredWaivers).toEqual([
      { id: 'W-EXPIRED', protocol: 'PERM', location: 'secure-enclave/old/**', expires: '2026-10-31', approver: 'CO', wouldCover: 1 },
    ]);
    expect(report.summary.waived).toBe(1);
    expect(report.summary.findingsBySeverity).toEqual({ critical: 0, high: 1, medium: 0, low: 0 });
  });

  it('gives each clause its verdict, with the reason a protocol could not run', () => {
    expect(report.clauses.map((c) => [c.id, c.verdict])).toEqual([
      ['H.1', 'passed'],
      ['H.2', 'violated'],
      ['H.3', 'not-evaluated'],
    ]);
    expect(report.clauses[2]!.reason).toMatch(/plain filesystem/);
    expect(report.protocols.find((p) => p.id === 'ENC')!.notEvaluated).toMatch(/plain filesystem/);
  });

  it("fails on the unwaived finding only: with the expired waiver's finding waived too, it would pass", () => {
    expect(exitCodeFor(report, 'high')).toBe(1);
    const allWaived = {
      ...report,
      findings: report.findings.map((f) => ({ ...f, waiver: f.waiver ?? { id: 'X', reason: 'r', approver: 'a', expires: '2030-01-01' } })),
    };
    expect(exitCodeFor(allWaived, 'high')).toBe(0);
  });
});
