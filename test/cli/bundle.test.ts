import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';

const LOADER = path.join(REPO_ROOT, 'dist', 'cli', 'bundle.js');

/**
 * What bin/custody.js runs: the CommonJS bundle with the build's V8 code cache (src/cli/bundle.ts).
 * Spawned, as bin/custody.js is: V8 takes a cache only from a process with the flags it was made by.
 */
describe('the bundled CLI and its code cache (global setup builds them)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('custody-bundle-'));
    await mkdir(path.join(dir, 'refs'));
    await copyFile(path.join(REPO_ROOT, 'fixtures/pdq/bridge-640.jpg'), path.join(dir, 'refs/bridge.jpg'));
  });
  afterAll(async () => cleanup());

  const script = (body: string) =>
    execa('node', ['--input-type=module', '-e', `import { loadBundledCli } from ${JSON.stringify(LOADER)};\n${body}`], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: '1' },
    });

  it('is loaded with the code cache V8 accepts, and runs', async () => {
    const ran = await script(
      "const cli = loadBundledCli(); process.stderr.write(cli.codeCache); process.exitCode = (await cli.run(['--version'], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd: process.cwd() })).exitCode;",
    );
    expect(ran.stderr).toBe('accepted');
    expect(ran.stdout.trim()).toBe(VERSION);
    expect(ran.exitCode).toBe(0);
  });

  it('runs the same without the cache', async () => {
    const ran = await script(
      "const cli = loadBundledCli({ useCache: false }); process.stderr.write(cli.codeCache); await cli.run(['--version'], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd: process.cwd() });",
    );
    expect(ran.stderr).toBe('absent');
    expect(ran.stdout.trim()).toBe(VERSION);
  });

  it('imports the packages left outside the bundle (sharp decodes a reference for its perceptual hash)', async () => {
    const made = await execa('node', [path.join(REPO_ROOT, 'bin', 'custody.js'), 'fingerprint', 'refs', '--out', 'fp.json'], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stderr).toContain('1 references (1 with perceptual hashes)');
  });
});
