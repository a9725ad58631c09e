import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { bytesOf, captureIo, overlongTree, tempDir, writeTree } from '../support/tmp.js';

/**
 * The CLI in-process, table-driven (cspell app.test.ts style): args | exit code | what the output says.
 * Workspace (the io cwd):
 *   refs/            agency reference data, fingerprinted once into agency.fp.json
 *   clean/           unrelated files only
 *   enclave-only/    an exact copy inside the authorised enclave, mode 0600
 *   loose-mode/      an exact copy inside the enclave, mode 0644 (high: permissions only)
 *   leak/            an exact copy, renamed, outside the enclave (critical: location)
 *   incomplete/      unrelated files plus a directory nobody can read (a path past PATH_MAX, so
 *                    this holds as root too, where chmod 000 would not stop the walk)
 *   incomplete-leak/ the same, plus a leaked copy
 */
describe('custody exit codes (in-process)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const undo: (() => Promise<void>)[] = [];
  const REF = bytesOf('agency lane capture', 5000);

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeTree(dir, {
      'refs/lanes/cap-0001.jpg': REF,
      'refs/lanes/cap-0002.jpg': bytesOf('another capture', 6000),
      'clean/notes.txt': 'nothing to see',
      'clean/other.jpg': bytesOf('other', 5000),
      'enclave-only/secure-enclave/cap.jpg': { data: REF, mode: 0o600 },
      'loose-mode/secure-enclave/cap.jpg': { data: REF, mode: 0o644 },
      'leak/corp/frame_0042.dat': { data: REF, mode: 0o600 },
      'incomplete/notes.txt': 'x',
      'incomplete-leak/corp/copy.bin': { data: REF, mode: 0o600 },
      'bad-policy.yaml': 'version: 2\ncontract: {}\n',
      'broken.fp.json': '{"format": "custody-fingerprints"',
    });
    undo.push((await overlongTree(path.join(dir, 'incomplete'), 'deep')).undo, (await overlongTree(path.join(dir, 'incomplete-leak'), 'deep')).undo);
    const io = captureIo(dir);
    const { exitCode } = await run(['fingerprint', 'refs', '--out', 'agency.fp.json', '--no-perceptual', '--class', 'lanes/**=vehicle-image'], io);
    expect(io.err()).toMatch(/2 references/);
    expect(exitCode).toBe(0);
  });
  afterAll(async () => {
    for (const step of undo) await step();
    await cleanup();
  });

  const FP = ['--fingerprints', 'agency.fp.json', '--authorized', 'secure-enclave/**'];
  // args | exit code | stdout pattern | stderr pattern
  const table: [string, string[], number, RegExp | undefined, RegExp | undefined][] = [
    ['clean tree', ['audit', 'clean', ...FP], 0, /custody/i, /^$/],
    ['copy in the enclave with owner-only mode', ['audit', 'enclave-only', ...FP], 0, undefined, /^$/],
    ['copy outside the enclave', ['audit', 'leak', ...FP], 1, /DEFAULT-LOC/, /^$/],
    ['copy outside the enclave, --fail-on none', ['audit', 'leak', ...FP, '--fail-on', 'none'], 0, /DEFAULT-LOC/, undefined],
    ['copy outside the enclave, --fail-on critical', ['audit', 'leak', ...FP, '--fail-on', 'critical'], 1, undefined, undefined],
    ['high finding only, default --fail-on high', ['audit', 'loose-mode', ...FP], 1, /DEFAULT-PERM/, undefined],
    ['high finding only, --fail-on critical', ['audit', 'loose-mode', ...FP, '--fail-on', 'critical'], 0, /DEFAULT-PERM/, undefined],
    ['high finding only, --fail-on low', ['audit', 'loose-mode', ...FP, '--fail-on', 'low'], 1, undefined, undefined],
    ['incomplete scan, no violation', ['audit', 'incomplete', ...FP], 3, /unreadable-directory|ENAMETOOLONG/, undefined],
    ['incomplete scan and a violation: the violation outranks it', ['audit', 'incomplete-leak', ...FP], 1, undefined, undefined],
    ['incomplete scan, --fail-on none', ['audit', 'incomplete-leak', ...FP, '--fail-on', 'none'], 3, undefined, undefined],
    ['no directory', ['audit', ...FP], 2, /^$/, /nothing to audit/],
    ['no policy and no fingerprints', ['audit', 'clean'], 2, /^$/, /give --policy/],
    ['unknown format', ['audit', 'clean', ...FP, '--format', 'docx'], 2, /^$/, /unknown --format "docx"/],
    ['unknown --fail-on', ['audit', 'clean', ...FP, '--fail-on', 'severe'], 2, /^$/, /severe/],
    ['unknown option', ['audit', 'clean', ...FP, '--frobnicate'], 2, /^$/, /frobnicate/],
    ['bad --now', ['audit', 'clean', ...FP, '--now', 'yesterday'], 2, /^$/, /--now takes an ISO 8601 date/],
    ['bad policy', ['audit', 'clean', '--policy', 'bad-policy.yaml'], 2, /^$/, /bad-policy\.yaml:\d+:\d+ /],
    ['missing policy', ['audit', 'clean', '--policy', 'absent.yaml'], 2, /^$/, /absent\.yaml cannot read policy: ENOENT/],
    ['bad fingerprint file', ['audit', 'clean', '--fingerprints', 'broken.fp.json'], 2, /^$/, /broken\.fp\.json: not valid JSON/],
    [
      '--output inside the audited tree',
      ['audit', 'clean', ...FP, '--format', 'json', '--output', 'clean/report.json'],
      2,
      /^$/,
      /refusing to write clean\/report\.json inside the audited tree/,
    ],
    ['unknown command', ['inspect', 'clean'], 2, /^$/, /inspect/],
  ];

  // Named with the exit code expected (printf-style names took the arguments array for it: "exit NaN").
  for (const [name, args, code, stdout, stderr] of table) {
    it(`${name} -> exit ${code}`, async () => {
      const io = captureIo(dir);
      const { exitCode } = await run(args, io);
      if (stdout) expect(io.out()).toMatch(stdout);
      if (stderr) expect(io.err()).toMatch(stderr);
      // usage errors are one line each, never a stack trace
      expect(io.err()).not.toMatch(/\n\s+at .*\(/);
      expect(exitCode).toBe(code);
    });
  }

  it('still exits 1 when the report goes to a file, and writes valid JSON there', async () => {
    const io = captureIo(dir);
    const { exitCode } = await run(['audit', 'leak', ...FP, '--format', 'json', '--output', 'leak-report.json'], io);
    expect(exitCode).toBe(1);
    expect(io.out()).toBe('');
    const report = JSON.parse(await readFile(path.join(dir, 'leak-report.json'), 'utf8')) as {
      findings: { ruleId: string; location: string }[];
      inputs: string[];
    };
    expect(report.findings.map((f) => [f.ruleId, f.location])).toEqual([['DEFAULT-LOC', 'corp/frame_0042.dat']]);
    expect(report.inputs).toEqual(['leak']);
  });

  it('prints help and the version with exit 0, and lists the exit codes in help', async () => {
    const help = captureIo(dir);
    expect((await run(['--help'], help)).exitCode).toBe(0);
    expect(help.out()).toMatch(/Exit codes:[\s\S]*3 {2}scan incomplete/);
    const version = captureIo(dir);
    expect((await run(['--version'], version)).exitCode).toBe(0);
    expect(version.out()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('does not write into the audited tree or change it', async () => {
    const before = await readFile(path.join(dir, 'leak/corp/frame_0042.dat'));
    await run(['audit', 'leak', ...FP, '--format', 'json'], captureIo(dir));
    expect(await readFile(path.join(dir, 'leak/corp/frame_0042.dat'))).toEqual(before);
  });

  it('fingerprint exits 2 on a bad --class rule', async () => {
    const io = captureIo(dir);
    expect((await run(['fingerprint', 'refs', '--out', 'x.json', '--no-perceptual', '--class', 'noequals'], io)).exitCode).toBe(2);
    expect(io.err()).toMatch(/--class takes glob=class/);
  });
});
