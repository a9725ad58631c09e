import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/run.js';
import { auditWith, CustodyError, exitCodeFor, PolicyError, renderReport, UsageError } from '../../src/index.js';
import { referenceB, writeSmallCase } from '../support/small-case.js';
import { captureIo, tempDir } from '../support/tmp.js';

const NOW = '2026-11-20T12:00:00Z';
const withoutTiming = (text: string): string => text.replace(/"(startedAt|finishedAt)": "[^"]*"/g, '"$1": "-"');

/**
 * The library entry point does what `custody audit` does, from plain options: the same report, byte
 * for byte (timing aside), and nothing printed, no exit: failures are thrown.
 */
describe('auditWith', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-api-'));
    await writeSmallCase(dir, { 'share/desk/b.bin': { data: referenceB(), mode: 0o644 } });
    const io = captureIo(dir);
    const first = ['audit', 'share', '--fingerprints', 'agency.fp.json', '--authorized', 'enclave/**', '--include', 'desk/copy-of-a.bin', '--no-cache'];
    expect((await run([...first, '--now', NOW, '--format', 'json', '--output', 'baseline.json'], io)).exitCode, io.err()).toBe(1);
  });
  afterAll(async () => cleanup());
  afterEach(() => vi.restoreAllMocks());

  it('gives the CLI report for the same flags, baseline and --authorized included, and prints nothing', async () => {
    const io = captureIo(dir);
    const flags = ['--fingerprints', 'agency.fp.json', '--authorized', 'enclave/**', '--baseline', 'baseline.json', '--now', NOW, '--no-cache'];
    expect((await run(['audit', 'share', ...flags, '--format', 'json', '--output', 'cli.json'], io)).exitCode, io.err()).toBe(1);

    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const report = await auditWith({
      cwd: dir,
      roots: ['share'],
      fingerprints: ['agency.fp.json'],
      authorized: ['enclave/**'],
      baseline: 'baseline.json',
      now: new Date(NOW),
    });
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();

    expect(withoutTiming(renderReport('json', report))).toBe(withoutTiming(await readFile(path.join(dir, 'cli.json'), 'utf8')));
    expect(report.inputs).toEqual(['share']);
    expect(report.findings.map((f) => [f.location, f.baseline])).toContainEqual(['desk/copy-of-a.bin', 'unchanged']);
    expect(report.findings.some((f) => f.baseline === 'new')).toBe(true);
    expect(exitCodeFor(report, 'high')).toBe(1);
  });

  it('throws what the CLI would print, with its exit code', async () => {
    const missingPolicy = auditWith({ cwd: dir, roots: ['share'], policy: 'nope.yaml' });
    await expect(missingPolicy).rejects.toBeInstanceOf(PolicyError);
    await expect(missingPolicy).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('nope.yaml') });
    await expect(auditWith({ cwd: dir, roots: ['no-such-dir'], fingerprints: ['agency.fp.json'] })).rejects.toBeInstanceOf(UsageError);
    await expect(auditWith({ cwd: dir, fingerprints: ['agency.fp.json'] })).rejects.toBeInstanceOf(CustodyError);
  });
});
