import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { loadPolicy, parsePolicy } from '../../src/policy/load.js';
import { PolicyError, type Problem } from '../../src/util/errors.js';
import { captureIo, REPO_ROOT, tempDir } from '../support/tmp.js';
import { HEADER, lines, PROTOCOL } from './support.js';

const SHIPPED = path.join(REPO_ROOT, 'policies', 'border-lane-cameras.yaml');

/** The problems parsePolicy throws, or fails the test when it does not throw. */
function problemsOf(text: string): readonly Problem[] {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('expected a PolicyError');
}

describe('loadPolicy', () => {
  it('loads the shipped example policy without errors or warnings', async () => {
    const policy = await loadPolicy(SHIPPED);
    expect(policy.builtin).toBe(false);
    expect(policy.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(policy.doc.protocols.map((p) => p.require.kind).sort()).toEqual(
      ['encryption', 'location', 'max-copies', 'no-archives', 'no-logs', 'permissions', 'public-access', 'retention'].sort(),
    );
    expect(policy.warnings).toEqual([]);
    expect(policy.baseDir).toBe(path.dirname(SHIPPED));
  });

  it('reports a missing file as one problem naming it', async () => {
    await expect(loadPolicy('/nonexistent/policy.yaml')).rejects.toThrow(/^\/nonexistent\/policy\.yaml cannot read policy: ENOENT$/);
  });

  it('reports a typo, a wrong type and a bad date: exactly three file:line:col problems', () => {
    const text = lines(
      ...HEADER,
      'protocols:', // 9
      '  - id: P-1',
      '    clause: H.1',
      '    title: Retention',
      '    severity: high',
      '    remediaton: Delete it', // 14: typo'd key at col 5
      '    require:',
      '      kind: retention',
      '      maxAgeDays: thirty', // 17: wrong type, value at col 19
      'waivers:',
      '  - id: W-1',
      '    protocol: P-1',
      '    location: a/**',
      '    reason: r',
      '    approver: CO',
      '    expires: 2026-02-30', // 24: no such day, value at col 14
    );
    const problems = problemsOf(text);
    expect(problems.map(({ line, col }) => [line, col])).toEqual([
      [14, 5],
      [17, 19],
      [24, 14],
    ]);
    expect(problems[0]!.message).toMatch(/unknown key "remediaton"/);
    expect(problems[1]!.message).toMatch(/maxAgeDays/);
    expect(problems[2]!.message).toMatch(/real calendar date/);
    expect(problems.every((p) => p.file === 'policy.yaml')).toBe(true);
  });

  // Table: one mistake per case, where it must be reported, and what the message must say.
  const cases: { name: string; text: string; at: [number, number] | undefined; message: RegExp }[] = [
    {
      name: 'YAML syntax error (unclosed flow sequence)',
      text: lines(...HEADER, 'protocols: [', ''),
      at: undefined,
      message: /./,
    },
    {
      name: 'duplicate key in a mapping',
      text: lines(...HEADER, '  title: again', ...PROTOCOL),
      at: [9, 3],
      message: /unique|duplicate/i,
    },
    {
      name: 'unknown requirement kind',
      text: lines(...HEADER, ...PROTOCOL.slice(0, -1), '      kind: teleport'),
      at: [15, 13],
      message: /kind/,
    },
    {
      name: 'duplicate protocol ids',
      text: lines(...HEADER, ...PROTOCOL, ...PROTOCOL.slice(1)),
      at: [16, 9],
      message: /duplicate protocol id "P-1"/,
    },
    {
      name: 'protocol citing an unknown clause',
      text: lines(...HEADER, 'protocols:', '  - id: P-1', '    clause: H.9', '    title: T', '    severity: low', '    require: { kind: location }'),
      at: [11, 13],
      message: /protocol P-1 cites unknown clause "H\.9"/,
    },
    {
      name: 'waiver naming an unknown protocol',
      text: lines(
        ...HEADER,
        ...PROTOCOL, // 9-15
        'waivers:',
        '  - id: W-1',
        '    protocol: P-404',
        '    location: a/**',
        '    reason: r',
        '    approver: CO',
        '    expires: 2027-01-01',
      ),
      at: [18, 15],
      message: /waiver W-1 names unknown protocol "P-404"/,
    },
    {
      name: 'marker with two match rules',
      text: lines(
        ...HEADER,
        'assets:', // 9
        '  markers:',
        '    - field: Make',
        '      equals: Cam',
        '      matches: "^Cam"',
        '      asset: vehicle-image',
        ...PROTOCOL,
      ),
      at: [11, 7],
      message: /exactly one of equals, matches or oneOf/,
    },
  ];

  it.each(cases)('$name', ({ text, at, message }) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem!.message).toMatch(message);
    if (at) expect([problem!.line, problem!.col]).toEqual(at);
    else expect(problem!.line).toBeGreaterThan(0);
  });

  it('warns (without failing) about a mandatory clause no protocol cites', () => {
    const policy = parsePolicy(lines(...HEADER.slice(0, 8), '    - id: H.2', '      title: Uncited', ...PROTOCOL), 'policy.yaml');
    expect(policy.warnings).toEqual([{ file: 'policy.yaml', line: 9, col: 11, message: 'warning: mandatory clause H.2 is not enforced by any protocol' }]);
  });

  it('warns (without failing) about a marker pattern that can take exponential time, at the pattern', () => {
    const markers = [
      'assets:',
      '  markers:',
      '    - field: Copyright',
      '      matches: "^(a+)+$"',
      '      asset: vehicle-image',
      '    - field: Model',
      '      matches: "^LaneCam X[0-9]$"',
      '      asset: vehicle-image',
    ];
    const policy = parsePolicy(lines(...HEADER, ...markers, ...PROTOCOL), 'policy.yaml');
    expect(policy.warnings).toHaveLength(1);
    expect(policy.warnings[0]).toMatchObject({ file: 'policy.yaml', line: 12, col: 16 });
    expect(policy.warnings[0]!.message).toMatch(/^warning: marker pattern: nested quantifiers/);
  });

  it('does not warn about an uncited clause marked mandatory: false', () => {
    const policy = parsePolicy(lines(...HEADER, '    - id: H.2', '      title: Definitions', '      mandatory: false', ...PROTOCOL), 'policy.yaml');
    expect(policy.warnings).toEqual([]);
  });

  it('fails fast with one problem on an alias bomb (billion laughs)', () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      bomb.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = performance.now();
    const problems = problemsOf(lines(...bomb));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/alias/i);
  });
});

