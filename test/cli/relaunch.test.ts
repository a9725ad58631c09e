import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintArgs, HUGE_PAGES_MIN_STORE_BYTES, HUGE_PAGES_TUNABLE, hugePageEnvironment, type RelaunchFacts, relaunch } from '../../src/cli/relaunch.js';
import { REPO_ROOT, tempDir } from '../support/tmp.js';

const BIG = HUGE_PAGES_MIN_STORE_BYTES;
/** A Linux machine in madvise mode whose files have the sizes given. */
const facts = (
  argv: string[],
  over: Partial<RelaunchFacts> = {},
  sizes: Record<string, number> = { '/w/big.cfs': BIG, '/w/small.cfs': BIG / 4 },
): RelaunchFacts => ({
  argv,
  env: { PATH: '/bin', HOME: '/h' },
  cwd: '/w',
  platform: 'linux',
  sizeOf: (file) => sizes[file],
  hugePageMode: () => 'madvise',
  ...over,
});

describe('hugePageEnvironment: when an audit relaunches for huge pages', () => {
  it('relaunches an audit of a large store, with the tunable added and the rest of the environment kept', () => {
    expect(hugePageEnvironment(facts(['audit', 'share', '--fingerprints', 'big.cfs']))).toEqual({
      PATH: '/bin',
      HOME: '/h',
      GLIBC_TUNABLES: HUGE_PAGES_TUNABLE,
    });
    const other = hugePageEnvironment(facts(['audit', 'share', '-f', 'big.cfs'], { env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' } }));
    expect(other).toEqual({ GLIBC_TUNABLES: `glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}` });
  });

  it('counts the stores together, in every spelling commander takes', () => {
    expect(fingerprintArgs(['audit', 'share', '-f', 'a', '--fingerprints=b', '-fc', '--fingerprints', 'd', '--', '-f', 'e'])).toEqual(['a', 'b', 'c', 'd']);
    expect(fingerprintArgs(['--debug', 'calibrate', 'labels.csv', '-f', 'a'])).toEqual(['a']);
    const sizes = { '/w/a.cfs': BIG / 2, '/w/b.cfs': BIG / 2 };
    expect(hugePageEnvironment(facts(['audit', 'share', '-f', 'a.cfs', '-f', 'b.cfs'], {}, sizes))).toBeDefined();
    expect(hugePageEnvironment(facts(['audit', 'share', '-f', 'a.cfs'], {}, sizes))).toBeUndefined();
  });

  it('runs in this process otherwise', () => {
    const cases: [string[], Partial<RelaunchFacts>][] = [
      [['audit', 'share', '-f', 'small.cfs'], {}], // a small store: no second start-up
      [['audit', 'share', '-f', 'missing.cfs'], {}], // the audit will report it
      [['fingerprint', 'refs', '-f', 'big.cfs'], {}], // not a matching command
      [['audit', 'share', '-f', 'big.cfs'], { env: { CUSTODY_NO_REEXEC: '1' } }],
      [['audit', 'share', '-f', 'big.cfs'], { env: { GLIBC_TUNABLES: `${HUGE_PAGES_TUNABLE}` } }], // the relaunched one
      [['audit', 'share', '-f', 'big.cfs'], { env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' } }], // the caller's choice
      [['audit', 'share', '-f', 'big.cfs'], { hugePageMode: () => 'always' }],
      [['audit', 'share', '-f', 'big.cfs'], { hugePageMode: () => 'never' }],
      [['audit', 'share', '-f', 'big.cfs'], { hugePageMode: () => undefined }],
      [['audit', 'share', '-f', 'big.cfs'], { platform: 'darwin' }],
    ];
    for (const [argv, over] of cases) expect(hugePageEnvironment(facts(argv, over)), argv.join(' ')).toBeUndefined();
    expect(hugePageEnvironment(facts(['audit', 'share', '-f', 'big.cfs'], { env: { CUSTODY_NO_REEXEC: '0' } }))).toBeDefined();
  });
});

describe('relaunch: custody run again in a child node', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    // The child writes what it was given, then exits 7, or on SIGTERM notes it and ends by that signal.
    await writeFile(
      path.join(dir, 'child.mjs'),
      `import { writeFileSync } from 'node:fs';
writeFileSync(process.argv[2], JSON.stringify({ tunables: process.env.GLIBC_TUNABLES, args: process.argv.slice(3) }));
if (process.argv[3] === 'wait') {
  process.on('SIGTERM', () => { writeFileSync(process.argv[2] + '.term', 'yes'); process.kill(process.pid, 'SIGKILL'); });
  setInterval(() => {}, 1000);
} else process.exitCode = 7;
`,
    );
    // bin/custody.js's use of relaunch, around the child above.
    await writeFile(
      path.join(dir, 'parent.mjs'),
      `import { relaunch } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/cli/relaunch.js')).href)};
const r = await relaunch({ ...process.env, GLIBC_TUNABLES: 'x=1' }, { execPath: process.execPath, execArgv: [], script: process.argv[2], argv: process.argv.slice(3) }, process.stderr);
if (r?.signal) process.kill(process.pid, r.signal); else process.exitCode = r ? r.exitCode : 99;
`,
    );
  });
  afterAll(async () => cleanup());

  it("passes the environment and arguments on, and returns the child's exit code", async () => {
    const marker = path.join(dir, 'exit.json');
    const result = await relaunch(
      { GLIBC_TUNABLES: 'a=1:b=2' },
      { execPath: process.execPath, execArgv: [], script: path.join(dir, 'child.mjs'), argv: [marker, 'x', '--y'] },
      process.stderr,
    );
    expect(result).toEqual({ exitCode: 7 });
    expect(JSON.parse(await readFile(marker, 'utf8'))).toEqual({ tunables: 'a=1:b=2', args: ['x', '--y'] });
  });

  it('says in one line that it could not start, and leaves custody to run in this process', async () => {
    let said = '';
    const result = await relaunch({}, { execPath: path.join(dir, 'no-such-node'), execArgv: [], script: 'x', argv: [] }, { write: (t: string) => (said += t) });
    expect(result).toBeUndefined();
    expect(said).toMatch(/^custody: could not start a second process for huge pages \(.*ENOENT.*\); running without them\n$/);
  });

  it('sends a stop signal on to the child, then ends by it', async () => {
    const marker = path.join(dir, 'wait.json');
    const parent = execa(process.execPath, [path.join(dir, 'parent.mjs'), path.join(dir, 'child.mjs'), marker, 'wait'], { cwd: REPO_ROOT, reject: false });
    for (let i = 0; i < 200; i++) {
      const started = await open(marker).then(
        (f) => f.close().then(() => true),
        () => false,
      );
      if (started) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    parent.kill('SIGTERM');
    const ended = await parent;
    expect(await readFile(`${marker}.term`, 'utf8')).toBe('yes');
    // The child died by SIGKILL after noting SIGTERM; the parent re-raised that.
    expect(ended.signal).toBe('SIGKILL');
  }, 20_000);
});

describe('bin/custody.js with a store past the size (spawned)', () => {
  it('gives the same output and exit code relaunched as in one process', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      // A sparse file of the size: not a store, so both audits stop at its load, the same way.
      const store = await open(path.join(dir, 'big.cfs'), 'w');
      await store.truncate(HUGE_PAGES_MIN_STORE_BYTES);
      await store.close();
      await writeFile(path.join(dir, 'a.txt'), 'x');
      const custody = (env: Record<string, string>) =>
        execa(process.execPath, [path.join(REPO_ROOT, 'bin/custody.js'), 'audit', '.', '--fingerprints', 'big.cfs', '--authorized', 'x/**'], {
          cwd: dir,
          reject: false,
          env: { NO_COLOR: '1', ...env },
          extendEnv: false,
        });
      const [relaunched, inProcess] = await Promise.all([custody({}), custody({ CUSTODY_NO_REEXEC: '1' })]);
      expect(relaunched.exitCode).toBe(2);
      expect([relaunched.exitCode, relaunched.stdout, relaunched.stderr]).toEqual([inProcess.exitCode, inProcess.stdout, inProcess.stderr]);
    } finally {
      await cleanup();
    }
  });
});
