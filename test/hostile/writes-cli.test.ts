import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sarifValidator } from '../report/sarif-validator.js';
import { bytesOf, REPO_ROOT, tempDir, writeTree } from '../support/tmp.js';

const BIN = path.join(REPO_ROOT, 'bin', 'custody.js');

/** Issue #14 item 2, end to end through the real binary: exit codes and output of CLI mistakes. */
describe('CLI input mistakes (spawned)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const custody = (args: string[]) => execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
  const AUDIT = ['audit', 'share', '--fingerprints', 'agency.fp.json', '--authorized', 'secure-enclave/**', '--no-cache'];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const ref = bytesOf('spawned reference', 2048);
    await writeTree(dir, { 'refs/a.jpg': ref, 'share/elsewhere/copy.bin': { data: ref, mode: 0o600 } });
    expect((await custody(['fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual'])).exitCode).toBe(0);
  });
  afterAll(async () => cleanup());

  it('custody with no arguments prints help to stderr and exits 2', async () => {
    const result = await custody([]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: custody \[options\] \[command\]/);
    expect(result.stderr).toMatch(/Exit codes:/);
  });

  it('--help still prints to stdout and exits 0', async () => {
    const result = await custody(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: custody/);
  });

  it.each([
    ['HIGH', 1],
    ['Critical', 1],
    ['NONE', 0],
    ['low', 1],
  ])('--fail-on %s is case-insensitive (exit %i)', async (level, code) => {
    const result = await custody([...AUDIT, '--fail-on', level, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(code);
  });

  it('--fail-on with an unknown level is a usage error naming the choices', async () => {
    const result = await custody([...AUDIT, '--fail-on', 'severe']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: option '--fail-on <severity>' argument 'severe' is invalid\. Allowed choices are critical, high, medium, low, none/);
  });

  it.each([
    ['r.sarif', (text: string) => expect(sarifValidator()(JSON.parse(text))).toEqual([])],
    ['r.json', (text: string) => expect(JSON.parse(text)).toMatchObject({ format: 'custody-report' })],
    ['r.xml', (text: string) => expect(text).toMatch(/^<\?xml[\s\S]*<testsuites/)],
    ['r.csv', (text: string) => expect(text).toMatch(/^severity,level,ruleId,/)],
    ['r.md', (text: string) => expect(text).toMatch(/^#+ .*\n[\s\S]*\n\| --- \|/)],
    ['r.html', (text: string) => expect(text).toMatch(/^<!doctype html>/i)],
    ['r.TXT', (text: string) => expect(text).toMatch(/^(?![{<#|]).*[\s\S]*DEFAULT-LOC/)],
  ])('--output %s without --format takes the format from the extension', async (file, check) => {
    const result = await custody([...AUDIT, '--output', file]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(1);
    check(await readFile(path.join(dir, file), 'utf8'));
  });

  it('--output with an unknown extension and no --format is refused, writing nothing', async () => {
    const result = await custody([...AUDIT, '--output', 'report.out']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^custody: cannot tell the report format of --output report\.out from its extension: add --format <name> before it/);
    expect(existsSync(path.join(dir, 'report.out'))).toBe(false);
  });

  it('--output - writes to stdout, in the paired format, beside a file output', async () => {
    const result = await custody([...AUDIT, '--format', 'json', '--output', '-', '--output', 'both.sarif']);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ format: 'custody-report' });
    expect(existsSync(path.join(dir, '-'))).toBe(false);
    expect(JSON.parse(await readFile(path.join(dir, 'both.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
  });

  it('an explicit --format wins over the extension', async () => {
    const result = await custody([...AUDIT, '--format', 'json', '--output', 'forced.sarif']);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(await readFile(path.join(dir, 'forced.sarif'), 'utf8'))).toMatchObject({ format: 'custody-report' });
  });
});
