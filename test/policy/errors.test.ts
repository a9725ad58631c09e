import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { digestOf } from '../../src/policy/load.js';
import { MAX_POLICY_BYTES } from '../../src/policy/read.js';
import { captureIo, REPO_ROOT, tempDir } from '../support/tmp.js';
import { HEADER, lines, PROTOCOL } from './support.js';

/**
 * Policy mistakes give exactly one line naming the file (and line:col where there is one) and exit 2,
 * from `custody policy check` and from `custody audit` alike: the line points at the real mistake,
 * not at what a parser recovered from it.
 */

const VALID = lines(...HEADER, ...PROTOCOL);

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await mkdir(path.join(dir, 'tree'));
});
afterAll(async () => cleanup());

/** Runs `policy check <policy>` and `audit tree --policy <policy>` in-process; both must agree. */
async function bothCommands(policy: string, stdin?: string | Buffer): Promise<{ exitCode: number; err: string; out: string }[]> {
  const results = [];
  for (const argv of [
    ['policy', 'check', policy],
    ['audit', 'tree', '--policy', policy, '--no-cache', '--allow-empty'],
  ]) {
    const io = captureIo(dir);
    const { exitCode } = await run(argv, stdin === undefined ? io : { ...io, stdin: Readable.from([Buffer.from(stdin)]) });
    results.push({ exitCode, err: io.err(), out: io.out() });
  }
  return results;
}

async function expectOneLine(policy: string, line: string, stdin?: string | Buffer): Promise<void> {
  for (const result of await bothCommands(policy, stdin)) {
    expect(result.err).toBe(`${line}\n`);
    expect(result.exitCode).toBe(2);
    expect(result.out).toBe('');
  }
}

describe('policy input errors: one line at the real mistake, exit 2', () => {
  const cases: { name: string; text: string | Buffer; line: string }[] = [
    {
      name: 'misspelt optional key (British spelling)',
      text: lines(...HEADER, 'locations:', '  authorised: ["enclave/**"]', ...PROTOCOL),
      line: 'policy.yaml:10:3 unknown key "authorised" in locations (did you mean "authorized"?)',
    },
    {
      // Without the suggestion this was two lines: the unknown key and the missing maxAgeDays.
      name: 'misspelt required key of one requirement kind',
      text: lines(...HEADER, ...PROTOCOL.slice(0, 6), '      kind: retention', '      maxAgeDay: 30'),
      line: 'policy.yaml:16:7 unknown key "maxAgeDay" in protocols.0.require (did you mean "maxAgeDays"?)',
    },
    {
      // Also "missing required key protocols" before: the same mistake, reported once now.
      name: 'misspelt required top-level key',
      text: lines(...HEADER, 'protocol:', ...PROTOCOL.slice(1)),
      line: 'policy.yaml:9:1 unknown key "protocol" (did you mean "protocols"?)',
    },
    {
      name: 'key in the wrong case',
      text: lines(...HEADER, ...PROTOCOL.slice(0, 4), '    Severity: high', ...PROTOCOL.slice(5)),
      line: 'policy.yaml:13:5 unknown key "Severity" in protocols.0 (did you mean "severity"?)',
    },
    {
      name: 'unknown key nothing resembles: no guess',
      text: lines(...HEADER, ...PROTOCOL, 'colour: blue'),
      line: 'policy.yaml:16:1 unknown key "colour"',
    },
    {
      name: 'a tab as indentation',
      text: lines(...HEADER, ...PROTOCOL.slice(0, 4), '\tseverity: high', ...PROTOCOL.slice(5)),
      line: 'policy.yaml:13:1 Tabs are not allowed as indentation',
    },
    {
      name: 'a line indented one space too few',
      text: lines(...HEADER, ...PROTOCOL.slice(0, 4), '   severity: high', ...PROTOCOL.slice(5)),
      line: 'policy.yaml:13:1 Sequence item without - indicator',
    },
    {
      name: 'a line indented deeper than its siblings',
      text: lines(...HEADER, ...PROTOCOL.slice(0, 4), '      severity: high', ...PROTOCOL.slice(5)),
      line: 'policy.yaml:13:7 bad indentation: this line is indented deeper than the key above it can hold',
    },
    {
      name: 'a Latin-1 byte in a marker value',
      text: Buffer.concat([
        Buffer.from([...HEADER, 'assets:', '  markers:', '    - field: Make', '      equals: C'].join('\n')),
        Buffer.from([0xe1]), // Latin-1 "á" (UTF-8 would be C3 A1)
        Buffer.from(lines('mara Norte', '      asset: vehicle-image', ...PROTOCOL)),
      ]),
      line: 'policy.yaml:12:16 invalid UTF-8 (byte 0xe1): save the policy as UTF-8',
    },
  ];

  it.each(cases)('$name', async ({ text, line }) => {
    await writeFile(path.join(dir, 'policy.yaml'), text);
    await expectOneLine('policy.yaml', line);
  });

  it('places an invalid byte after valid multi-byte characters at its character column', async () => {
    const text = Buffer.concat([Buffer.from(lines(...HEADER.slice(0, 3), '  title: Cámara ')).subarray(0, -1), Buffer.from([0xe9, 0x0a])]);
    await writeFile(path.join(dir, 'policy.yaml'), Buffer.concat([text, Buffer.from(lines(...HEADER.slice(4), ...PROTOCOL))]));
    await expectOneLine('policy.yaml', 'policy.yaml:4:17 invalid UTF-8 (byte 0xe9): save the policy as UTF-8');
  });

  it('refuses a directory, /dev/zero and a FIFO at once, without reading them', async () => {
    await expectOneLine('tree', 'tree cannot read policy: not a regular file (a directory); to pipe a policy, use --policy -');
    await expectOneLine('/dev/zero', '/dev/zero cannot read policy: not a regular file (a character device); to pipe a policy, use --policy -');
    execFileSync('mkfifo', [path.join(dir, 'policy.fifo')]);
    // No writer ever opens the FIFO: a blocking open or read would hang here until the test times out.
    await expectOneLine('policy.fifo', 'policy.fifo cannot read policy: not a regular file (a FIFO); to pipe a policy, use --policy -');
  });

  it(`refuses a policy over ${MAX_POLICY_BYTES} bytes, from a file or stdin`, async () => {
    const big = `${VALID}${'#'.repeat(MAX_POLICY_BYTES)}\n`;
    await writeFile(path.join(dir, 'big.yaml'), big);
    await expectOneLine('big.yaml', 'big.yaml cannot read policy: larger than 1 MiB');
    await expectOneLine('-', '<stdin> cannot read policy: larger than 1 MiB', big);
    // Exactly at the cap is still read.
    await writeFile(path.join(dir, 'at-cap.yaml'), `${VALID}${'#'.repeat(MAX_POLICY_BYTES - VALID.length - 1)}\n`);
    const [check] = await bothCommands('at-cap.yaml');
    expect(check).toEqual({ exitCode: 0, err: '', out: 'at-cap.yaml: ok (contract C-1, 1 clauses, 1 protocols, 0 waivers)\n' });
  });
});

