import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

  it('does not use a cache made for another bundle, a damaged one, or one it cannot read', async () => {
    // A copy of the loader and the bundle, inside the repository so that packages still resolve.
    await mkdir(path.join(REPO_ROOT, 'test-output'), { recursive: true });
    const copy = await mkdtemp(path.join(REPO_ROOT, 'test-output', 'bundle-copy-'));
    try {
      await mkdir(path.join(copy, 'dist/cli'), { recursive: true });
      await mkdir(path.join(copy, 'dist/bin'), { recursive: true });
      await copyFile(LOADER, path.join(copy, 'dist/cli/bundle.js'));
      const bundle = await readFile(path.join(REPO_ROOT, 'dist/bin/custody.cjs'));
      const cache = await readFile(path.join(REPO_ROOT, 'dist/bin/custody.cjs.v8-cache'));
      const cacheFile = path.join(copy, 'dist/bin/custody.cjs.v8-cache');
      const run = () =>
        execa(
          'node',
          [
            '--input-type=module',
            '-e',
            `import { loadBundledCli } from ${JSON.stringify(path.join(copy, 'dist/cli/bundle.js'))};\nconst cli = loadBundledCli(); process.stderr.write(cli.codeCache); process.exitCode = (await cli.run(['--version'], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd: process.cwd() })).exitCode;`,
          ],
          { cwd: dir, reject: false, env: { NO_COLOR: '1' } },
        );
      const expectRuns = (ran: Awaited<ReturnType<typeof run>>, codeCache: string) => {
        expect(ran.stderr, ran.stderr).toBe(codeCache);
        expect(ran.stdout.trim()).toBe(VERSION);
        expect(ran.exitCode).toBe(0);
      };

      await writeFile(path.join(copy, 'dist/bin/custody.cjs'), bundle);
      await writeFile(cacheFile, cache);
      expectRuns(await run(), 'accepted');
      // Another bundle of the same length: V8 itself would take the old cache and run the old code.
      const edited = bundle.toString('latin1').replace('this is a bug; rerun', 'THIS IS A BUG; RERUN');
      expect(edited).not.toBe(bundle.toString('latin1'));
      await writeFile(path.join(copy, 'dist/bin/custody.cjs'), Buffer.from(edited, 'latin1'));
      expectRuns(await run(), 'rejected');
      // A damaged payload: Node 20's V8 does not checksum it and would crash in its deserializer.
      await writeFile(path.join(copy, 'dist/bin/custody.cjs'), bundle);
      const damaged = Buffer.from(cache);
      for (let at = Math.floor(damaged.length / 2); at < damaged.length / 2 + 64; at++) damaged[at] = damaged[at]! ^ 0x5a;
      await writeFile(cacheFile, damaged);
      expectRuns(await run(), 'rejected');
      // Unreadable (a directory where the file should be): no cache, not an error.
      await rm(cacheFile);
      await mkdir(cacheFile);
      expectRuns(await run(), 'absent');
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
