import { readFileSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/audit-command.js';
import { calibrateCommand } from '../../src/cli/calibrate-command.js';
import type { Io } from '../../src/cli/io.js';
import {
  endLike,
  fingerprintArgs,
  HUGE_PAGES_MIN_STORE_BYTES,
  HUGE_PAGES_TUNABLE,
  hugePageEnvironment,
  PARENT_ENV,
  processFacts,
  type RelaunchFacts,
  relaunch,
  SHORT_WITH_VALUE,
  watchParent,
} from '../../src/cli/relaunch.js';
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
  execArgv: [],
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
    // Short switches clustered before -f; a letter that takes a value (-p) takes the rest instead.
    expect(fingerprintArgs(['audit', 'share', '-qf', 'a', '-qfb', '-pf', 'x', '-jf'])).toEqual(['a', 'b']);
    expect(fingerprintArgs(['audit', 'share', '-f/data/a.cfs', '-f./b.cfs', '-f1m.cfs', '-ofindings.json', '-of', 'out.json'])).toEqual([
      '/data/a.cfs',
      './b.cfs',
      '1m.cfs',
    ]);
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
      [['audit', 'share', '-f', 'big.cfs'], { execArgv: ['--inspect-brk'] }], // the debugger would stop in the thin parent
      [['audit', 'share', '-f', 'big.cfs'], { env: { NODE_OPTIONS: '--max-old-space-size=8192 --inspect=9230' } }],
    ];
    for (const [argv, over] of cases) expect(hugePageEnvironment(facts(argv, over)), argv.join(' ')).toBeUndefined();
    expect(hugePageEnvironment(facts(['audit', 'share', '-f', 'big.cfs'], { env: { CUSTODY_NO_REEXEC: '0' } }))).toBeDefined();
    expect(hugePageEnvironment(facts(['audit', 'share', '-f', 'big.cfs'], { env: { NODE_OPTIONS: '--max-old-space-size=8192' } }))).toBeDefined();
  });
});

describe('SHORT_WITH_VALUE: the short options that take a value', () => {
  it('are those of the audit and calibrate commands, as commander defines them', () => {
    const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd: '/' } as unknown as Io;
    const letters = new Set<string>();
    for (const command of [auditCommand(io, () => {}), calibrateCommand(io, () => {})])
      for (const option of command.options) if (option.short && (option.required || option.optional)) letters.add(option.short.slice(1));
    expect([...letters].sort()).toEqual([...SHORT_WITH_VALUE].sort());
  });
});

describe('endLike: how the thin parent ends after the relaunched custody', () => {
  it('passes exit codes and stop signals on, and turns a core-dumping signal into its shell status', () => {
    expect(endLike({ exitCode: 3 })).toEqual({ exitCode: 3 });
    expect(endLike({ signal: 'SIGTERM' })).toEqual({ signal: 'SIGTERM' });
    expect(endLike({ signal: 'SIGSEGV' })).toEqual({ exitCode: 139 });
    expect(endLike({ signal: 'SIGABRT' })).toEqual({ exitCode: 134 });
  });
});

