import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeSmallCase } from '../support/small-case.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { expand, type Step } from './support/workflow-runner.js';

interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: (Step & { name?: string; shell?: string; if?: string })[] };
}

/** Everything below the audited folder, as relative paths (custody must add nothing there). */
async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

/**
 * The composite action's own steps, played as the runner would (`bash --noprofile --norc -eo
 * pipefail`, inputs through the step's `env`, GITHUB_ACTION_PATH = this checkout, whose dist/ is
 * built): the install step is `npm ci` (test/install/pack.test.ts covers installing), the rest runs.
 */
describe('action.yml, played', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let action: Action;
  let play: (inputs: Record<string, string>) => Promise<{ exitCode: number; stdout: string; stderr: string; outputs: Record<string, string>; summary: string }>;
  let verdict: (exit: string) => Promise<{ exitCode: number; stdout: string }>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-action-'));
    await writeSmallCase(dir);
    action = parse(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
    const step = (name: string) => action.runs.steps.find((s) => s.id === name || s.name === name)!;
    const bash = (script: string, env: Record<string, string>) =>
      execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: dir,
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], XDG_CACHE_HOME: process.env['XDG_CACHE_HOME'], ...env },
        extendEnv: false,
        reject: false,
      });
    let n = 0;
    play = async (given) => {
      const run = path.join(dir, `run-${n++}`);
      await mkdir(path.join(run, 'temp'), { recursive: true });
      const files = { GITHUB_OUTPUT: path.join(run, 'output'), GITHUB_STEP_SUMMARY: path.join(run, 'summary.md') };
      for (const file of Object.values(files)) await writeFile(file, '');
      const inputs = { ...Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? ''])), ...given };
      const audit = step('audit');
      const env = Object.fromEntries(Object.entries(audit.env ?? {}).map(([k, v]) => [k, expand(String(v), { inputs })]));
      const result = await bash(audit.run!, { ...env, ...files, GITHUB_ACTION_PATH: REPO_ROOT, RUNNER_TEMP: path.join(run, 'temp') });
      const outputs = Object.fromEntries(
        (await readFile(files.GITHUB_OUTPUT, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      return {
        exitCode: result.exitCode ?? -1,
        stdout: result.stdout,
        stderr: result.stderr,
        outputs,
        summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
      };
    };
    verdict = async (exit) => {
      const result = await bash(step('Verdict').run!, { CUSTODY_EXIT: exit });
      return { exitCode: result.exitCode ?? -1, stdout: result.stdout };
    };
  });
  afterAll(async () => cleanup());

  it('is a composite action that installs custody from its own checkout, not from the registry', () => {
    expect(action.runs.using).toBe('composite');
    const install = action.runs.steps.find((s) => /npm ci/.test(s.run ?? ''));
    expect(install?.run).toContain('cd "$GITHUB_ACTION_PATH"');
    expect(action.runs.steps.map((s) => s.run ?? '').join('\n')).not.toMatch(/npm install (-g )?custody|npx custody/);
    expect(action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))?.with?.['sarif_file']).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template.
      '${{ steps.audit.outputs.sarif }}',
    );
  });

  it('audits, writes every report outside the audited tree, fills the job summary, and the verdict fails on violations', async () => {
    const before = await listing(path.join(dir, 'share'));
    const run = await play({ paths: 'share\n', fingerprints: 'agency.fp.json', formats: 'json, markdown html', args: '--authorized=enclave/**\n--no-cache' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.outputs['exit-code']).toBe('1');
    const reports = run.outputs['report-dir']!;
    expect(path.relative(path.join(dir, 'share'), reports)).toMatch(/^\.\./);
    expect((await readdir(reports)).sort()).toEqual(['custody.html', 'custody.json', 'custody.md', 'custody.sarif']);
    expect(run.outputs['sarif']).toBe(path.join(reports, 'custody.sarif'));
    const sarif = JSON.parse(await readFile(run.outputs['sarif']!, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    expect(run.summary).toMatch(/^## .*custody: VIOLATED/);
    expect(run.stdout).toContain('VIOLATED');
    expect(await listing(path.join(dir, 'share'))).toEqual(before);

    const failed = await verdict(run.outputs['exit-code']!);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain('::error::custody: violations at or above fail-on');
  });

  it('fail-on none passes; without the SARIF upload no SARIF is written or offered', async () => {
    const run = await play({
      paths: 'share',
      fingerprints: 'agency.fp.json',
      formats: 'junit',
      'fail-on': 'none',
      'upload-sarif': 'false',
      args: '--no-cache',
    });
    expect(run.outputs['exit-code'], run.stderr).toBe('0');
    expect(run.outputs['sarif']).toBeUndefined();
    expect(await readdir(run.outputs['report-dir']!)).toEqual(['custody.xml']);
    expect((await verdict('0')).exitCode).toBe(0);
  });

  it('an unknown format stops the step with an annotation (exit 2)', async () => {
    const run = await play({ formats: 'json sraif' });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain('::error::custody action: unknown format "sraif"');
  });

  it('inputs stay data: a path that looks like shell code runs nothing', async () => {
    const run = await play({ paths: 'share/$(touch pwned)\n`touch pwned2`', 'upload-sarif': 'false', formats: '' });
    expect(await readdir(dir)).not.toContain('pwned');
    expect(await readdir(dir)).not.toContain('pwned2');
    expect(run.outputs['exit-code']).toBe('2');
    expect((await verdict('2')).stdout).toContain('::error::custody: usage, policy or input error');
  });
});
