import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { REPO_ROOT, tempDir } from '../support/tmp.js';
import { type CodeBlock, custodyInvocations, flagsOfHelp, helpOf, readmeBlocks, stringsIn } from './support/readme-blocks.js';

const VALIDATOR = path.join(REPO_ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
/** Node.js lines in active or maintenance LTS (20 reached its end of life in April 2026). */
const SUPPORTED_NODE = ['22', '24'];
/** The README sections whose recipes this task keeps working, for the inline `custody ...` spans. */
const RECIPE_SECTIONS = ['## Two commands', '## Gating deliveries in CI', '## Beyond one machine: shards', "## Beyond one machine's memory: reference splits"];

type Parsed = Record<string, unknown>;
const isWorkflow = (doc: unknown): doc is { on: unknown; jobs: Record<string, Parsed> } => !!doc && typeof doc === 'object' && 'on' in doc && 'jobs' in doc;

/** A block's value; undefined where it does not parse (the parse test names the line), so the other checks still run. */
function parsed(text: string): unknown {
  const doc = parseDocument(text);
  return doc.errors.length > 0 ? undefined : (doc.toJS() as unknown);
}

/** `action-validator <file>`: exit 0 and no output when GitHub's schema accepts it. */
const validate = (file: string) => execa('node', [VALIDATOR, file], { reject: false });

describe('README recipes', () => {
  let blocks: CodeBlock[];
  let yamlBlocks: (CodeBlock & { doc: unknown })[];
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-recipes-'));
    blocks = await readmeBlocks();
    yamlBlocks = blocks.filter((b) => b.lang === 'yaml').map((b) => ({ ...b, doc: parsed(b.text) }));
  });
  afterAll(async () => cleanup());

  it('every ```yaml block parses', () => {
    const yaml = blocks.filter((b) => b.lang === 'yaml');
    expect(yaml.length).toBeGreaterThanOrEqual(4);
    for (const block of yaml) {
      const doc = parseDocument(block.text);
      const problems = [...doc.errors, ...doc.warnings].slice(0, 3).map((e) => `README.md:${block.line + (e.linePos?.[0].line ?? 1) - 1}: ${e.message}`);
      expect(problems, `README.md:${block.line}`).toEqual([]);
    }
  });

  it('every GitHub Actions workflow in the README, and action.yml, passes action-validator', async () => {
    const workflows = yamlBlocks.filter((b) => isWorkflow(b.doc));
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    for (const block of workflows) {
      const file = path.join(dir, `workflow-line-${block.line}.yml`);
      await writeFile(file, block.text);
      const result = await validate(file);
      expect(`${result.stdout}${result.stderr}`, `README.md:${block.line}`).toBe('');
      expect(result.exitCode).toBe(0);
    }
    const action = await validate(path.join(REPO_ROOT, 'action.yml'));
    expect(`${action.stdout}${action.stderr}`).toBe('');
    expect(action.exitCode).toBe(0);
  });

  it('action-validator rejects a job without runs-on (the check can fail)', async () => {
    const file = path.join(dir, 'no-runner.yml');
    await writeFile(file, 'on: [push]\njobs:\n  shard:\n    steps:\n      - run: custody audit share\n');
    const result = await validate(file);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('/jobs/shard/runs-on');
  });

  it('recipes run on a supported Node.js LTS', async () => {
    const found: string[] = [];
    for (const block of yamlBlocks) {
      for (const text of stringsIn(block.doc)) found.push(...[...text.matchAll(/^node:(\d+)/g)].map((m) => m[1]!));
      if (isWorkflow(block.doc)) found.push(...nodeVersions(block.doc));
    }
    for (const block of blocks.filter((b) => b.lang === 'dockerfile')) found.push(...[...block.text.matchAll(/^FROM node:(\d+)/gm)].map((m) => m[1]!));
    const action = parse(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
    found.push(String(action.inputs['node-version']?.default));
    expect(found.length).toBeGreaterThanOrEqual(6);
    for (const major of found) expect(SUPPORTED_NODE, `Node.js ${major} in a recipe`).toContain(major);
  });

  it('installs custody from a tarball or its git repository, never by its name on the npm registry', () => {
    const scripts = blocks.filter((b) => ['sh', 'yaml', 'dockerfile'].includes(b.lang));
    for (const block of scripts) {
      expect(block.text, `README.md:${block.line}`).not.toMatch(/\bnpm\s+(?:install|i|add)\b(?:\s+-\S+)*\s+custody(?:@\S*)?(?=\s|$)/);
      expect(block.text, `README.md:${block.line}`).not.toMatch(/\bnpx\s+(?:-\S+\s+)*custody\b/);
    }
    const installs = scripts.flatMap((b) => [...b.text.matchAll(/\bnpm install -g (\S+)/g)].map((m) => m[1]!));
    expect(installs.length).toBeGreaterThanOrEqual(4);
    for (const target of installs) expect(target).toMatch(/^(\.\/|\/|"\$|git\+)|\.tgz$/);
  });

  it('every custody command in the recipes is one the CLI has, with flags it has', async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const scripts = [
      ...yamlBlocks.flatMap((b) => stringsIn(b.doc)),
      ...blocks.filter((b) => b.lang === 'sh' || b.lang === 'dockerfile').map((b) => b.text),
      // Inline spans of prose, with the fenced blocks (taken above) cut out first.
      ...RECIPE_SECTIONS.flatMap((heading) =>
        [
          ...sectionOf(readme, heading)
            .replace(/^```[\s\S]*?^```/gm, '')
            .matchAll(/`([^`]+)`/g),
        ].map((m) => m[1]!.replace(/\n/g, ' ')),
      ),
    ];
    const invocations = scripts.flatMap(custodyInvocations).filter((i) => !i.text.includes('...'));
    expect(invocations.length).toBeGreaterThanOrEqual(10);
    const top = (await helpOf('')).split('Commands:')[1] ?? '';
    for (const invocation of invocations) {
      expect(top, invocation.text).toMatch(new RegExp(`^\\s+${invocation.command}\\b`, 'm'));
      const known = flagsOfHelp(await helpOf(invocation.command));
      for (const flag of invocation.flags) expect(known.has(flag), `${flag} in: ${invocation.text}`).toBe(true);
    }
  });
});

/** The `node-version` of every setup-node step of a workflow. */
function nodeVersions(workflow: { jobs: Record<string, Parsed> }): string[] {
  return Object.values(workflow.jobs).flatMap((job) =>
    ((job['steps'] as Parsed[] | undefined) ?? [])
      .filter((s) => String(s['uses'] ?? '').startsWith('actions/setup-node'))
      .map((s) => String((s['with'] as Parsed | undefined)?.['node-version'])),
  );
}

/** The text of a README section, from its heading to the next heading of the same level. */
function sectionOf(readme: string, heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const next = readme.indexOf('\n## ', start + heading.length + 2);
  return readme.slice(start, next < 0 ? undefined : next);
}

describe('README: the Kubernetes Indexed Job', () => {
  type Job = {
    apiVersion: string;
    kind: string;
    spec: {
      completions: number;
      completionMode: string;
      template: { spec: { containers: { args?: string[]; env?: { name: string }[]; volumeMounts?: { name: string }[] }[]; volumes?: { name: string }[] } };
    };
  };
  let job: Job;
  let check: ReturnType<Ajv['compile']>;

  beforeAll(async () => {
    const jobs = (await readmeBlocks())
      .filter((b) => b.lang === 'yaml')
      .map((b) => parsed(b.text) as Parsed | undefined)
      .filter((d) => d?.['kind'] === 'Job');
    expect(jobs).toHaveLength(1);
    job = jobs[0] as unknown as Job;
    const schema = JSON.parse(await readFile(path.join(REPO_ROOT, 'fixtures', 'schemas', 'job-batch-v1.strict.json'), 'utf8')) as object;
    // Union types (`IntOrString`) are part of the Kubernetes API; everything else stays strict.
    check = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  });

  it('validates against the strict batch/v1 Job schema', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(check(job), JSON.stringify(check.errors, null, 2)).toBe(true);
  });

  it('the schema check can fail: a misspelt field and a wrong type are refused', () => {
    const misspelt = structuredClone(job) as unknown as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    misspelt.spec.template.spec.containers[0]!['volumeMount'] = [];
    expect(check(misspelt)).toBe(false);
    expect(check.errors?.[0]?.params).toEqual({ additionalProperty: 'volumeMount' });
    expect(check({ ...job, spec: { ...job.spec, completions: 'eight' } })).toBe(false);
  });

  it('declares every volume it mounts and mounts every volume it declares', () => {
    const pod = job.spec.template.spec;
    const declared = (pod.volumes ?? []).map((v) => v.name).sort();
    const mounted = pod.containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)).sort();
    expect(mounted.length).toBeGreaterThan(0);
    expect(declared).toEqual([...new Set(mounted)]);
  });

  it('one pod per shard, all at the audit time set once in the Job', () => {
    expect(job.spec.completionMode).toBe('Indexed');
    const container = job.spec.template.spec.containers[0]!;
    const command = (container.args ?? []).join(' ');
    expect(command).toContain(`--shard $((JOB_COMPLETION_INDEX + 1))/${job.spec.completions}`);
    expect(command).toContain('--now "$AUDIT_TIME"');
    expect((container.env ?? []).map((e) => e.name)).toContain('AUDIT_TIME');
  });
});