describe('--policy - reads the policy from standard input', () => {
  it('accepts a valid policy as <stdin>', async () => {
    const [check, audit] = await bothCommands('-', VALID);
    expect(check).toEqual({ exitCode: 0, err: '', out: '<stdin>: ok (contract C-1, 1 clauses, 1 protocols, 0 waivers)\n' });
    expect(audit!.err).toBe('');
    expect(audit!.exitCode).toBe(0);
  });

  it('names <stdin> at the mistake', async () => {
    await expectOneLine(
      '-',
      '<stdin>:10:3 unknown key "authorised" in locations (did you mean "authorized"?)',
      lines(...HEADER, 'locations:', '  authorised: []', ...PROTOCOL),
    );
  });

  it('says so when there is no standard input, and refuses reading it twice', async () => {
    await expectOneLine('-', '<stdin> cannot read policy: there is no standard input');
    const io = captureIo(dir);
    const { exitCode } = await run(['policy', 'check', '-', '-'], { ...io, stdin: Readable.from([VALID]) });
    expect({ exitCode, err: io.err() }).toEqual({ exitCode: 2, err: 'custody: standard input (-) can be checked only once\n' });
  });

  it('works through the real binary with piped stdin', async () => {
    const bin = path.join(REPO_ROOT, 'bin', 'custody.js');
    expect(existsSync(bin)).toBe(true);
    const ok = await execa('node', [bin, 'audit', 'tree', '--policy', '-', '--no-cache', '--allow-empty', '--format', 'json'], {
      cwd: dir,
      input: VALID,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    // The report identifies the piped policy by its bytes, as it would a file.
    expect((JSON.parse(ok.stdout) as { policy: { id: string; digest: string } }).policy).toMatchObject({ id: 'C-1', digest: digestOf(VALID) });
    const bad = await execa('node', [bin, 'policy', 'check', '-'], { cwd: dir, input: lines(...HEADER, '\tprotocols: []'), reject: false });
    expect({ exitCode: bad.exitCode, stderr: bad.stderr }).toEqual({ exitCode: 2, stderr: '<stdin>:9:1 Tabs are not allowed as indentation' });
  });
});
