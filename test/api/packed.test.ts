import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateExample } from '../../scripts/generate-fixtures.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';

/** The README's "Use as a library" example, as the README shows it. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use as a library'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README: no js example under "Use as a library"');
  return code;
}

/**
 * custody as another project gets it: `npm pack`, the tarball installed into a new project, the
 * README's example run there against the shipped example case and policy. Installing is offline:
 * custody's runtime dependencies are linked from this checkout's node_modules (one link per
 * package, never a scope folder, so npm has nothing of the checkout's to prune).
 */
describe('the packed package, embedded', () => {
  let dir: string;
  let project: string;
  let cleanup: () => Promise<void>;
  const custody = (...args: string[]) => execa('node', [path.join(project, 'node_modules/custody/bin/custody.js'), ...args], { cwd: project, reject: false });
  const env = { ...process.env, CUSTODY_PLATE_KEY: '' };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-packed-'));
    project = path.join(dir, 'project');
    // dist/ is current (test/support/global-setup.ts); the prepare script would only build it again.
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO_ROOT });
    const tarball = path.join(dir, packed.stdout.trim().split('\n').at(-1)!);
    await mkdir(path.join(project, 'node_modules'), { recursive: true });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'embeds-custody', private: true, type: 'module' }));
    const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) {
      await mkdir(path.dirname(path.join(project, 'node_modules', name)), { recursive: true });
      await symlink(path.join(REPO_ROOT, 'node_modules', name), path.join(project, 'node_modules', name), 'dir');
    }
    await execa('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts', tarball], { cwd: project });

    // What `npm run example` makes, with the shipped policy from the installed package.
    const generated = path.join(project, 'fixtures/example/generated');
    await generateExample({ out: generated, now: new Date() });
    const classes = ['--class', 'travelers/**=traveler-image', '--class', 'lanes/**=vehicle-image', '--class', 'plates/**=plate-image'];
    const fingerprint = await custody(
      'fingerprint',
      'fixtures/example/generated/agency-data',
      '--out',
      'fixtures/example/generated/agency.fp.json',
      '--plate-key-file',
      'fixtures/example/generated/plate.key',
      ...classes,
    );
    expect(fingerprint.exitCode, fingerprint.stderr).toBe(0);
    await cp(path.join(project, 'node_modules/custody/policies'), path.join(project, 'policies'), { recursive: true });
    await writeFile(path.join(project, 'example.mjs'), await readmeExample());
  }, 180_000);
  afterAll(async () => cleanup());

  it('ships the library entry point and its types', async () => {
    const installed = JSON.parse(await readFile(path.join(project, 'node_modules/custody/package.json'), 'utf8')) as { exports: unknown };
    expect(installed.exports).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' });
    await expect(readFile(path.join(project, 'node_modules/custody/dist/index.d.ts'), 'utf8')).resolves.toContain('auditWith');
    const probe = await execa(
      'node',
      ['--input-type=module', '-e', "const m = await import('custody'); console.log(typeof m.auditWith, typeof m.renderReport)"],
      {
        cwd: project,
      },
    );
    expect(probe.stdout).toBe('function function');
  });

  it('runs the README example: the planted violations, exit 1, the same findings as `custody audit`', async () => {
    const example = await execa('node', ['example.mjs'], { cwd: project, reject: false, env });
    expect(example.stderr).toBe('');
    expect(example.exitCode).toBe(1);
    const line = /^violated: (\d+) open findings in (\d+) files$/.exec(example.stdout.trim());
    expect(line, example.stdout).not.toBeNull();

    const cli = await custody(
      'audit',
      'fixtures/example/generated/contractor-share',
      '--policy',
      'policies/border-lane-cameras.yaml',
      '--plate-key-file',
      'fixtures/example/generated/plate.key',
      '--no-cache',
      '--format',
      'json',
      '--output',
      'cli.json',
    );
    expect(cli.exitCode, cli.stderr).toBe(1);
    const report = JSON.parse(await readFile(path.join(project, 'cli.json'), 'utf8')) as { summary: { filesSeen: number }; findings: { waiver?: unknown }[] };
    expect(Number(line![1])).toBe(report.findings.filter((f) => !f.waiver).length);
    expect(Number(line![2])).toBe(report.summary.filesSeen);
    expect(Number(line![1])).toBeGreaterThan(0);
    expect(await readFile(path.join(project, 'report.md'), 'utf8')).toMatch(/^## .*custody: VIOLATED/);
  }, 120_000);
});
