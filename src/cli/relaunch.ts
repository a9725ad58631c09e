import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Transparent huge pages for large reference stores (issue #17). An audit's searches at a million
 * references and more wait on cache and TLB misses over hundreds of MB (3 GB at ten million) of index
 * tables and hashes; 2 MB pages take most of the TLB misses away. Where the kernel gives huge pages
 * only to memory that asks for them (`madvise` mode, the common default), glibc 2.35+ asks for its
 * large blocks, which hold V8's array buffers, when GLIBC_TUNABLES carries `glibc.malloc.hugetlb=1`.
 * glibc reads that once, as the process starts, so custody cannot set it for itself: when an audit
 * is given a store this large, bin/custody.js runs custody again, once, in a child node with the
 * variable added, and passes on its exit. A small audit never pays that second start-up: the decision
 * reads only the command line, the stores' sizes and the kernel's mode. Stores named only by a
 * policy file do not count (reading the policy here would cost every audit).
 */
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';
/**
 * Stores from this size up (in all, ~300,000 references) relaunch. What was measured (session 18,
 * alternating pairs): at ten million references (an 8.9 GB store) whole audits 0.84x the CPU; at a
 * million (848 MiB) the load step (store load and index build) 0.73-0.84x, whole audits 0.93-1.03x,
 * the matcher itself no clear gain. Nothing between 256 MiB and a million references was measured:
 * the bound is where the tables start to be hundreds of MB, not a measured break-even.
 */
export const HUGE_PAGES_MIN_STORE_BYTES = 256 * 1024 * 1024;
/** Set to anything but empty or `0`: never relaunch (the audit runs in this process, as it is). */
export const NO_RELAUNCH_ENV = 'CUSTODY_NO_REEXEC';
/** The commands that load stores to match against, and so search their tables. */
const MATCHING_COMMANDS = new Set(['audit', 'calibrate']);

/** What the decision reads, injected so that tests give it any machine. */
export interface RelaunchFacts {
  /** custody's arguments (after node and the script). */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  platform: string;
  /** node's own flags (`process.execArgv`). */
  execArgv: readonly string[];
  /** A file's size in bytes; undefined when it cannot be read (the audit itself will say why). */
  sizeOf(file: string): number | undefined;
  /** The kernel's transparent huge page mode (`always`, `madvise`, `never`); undefined if unknown. */
  hugePageMode(): string | undefined;
}

/**
 * Short options of the matching commands (audit, calibrate) that take a value; their other short
 * options are switches. A test checks this against the commands' own definitions.
 */
export const SHORT_WITH_VALUE: ReadonlySet<string> = new Set(['p', 'f', 'a', 'm', 'j', 'o']);

/**
 * The value of `-f` in one argument, as commander reads it: `-f<value>` (`-f/data/a.cfs`), or a
 * cluster of switches ending at `f` (`-qf store`, `-qfstore`), whose value is the rest of the token
 * or the next argument; null when the token gives `-f` no value (another option takes the rest),
 * undefined when it is no short option.
 */
function shortF(token: string, next: string | undefined): { value: string | undefined; usesNext: boolean } | null | undefined {
  if (!/^-[A-Za-z]/.test(token)) return undefined;
  for (let i = 1; i < token.length; i++) {
    const letter = token[i]!;
    if (!SHORT_WITH_VALUE.has(letter)) continue;
    if (letter !== 'f') return null;
    const rest = token.slice(i + 1);
    return rest ? { value: rest, usesNext: false } : { value: next, usesNext: true };
  }
  return null;
}

/** The `--fingerprints` / `-f` files of a matching command, as commander would read them. */
export function fingerprintArgs(argv: readonly string[]): string[] {
  const command = argv.findIndex((a) => !a.startsWith('-'));
  if (command < 0 || !MATCHING_COMMANDS.has(argv[command]!)) return [];
  const files: string[] = [];
  for (let i = command + 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--fingerprints') {
      const next = argv[i + 1];
      if (next !== undefined) files.push(next);
      i++;
    } else if (a.startsWith('--fingerprints=')) files.push(a.slice('--fingerprints='.length));
    else {
      const clustered = shortF(a, argv[i + 1]);
      if (!clustered) continue;
      if (clustered.value !== undefined) files.push(clustered.value);
      if (clustered.usesNext) i++;
    }
  }
  return files;
}

/**
 * The environment to relaunch custody with for huge pages, or undefined to run in this process:
 * on Linux with the kernel in `madvise` mode (in `always` mode the blocks get huge pages anyway, in
 * `never` they cannot), when a matching command's stores total {@link HUGE_PAGES_MIN_STORE_BYTES},
 * unless the caller switched it off or already set the tunable (its value, whatever it is, stands),
 * or node is being debugged
 * (an `--inspect` flag, in node's flags or NODE_OPTIONS: the child could not open the parent's
 * debugger port, and the debugger would stop in the thin parent, not in the audit). A relaunched
 * custody never asks (bin/custody.js, {@link watchParent}).
 */
export function hugePageEnvironment(facts: RelaunchFacts): Record<string, string | undefined> | undefined {
  if (facts.platform !== 'linux') return undefined;
  const off = facts.env[NO_RELAUNCH_ENV];
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  const tunables = facts.env['GLIBC_TUNABLES'] ?? '';
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return undefined;
  if ([...facts.execArgv, facts.env['NODE_OPTIONS'] ?? ''].some((flag) => /(^|\s)--(inspect|debug-port)/.test(flag))) return undefined;
  const files = fingerprintArgs(facts.argv);
  if (files.length === 0) return undefined;
  const bytes = files.reduce((sum, f) => sum + (facts.sizeOf(path.resolve(facts.cwd, f)) ?? 0), 0);
  if (bytes < HUGE_PAGES_MIN_STORE_BYTES || facts.hugePageMode() !== 'madvise') return undefined;
  return { ...facts.env, GLIBC_TUNABLES: tunables ? `${tunables}:${HUGE_PAGES_TUNABLE}` : HUGE_PAGES_TUNABLE };
}

