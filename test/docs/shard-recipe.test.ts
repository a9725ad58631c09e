import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referenceA, writeSmallCase } from '../support/small-case.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { readmeBlocks } from './support/readme-blocks.js';
import { type Job, WorkflowRunner } from './support/workflow-runner.js';

/** Long before any audit time, so retention is violated whenever the shards run. */
const OLD = new Date('2025-01-02T03:04:05Z');

/** What the recipe audits: the workflow's `share/` and `policy.yaml`, with an audit-wide limit only the merge can judge. */
const POLICY = `version: 1
contract:
  id: C-RECIPE
  title: Shard recipe
  agency: Test agency
  clauses:
    - { id: H.1, title: Kept in the enclave for at most 30 days }
    - { id: H.2, title: At most one copy outside the enclave }
assets:
  fingerprints: [agency.fp.json]
locations:
  authorized: ['enclave/**']
protocols:
  - { id: P-LOC, clause: H.1, title: Outside the enclave, severity: high, require: { kind: location } }
  - { id: P-RET, clause: H.1, title: Kept too long, severity: high, require: { kind: retention, maxAgeDays: 30 } }
  - { id: P-VOL, clause: H.2, title: Too many copies outside, severity: critical, require: { kind: max-copies, max: 1 } }
`;

type Report = { startedAt?: string; finishedAt?: string; shard?: { now: string }; findings: { requirement: string }[] };
const withoutTimes = ({ startedAt: _s, finishedAt: _f, ...rest }: Report) => rest;

/**
 * The README's GitHub Actions shard matrix, played on this machine (test/docs/support/workflow-runner.ts):
 * the prepare job picks the audit time, each matrix job audits its shard with the commands as the
 * README writes them, the merge job downloads the shard reports and merges them. The merged report
 * must be the report of a single run at that time.
 */
describe('README: the sharded GitHub Actions workflow, played', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let runner: WorkflowRunner;
  let jobs: Record<string, Job>;
  let names: { prepare: string; shard: string; merge: string };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-shard-recipe-'));
    const workspace = path.join(dir, 'workspace');
    // Copies of reference a spread over folders, so that they fall into different shards.
    await writeSmallCase(workspace, Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`share/desk/d${i}/copy.bin`, { data: referenceA(), mtime: OLD }])));
    await writeFile(path.join(workspace, 'policy.yaml'), POLICY);

    const workflows = (await readmeBlocks()).filter((b) => b.lang === 'yaml').map((b) => parse(b.text) as { jobs?: Record<string, Job> });
    const sharded = workflows.find((w) => Object.values(w.jobs ?? {}).some((j) => j.strategy?.matrix));
    if (!sharded?.jobs) throw new Error('README: no workflow with a matrix');
    jobs = sharded.jobs;
    const shard = Object.keys(jobs).find((n) => jobs[n]!.strategy?.matrix)!;
    const merge = Object.keys(jobs).find((n) => jobs[n]!.steps.some((s) => s.run?.includes('custody merge')))!;
    names = { prepare: [jobs[shard]!.needs ?? []].flat()[0]!, shard, merge };
    runner = new WorkflowRunner(jobs, path.join(dir, 'runs'), workspace, { CUSTODY_PLATE_KEY: '' });
    for (const job of [names.prepare, names.shard, names.merge]) await runner.job(job);
  }, 240_000);
  afterAll(async () => cleanup());

  it('the merge job needs the shards, and every job runs custody only after installing it', () => {
    expect([jobs[names.merge]!.needs].flat()).toContain(names.shard);
    for (const name of [names.shard, names.merge]) {
      const steps = jobs[name]!.steps;
      const install = steps.findIndex((s) => /npm install -g/.test(s.run ?? ''));
      const first = steps.findIndex((s) => /\bcustody (audit|merge)\b/.test(s.run ?? ''));
      expect(install, name).toBeGreaterThanOrEqual(0);
      expect(install, name).toBeLessThan(first);
    }
  });

  it('every shard ran (exit 0: the merge is the gate) at the one time the prepare job picked', async () => {
    const shards = runner.runs.filter((r) => r.job === names.shard && r.script.includes('custody audit'));
    const matrix = Object.values(jobs[names.shard]!.strategy!.matrix!)[0]!;
    expect(shards).toHaveLength(matrix.length);
    for (const run of shards) expect(run.exitCode, run.stderr).toBe(0);
    const times = new Set<string>();
    for (const [i] of matrix.entries()) {
      const report = JSON.parse(await readFile(path.join(dir, 'runs', `${names.shard}-${i}`, `shard-${matrix[i]}.json`), 'utf8')) as Report;
      times.add(report.shard!.now);
    }
    expect(times.size).toBe(1);
    expect([...times][0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.000)?Z$/);
  });

  it("the merge gates (exit 1) and its report is the single run's at that time", async () => {
    const merge = runner.runs.find((r) => r.job === names.merge && r.script.includes('custody merge'));
    expect(merge?.exitCode, merge?.stderr).toBe(1);
    const home = path.join(dir, 'runs', `${names.merge}-0`);
    const merged = JSON.parse(await readFile(path.join(home, 'custody.json'), 'utf8')) as Report;
    await expect(readFile(path.join(home, 'custody.sarif'), 'utf8')).resolves.toContain('"version": "2.1.0"');
    expect(merged.findings.map((f) => f.requirement)).toContain('max-copies');

    const now = JSON.parse(await readFile(path.join(dir, 'runs', `${names.shard}-0`, 'shard-1.json'), 'utf8')) as Report;
    const workspace = path.join(dir, 'workspace');
    const single = await execa(
      'node',
      [
        path.join(REPO_ROOT, 'bin', 'custody.js'),
        'audit',
        'share',
        '--policy',
        'policy.yaml',
        '--now',
        now.shard!.now,
        '--format',
        'json',
        '--output',
        '../single.json',
      ],
      { cwd: workspace, reject: false },
    );
    expect(single.exitCode, single.stderr).toBe(1);
    const alone = JSON.parse(await readFile(path.join(dir, 'single.json'), 'utf8')) as Report;
    expect(withoutTimes(merged)).toEqual(withoutTimes(alone));
  });
});