describe('watchParent: the relaunched custody ends with its parent', () => {
  it('tells a relaunched custody by the variable, and removes it', () => {
    const env: Record<string, string | undefined> = { [PARENT_ENV]: String(process.ppid), KEEP: '1' };
    expect(watchParent(env)).toBe(true);
    expect(env).toEqual({ KEEP: '1' });
    // A live process that is not our parent: a stale variable, nothing watched, and this process lives on.
    expect(watchParent({ [PARENT_ENV]: String(process.pid) })).toBe(true);
    expect(watchParent({})).toBe(false);
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
      `import { renameSync, writeFileSync } from 'node:fs';
import { watchParent } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/cli/relaunch.js')).href)};
// The handler before the marker the test waits for: a SIGTERM right after the marker finds it.
if (process.argv[3] === 'wait') process.on('SIGTERM', () => { writeFileSync(process.argv[2] + '.term', 'yes'); process.kill(process.pid, 'SIGKILL'); });
if (process.argv[3] === 'orphan') watchParent(process.env);
// Written whole, then renamed: the test never reads half a marker.
writeFileSync(process.argv[2] + '.part', JSON.stringify({ pid: process.pid, tunables: process.env.GLIBC_TUNABLES, args: process.argv.slice(3) }));
renameSync(process.argv[2] + '.part', process.argv[2]);
if (process.argv[3] === 'wait') setInterval(() => {}, 1000);
// Orphaned while its main thread is busy, as an audit's is while it builds a large index.
else if (process.argv[3] === 'orphan') { const until = Date.now() + 20000; while (Date.now() < until); }
else process.exitCode = 7;
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
    expect(JSON.parse(await readFile(marker, 'utf8'))).toMatchObject({ tunables: 'a=1:b=2', args: ['x', '--y'] });
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

  it('ends the child when the parent is killed outright (SIGKILL cannot be passed on)', async () => {
    const marker = path.join(dir, 'orphan.json');
    const parent = execa(process.execPath, [path.join(dir, 'parent.mjs'), path.join(dir, 'child.mjs'), marker, 'orphan'], { cwd: REPO_ROOT, reject: false });
    let pid = 0;
    for (let i = 0; i < 200 && !pid; i++) {
      pid = await readFile(marker, 'utf8').then(
        (text) => (JSON.parse(text) as { pid: number }).pid,
        () => 0,
      );
      if (!pid) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid).toBeGreaterThan(0);
    parent.kill('SIGKILL');
    await parent;
    // Ended means gone or a zombie (where nothing reaps an adopted child, e.g. node as PID 1).
    const alive = () => {
      try {
        return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        try {
          process.kill(pid, 0);
          return process.platform !== 'linux'; // no /proc entry on Linux: gone
        } catch {
          return false;
        }
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    const left = alive();
    if (left) process.kill(pid, 'SIGKILL'); // never leave it behind, whatever the test says
    expect(left).toBe(false);
  }, 20_000);
});

/** The kernel's huge page mode here: the spawned test below relaunches only in `madvise` mode. */
const mode = processFacts([], {}, '/').hugePageMode();

describe('bin/custody.js with a store past the size (spawned)', () => {
  if (mode !== 'madvise')
    console.warn(
      `relaunch.test.ts: spawned relaunch test skipped: transparent huge pages are '${mode ?? 'unknown'}' here, custody relaunches only in 'madvise' mode`,
    );
  it.skipIf(mode !== 'madvise')('relaunches once, and gives the same output and exit code as in one process', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      // A sparse file of the size: not a store, so both audits stop at its load, the same way.
      const store = await open(path.join(dir, 'big.cfs'), 'w');
      await store.truncate(HUGE_PAGES_MIN_STORE_BYTES);
      await store.close();
      await writeFile(path.join(dir, 'a.txt'), 'x');
      // Every node that starts notes its pid and tunables (threads are not nodes): the relaunch is seen, not assumed.
      const starts = path.join(dir, 'starts.txt');
      const preload = path.join(dir, 'preload.cjs');
      await writeFile(
        preload,
        `if (require('node:worker_threads').isMainThread) require('node:fs').appendFileSync(${JSON.stringify(starts)}, process.pid + ' ' + (process.env.GLIBC_TUNABLES ?? '-') + '\\n');\n`,
      );
      const custody = (env: Record<string, string>) =>
        execa(
          process.execPath,
          ['--require', preload, path.join(REPO_ROOT, 'bin/custody.js'), 'audit', '.', '--fingerprints', 'big.cfs', '--authorized', 'x/**'],
          {
            cwd: dir,
            reject: false,
            env: { NO_COLOR: '1', ...env },
            extendEnv: false,
          },
        );
      const relaunched = await custody({});
      const startsRelaunched = (await readFile(starts, 'utf8')).trim().split('\n');
      await writeFile(starts, '');
      const inProcess = await custody({ CUSTODY_NO_REEXEC: '1' });
      const startsInProcess = (await readFile(starts, 'utf8')).trim().split('\n');
      expect(startsRelaunched.map((l) => l.split(' ')[1])).toEqual(['-', HUGE_PAGES_TUNABLE]);
      expect(startsInProcess.map((l) => l.split(' ')[1])).toEqual(['-']);
      expect(relaunched.exitCode).toBe(2);
      expect([relaunched.exitCode, relaunched.stdout, relaunched.stderr]).toEqual([inProcess.exitCode, inProcess.stdout, inProcess.stderr]);
      // A relaunched custody whose tunable glibc dropped (a node with file capabilities run by another
      // user gets GLIBC_TUNABLES emptied) must not relaunch again, and again.
      await writeFile(starts, '');
      const dropped = await custody({ [PARENT_ENV]: String(process.pid), GLIBC_TUNABLES: '' });
      expect((await readFile(starts, 'utf8')).trim().split('\n')).toHaveLength(1);
      expect(dropped.exitCode).toBe(2);
    } finally {
      await cleanup();
    }
  });
});