/** This machine's facts for {@link hugePageEnvironment}. */
export function processFacts(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  execArgv: readonly string[] = process.execArgv,
): RelaunchFacts {
  return {
    argv,
    env,
    cwd,
    platform: process.platform,
    execArgv,
    sizeOf: (file) => {
      try {
        return statSync(file).size;
      } catch {
        return undefined;
      }
    },
    hugePageMode: () => {
      try {
        // e.g. "always [madvise] never": the bracketed word is the mode in force.
        return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
      } catch {
        return undefined;
      }
    },
  };
}

/** How the relaunched custody ended: its exit code, or the signal that ended it. */
export type Relaunched = { exitCode: number; signal?: undefined } | { exitCode?: undefined; signal: NodeJS.Signals };

/** Set in the relaunched custody's environment to its parent's pid: see {@link watchParent}. */
export const PARENT_ENV = 'CUSTODY_RELAUNCHED_BY';
/** How often the relaunched custody looks whether its parent still lives. */
const PARENT_POLL_MS = 1000;

/**
 * Watches a relaunched custody's parent from a thread of its own: the main thread builds the
 * index synchronously (23-36 s at ten million references) and no timer of its own fires meanwhile.
 */
const WATCHER = `const { workerData } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGTERM'); }, workerData.every);`;

/**
 * In the relaunched custody: ends it (SIGTERM, as a supervisor's stop would) once the parent that
 * started it is gone. A parent killed by SIGKILL (a job runner's hard timeout) cannot pass that on,
 * and the audit, gigabytes at agency scale, would run on orphaned, writing its outputs beside a
 * retry's. Linux gives an orphan a new parent, so a parent pid that changed is a parent that died:
 * already at start (killed while this node started) the process ends at once; later a watcher thread
 * looks once a second. Removes the variable, so that processes custody starts do not inherit it.
 * Returns whether this custody was relaunched (the variable was set): then it never relaunches
 * again, even where GLIBC_TUNABLES did not reach it (glibc drops tunables for a node with file
 * capabilities run by another user, and each relaunch would start the next).
 */
export function watchParent(env: Record<string, string | undefined>): boolean {
  const value = env[PARENT_ENV];
  delete env[PARENT_ENV];
  if (value === undefined) return false;
  const parent = Number(value);
  if (!Number.isInteger(parent) || parent <= 0) return true;
  if (process.ppid !== parent) {
    // Not our parent: it died while this node started, or the variable is stale (set by hand); a
    // parent that still lives is the latter, and nothing is watched.
    if (!alive(parent)) process.kill(process.pid, 'SIGTERM');
    return true;
  }
  new Worker(WATCHER, { eval: true, workerData: { parent, every: PARENT_POLL_MS } }).unref();
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals that dump core: a child ended by one is reported by its exit status, not raised again (a second, useless core). */
const CORE_SIGNALS: ReadonlySet<string> = new Set(['SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGSYS', 'SIGXCPU', 'SIGXFSZ']);

/**
 * How this process ends after the relaunched custody ended: its exit code, or for a stop signal the
 * same signal raised here (callers see custody stopped as they would have); for a signal that dumps
 * core, the shell's status for it (128 + its number), so that only the child leaves a core.
 */
export function endLike(result: Relaunched): { exitCode: number } | { signal: NodeJS.Signals } {
  if (result.signal === undefined) return { exitCode: result.exitCode };
  if (CORE_SIGNALS.has(result.signal)) return { exitCode: 128 + (osConstants.signals[result.signal] ?? 0) };
  return { signal: result.signal };
}

/** The signals a shell or supervisor sends to stop custody: passed on to the child, which then ends as it would have. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs custody again in a child node (`node [node's flags] <script> <argv>`) with `env`, sharing
 * this process's standard input, output and error, and resolves with how it ended; undefined when
 * it could not be started (after one line on `stderr`: the caller then runs custody in-process).
 * Stop signals sent to this process while the child runs are sent on to it.
 */
export function relaunch(
  env: Record<string, string | undefined>,
  command: { execPath: string; execArgv: readonly string[]; script: string; argv: readonly string[] },
  stderr: { write(text: string): unknown },
): Promise<Relaunched | undefined> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    // Ctrl-\ sends SIGQUIT to the whole foreground group: the child dumps its core, this one need not.
    const ignore = () => {};
    const settle = (result: Relaunched | undefined) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      process.off('SIGQUIT', ignore);
      resolve(result);
    };
    try {
      const childEnv = { ...env, [PARENT_ENV]: String(process.pid) };
      child = spawn(command.execPath, [...command.execArgv, command.script, ...command.argv], { env: childEnv, stdio: 'inherit' });
    } catch (error) {
      stderr.write(`custody: could not start a second process for huge pages (${(error as Error).message}); running without them\n`);
      resolve(undefined);
      return;
    }
    for (const signal of FORWARDED) process.on(signal, forward);
    process.on('SIGQUIT', ignore);
    // 'error' also reports a failed kill of a running child, whose 'exit' still follows: only an
    // error before the child started means there is none.
    let started = false;
    child.once('spawn', () => (started = true));
    child.on('error', (error) => {
      if (started) return;
      stderr.write(`custody: could not start a second process for huge pages (${error.message}); running without them\n`);
      settle(undefined);
    });
    child.once('exit', (code, signal) => settle(signal ? { signal } : { exitCode: code ?? 1 }));
  });
}
