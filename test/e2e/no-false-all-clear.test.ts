import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');
const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OTHER_KEY = 'ffffffffffffffffffffffffffffffff00000000000000000000000000000000';
const PLATES = ['QRT4821', 'KLM3307', 'BXV9914', 'HJN2046', 'ZTE5583'];
const FORMATS = ['json', 'sarif', 'junit', 'csv', 'markdown', 'html'] as const;

/**
 * An audit that could not check something never reads as clean, through the spawned CLI: a missing
 * or wrong plate key, and an audit that met nothing, are incomplete (exit 3) with the reason first on
 * the verdict line, in the JSON fields and in every format; the explicit opt-outs say what they did.
 */
describe('no false all-clear (spawned CLI)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  const custody = (args: string[], env: Record<string, string> = {}) =>
    execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1', CUSTODY_PLATE_KEY: '', ...env } });

  /** Audits the share with a JSON report beside the pretty one; returns exit code, first line and the report. */
  const audit = async (args: string[], env: Record<string, string> = {}) => {
    const result = await custody(
      [
        'audit',
        ...args,
        '--fingerprints',
        'agency.fp.json',
        '--authorized',
        'enclave/**',
        '--no-cache',
        '--format',
        'json',
        '--output',
        'report.json',
        '--format',
        'pretty',
      ],
      env,
    );
    const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as Report;
    return { exitCode: result.exitCode, firstLine: result.stdout.split('\n')[0] ?? '', stdout: result.stdout, report };
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-all-clear-'));
    const reads = ['plate,lane,time', ...PLATES.map((p, i) => `${p},3,2026-11-0${i + 1}T10:00:00Z`)].join('\n');
    await writeTree(dir, {
      'agency/reads.csv': `${reads}\n`,
      'plate.key': KEY,
      'other.key': OTHER_KEY,
      // 29 reads of agency plates in a contractor's application log, outside the enclave.
      'share/app/lpr.log': `${Array.from(
        { length: 29 },
        (_, i) => `2026-11-20T10:${String(i).padStart(2, '0')}:00Z lane=3 read plate=${PLATES[i % PLATES.length]} conf=0.97`,
      ).join('\n')}\n`,
      'share/notes.txt': 'nothing to see here\n',
      'empty/.keep-out': '',
    });
    const fingerprint = await custody(['fingerprint', 'agency', '--out', 'agency.fp.json', '--plate-key-file', 'plate.key']);
    expect(fingerprint.exitCode, fingerprint.stderr).toBe(0);
    // The shipped example policy, pointed at this case's fingerprints (a clean clone has no generated example).
    const policy = await readFile(path.join(REPO_ROOT, 'policies', 'border-lane-cameras.yaml'), 'utf8');
    await writeFile(path.join(dir, 'policy.yaml'), policy.replace('../fixtures/example/generated/agency.fp.json', 'agency.fp.json'));
  });
  afterAll(() => cleanup());

  it('with the right key finds the plate reads (the case the other tests must not pass silently)', async () => {
    const { exitCode, report } = await audit(['share', '--plate-key-file', 'plate.key']);
    expect(exitCode).toBe(1);
    expect(report.summary.plates).toEqual({ status: 'checked' });
    expect(report.assets.map((a) => a.asset)).toContain('plate-record');
    expect(report.summary.incomplete).toBe(false);
  });

  it('without a plate key is incomplete: exit 3, the reason first on the verdict line, plate clauses not evaluated', async () => {
    const { exitCode, firstLine, report } = await audit(['share']);
    expect(exitCode).toBe(3);
    expect(firstLine).toMatch(/^INCOMPLETE {2}plate records NOT checked: no plate key/);
    expect(report.summary.plates.status).toBe('not-checked');
    expect(report.summary.incomplete).toBe(true);
    expect(report.summary.incompleteReasons[0]).toMatch(/^plate records NOT checked: no plate key/);
    expect(report.clauses.some((c) => c.verdict === 'passed')).toBe(false);
    expect(report.clauses.find((c) => c.id === 'location')!.verdict).toBe('passed-on-inspected');
  });

  it('with a key that does not match the set is incomplete the same way, naming both key ids', async () => {
    const { exitCode, firstLine, report } = await audit(['share', '--plate-key-file', 'other.key']);
    expect(exitCode).toBe(3);
    expect(firstLine).toMatch(
      /^INCOMPLETE {2}plate records NOT checked: the plate key does not match the fingerprint set \(key hmac-sha256:\w+, set hmac-sha256:\w+\)/,
    );
    expect(report.summary.plates.status).toBe('not-checked');
  });

  it('with a key that matches only some plate sets: their violations stand, the other sets make it incomplete', async () => {
    const other = await custody(['fingerprint', 'agency', '--out', 'other.fp.json', '--plate-key-file', 'other.key']);
    expect(other.exitCode, other.stderr).toBe(0);
    const result = await custody([
      'audit',
      'share',
      '--policy',
      'policy.yaml',
      '--fingerprints',
      'other.fp.json',
      '--plate-key-file',
      'plate.key',
      '--no-cache',
      '--format',
      'json',
    ]);
    const report = JSON.parse(result.stdout) as Report;
    expect(result.exitCode).toBe(1);
    expect(report.findings.some((f) => f.ruleId === 'CUST-LOG-01')).toBe(true);
    expect(report.summary.plates.status).toBe('not-checked');
    expect(report.summary.incompleteReasons[0]).toMatch(
      /^plate records NOT checked: plates digested under key hmac-sha256:\w+ cannot be checked with key hmac-sha256:\w+$/,
    );
  });

  it('marks a plate-only protocol not-evaluated with the reason (the example policy: plate reads never in logs)', async () => {
    const result = await custody(['audit', 'share', '--policy', 'policy.yaml', '--no-cache', '--format', 'json', '--fail-on', 'none']);
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(result.stdout) as Report;
    const logs = report.clauses.find((c) => c.id === 'H.7.8')!;
    expect(logs.verdict).toBe('not-evaluated');
    expect(logs.reason).toMatch(/^plate records NOT checked: no plate key/);
    expect(report.protocols.find((p) => p.id === 'CUST-LOG-01')!.notEvaluated).toMatch(/plate records NOT checked/);
  });

  it('says so in every report format', async () => {
    for (const format of FORMATS) {
      const result = await custody(['audit', 'share', '--fingerprints', 'agency.fp.json', '--authorized', 'enclave/**', '--no-cache', '--format', format]);
      expect(result.exitCode, format).toBe(3);
      expect(result.stdout, format).toContain('plate records NOT checked: no plate key');
      const plainPass =
        format === 'markdown' ? /✅ passed\b(?! on)/ : format === 'html' ? /class="passed"/ : format === 'csv' ? /: passed(?! on)/ : /"verdict": "passed"/;
      if (format !== 'junit') expect(result.stdout, format).not.toMatch(plainPass);
    }
    const junit = await custody(['audit', 'share', '--fingerprints', 'agency.fp.json', '--authorized', 'enclave/**', '--no-cache', '--format', 'junit']);
    expect(junit.stdout).toMatch(/<error message="scan incomplete: plate records NOT checked: no plate key/);
    expect(junit.stdout).toMatch(/<testsuites [^>]*errors="1"/);
  });

  it('with --no-plates states the opt-out and is not incomplete on that account', async () => {
    const { exitCode, firstLine, report } = await audit(['share', '--no-plates']);
    expect(exitCode).toBe(0);
    expect(firstLine).toBe('PASSED  no violations found; plate records not checked, by request (--no-plates)');
    expect(report.summary.plates).toEqual({ status: 'opted-out', reason: 'by request (--no-plates)' });
    expect(report.summary.incompleteReasons).toEqual([]);
  });

  it('an audit that meets nothing is not a pass: exit 3, "nothing audited", unless --allow-empty', async () => {
    const empty = await audit(['empty', '--include', '*.jpg', '--plate-key-file', 'plate.key']);
    expect(empty.exitCode).toBe(3);
    expect(empty.firstLine).toMatch(/^INCOMPLETE {2}nothing audited: /);
    expect(empty.report.summary.filesSeen).toBe(0);
    expect(empty.report.summary.incompleteReasons).toEqual(['nothing audited: the inputs held no file or object; --allow-empty if that is expected']);

    const allowed = await audit(['empty', '--include', '*.jpg', '--plate-key-file', 'plate.key', '--allow-empty']);
    expect(allowed.exitCode).toBe(0);
    expect(allowed.firstLine).toBe('PASSED  no violations found');
    expect(allowed.report.summary.incomplete).toBe(false);
  });
});
