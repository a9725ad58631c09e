import { chmod, copyFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../../support/tmp.js';

/** A GitHub Actions step, as far as the runner below plays it. */
export interface Step {
  id?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'working-directory'?: string;
}
/** A job of a workflow. */
export interface Job {
  needs?: string | string[];
  outputs?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
}

/** What a played step ran and how it ended. */
export interface StepRun {
  job: string;
  script: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * `${{ a.b.c }}` replaced from the context; an expression the context cannot answer is an error, so
 * a recipe that reads an output no job sets fails here as it would mislead on GitHub.
 */
export function expand(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
    const value = expr.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), context);
    if (value === undefined) throw new Error(`workflow expression \${{ ${expr} }} has no value`);
    return String(value);
  });
}

/**
 * Plays the `run` steps of a workflow's jobs on this machine, in a job's own copy of `workspace`,
 * with `bash -eo pipefail` and `set -u` (so an environment variable no step defines is an error).
 * What stands in for GitHub: `custody` on PATH is this checkout's bin/custody.js (install steps,
 * `npm ci`/`npm pack`/`npm install -g`, are not played: installation is test/install/pack.test.ts's);
 * upload-artifact keeps the files of `path`, download-artifact puts them back (by `name`, or by
 * `pattern` into `path`); other `uses` steps (checkout, setup-node, upload-sarif) are no-ops.
 */
export class WorkflowRunner {
  readonly runs: StepRun[] = [];
  private readonly artifacts = new Map<string, string[]>();
  private readonly outputs = new Map<string, Record<string, string>>();

  constructor(
    private readonly jobs: Record<string, Job>,
    private readonly dir: string,
    private readonly workspace: string,
    private readonly secrets: Record<string, string> = {},
  ) {}

  /** Plays one job, once per combination of its matrix (one key at most, as the recipes use). */
  async job(name: string): Promise<void> {
    const job = this.jobs[name];
    if (!job) throw new Error(`workflow has no job ${name}`);
    const needs = Object.fromEntries([job.needs ?? []].flat().map((n) => [n, { outputs: this.outputs.get(n) ?? {} }]));
    const [key, values] = Object.entries(job.strategy?.matrix ?? {})[0] ?? ['', [undefined]];
    for (const [i, value] of values.entries()) {
      const home = path.join(this.dir, `${name}-${i}`);
      await cp(this.workspace, home, { recursive: true, preserveTimestamps: true });
      const context = { matrix: { [key]: value }, needs, secrets: this.secrets, runner: { temp: path.join(home, '.runner-temp') }, steps: {} };
      await this.steps(name, job, home, context);
    }
  }

  private async steps(name: string, job: Job, home: string, context: Record<string, unknown> & { steps: Record<string, unknown> }): Promise<void> {
    const bin = path.join(this.dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'custody'), `#!/bin/sh\nexec node '${path.join(REPO_ROOT, 'bin', 'custody.js')}' "$@"\n`);
    await chmod(path.join(bin, 'custody'), 0o755);
    for (const step of job.steps) {
      if (step.uses?.startsWith('actions/upload-artifact')) {
        this.artifacts.set(expand(String(step.with?.['name']), context), await matching(path.join(home, expand(String(step.with?.['path']), context))));
      } else if (step.uses?.startsWith('actions/download-artifact')) {
        const missing = await this.download(step, home, context);
        if (missing) {
          this.runs.push({ job: name, script: `download-artifact ${missing}`, exitCode: 1, stdout: '', stderr: `no artifact ${missing} was uploaded` });
          break;
        }
      } else if (step.run && !/\bnpm (ci|pack|install)\b/.test(step.run)) {
        const output = path.join(home, '.github-output');
        await writeFile(output, '');
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), context)]));
        const script = expand(step.run, context);
        const result = await execa('bash', ['--noprofile', '--norc', '-euo', 'pipefail', '-c', script], {
          cwd: path.join(home, step['working-directory'] ?? '.'),
          env: {
            PATH: `${bin}:${process.env['PATH']}`,
            HOME: process.env['HOME'],
            XDG_CACHE_HOME: process.env['XDG_CACHE_HOME'],
            GITHUB_OUTPUT: output,
            ...env,
          },
          extendEnv: false,
          reject: false,
        });
        this.runs.push({ job: name, script, exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr });
        const set = Object.fromEntries(
          (await readFile(output, 'utf8'))
            .split('\n')
            .filter((l) => l.includes('='))
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        if (step.id) context.steps[step.id] = { outputs: set };
        if (result.exitCode !== 0) break;
      }
    }
    this.outputs.set(name, Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, expand(v, context)])));
  }

  /** Puts the chosen artifacts' files into the step's `path`; returns what was asked when nothing matched. */
  private async download(step: Step, home: string, context: Record<string, unknown>): Promise<string | undefined> {
    const target = path.join(home, expand(String(step.with?.['path'] ?? '.'), context));
    const name = step.with?.['name'] === undefined ? undefined : expand(String(step.with['name']), context);
    const pattern = step.with?.['pattern'] === undefined ? undefined : new RegExp(`^${String(step.with['pattern']).replace(/\*/g, '.*')}$`);
    const chosen = [...this.artifacts].filter(([artifact]) => artifact === name || pattern?.test(artifact));
    if (chosen.length === 0) return name ?? String(step.with?.['pattern']);
    await mkdir(target, { recursive: true });
    for (const [, files] of chosen) for (const file of files) await copyFile(file, path.join(target, path.basename(file)));
    return undefined;
  }
}

/** The files a path names, `*` allowed in its last part (as the recipes' artifact paths use it). */
async function matching(file: string): Promise<string[]> {
  const name = new RegExp(
    `^${path
      .basename(file)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  const names = await readdir(path.dirname(file)).catch(() => []);
  return names.filter((n) => name.test(n)).map((n) => path.join(path.dirname(file), n));
}