describe('custody policy check', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir()));
  afterAll(async () => cleanup());

  it('exits 0 on the shipped policy and says so on stdout', async () => {
    const io = captureIo(REPO_ROOT);
    const { exitCode } = await run(['policy', 'check', SHIPPED], io);
    expect(exitCode).toBe(0);
    expect(io.out()).toMatch(/border-lane-cameras\.yaml: ok \(contract BPA-LPR-2026-0417, 8 clauses, 8 protocols, 2 waivers\)/);
    expect(io.err()).toBe('');
  });

  it('exits 2 and prints one file:line:col line per problem, no stack trace', async () => {
    const file = path.join(dir, 'three-mistakes.yaml');
    await writeFile(
      file,
      lines(
        ...HEADER,
        'protocols:',
        '  - id: P-1',
        '    clause: H.1',
        '    title: T',
        '    severity: urgent',
        '    require:',
        '      kind: retention',
        '      maxAgeDays: -3',
        '      extra: 1',
      ),
    );
    const io = captureIo(dir);
    const { exitCode } = await run(['policy', 'check', file], io);
    expect(exitCode).toBe(2);
    const errLines = io.err().trimEnd().split('\n');
    expect(errLines).toHaveLength(3);
    for (const line of errLines) expect(line).toMatch(new RegExp(`^(custody: )?${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
    expect(io.err()).not.toMatch(/\n\s+at /);
    expect(io.out()).toBe('');
  });

  it('resolves a relative policy path against the injected cwd', async () => {
    await writeFile(path.join(dir, 'ok.yaml'), lines(...HEADER, ...PROTOCOL));
    const io = captureIo(dir);
    const { exitCode } = await run(['policy', 'check', 'ok.yaml'], io);
    expect(io.err()).toBe('');
    expect(exitCode).toBe(0);
  });
});
