import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Debian's git, run on a repository of the audited tree, which must be treated as hostile: only
 * plumbing commands, against a neutral git directory of custody's own making (git-shadow.ts: the
 * repository's config, hooks and alternates are never read), with no system or global config, no
 * optional locks (a read never refreshes an index), no replace objects, no prompts and no lazy
 * fetch of missing objects. `-c` settings come last in precedence order and repeat the defaults
 * that matter, in case a future git reads some other file.
 */
export function gitEnvironment(gitDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: gitDir,
    XDG_CONFIG_HOME: gitDir,
    GIT_DIR: gitDir,
    GIT_CEILING_DIRECTORIES: gitDir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_SYSTEM: '/dev/null',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_NO_LAZY_FETCH: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    LC_ALL: 'C',
  };
}

const SAFE_SETTINGS = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.sshCommand=false',
  'protocol.allow=never',
  'gc.auto=0',
  'maintenance.auto=false',
];

/** The arguments before a git command: the settings above and no replace objects. */
export const gitPrefix = (): string[] => ['--no-replace-objects', ...SAFE_SETTINGS.flatMap((setting) => ['-c', setting])];

/** Starts a long-running git plumbing command (cat-file --batch, diff-tree --stdin) in `gitDir`. */
export function spawnGit(gitDir: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn('git', [...gitPrefix(), ...args], { cwd: gitDir, env: gitEnvironment(gitDir), stdio: ['pipe', 'pipe', 'pipe'] });
}

const run = promisify(execFile);

/** Runs a short git command and returns its standard output (bounded), or throws with git's message. */
export async function gitOutput(gitDir: string, args: readonly string[], maxBuffer = 16 * 1024 * 1024): Promise<string> {
  const { stdout } = await run('git', [...gitPrefix(), ...args], { cwd: gitDir, env: gitEnvironment(gitDir), maxBuffer, encoding: 'utf8' });
  return stdout;
}

let available: Promise<boolean> | undefined;

/** Whether a git binary runs here (probed once). Its absence is coverage, never a crash. */
export function gitAvailable(): Promise<boolean> {
  available ??= run('git', ['--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).then(
    () => true,
    () => false,
  );
  return available;
}

/** One line of git's complaint, for a coverage detail. */
export function gitMessage(error: unknown): string {
  const stderr = (error as { stderr?: unknown } | null)?.stderr;
  const text = typeof stderr === 'string' && stderr.trim() ? stderr : error instanceof Error ? error.message : String(error);
  const line =
    text
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '') ?? 'git failed';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Reads a child's stream as NUL- (or newline-) separated tokens, without holding more than one token. */
export async function* tokens(stream: NodeJS.ReadableStream, separator: number): AsyncGenerator<string> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    rest = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let end = rest.indexOf(separator); end !== -1; end = rest.indexOf(separator, start)) {
      yield rest.toString('utf8', start, end);
      start = end + 1;
    }
    rest = rest.subarray(start);
  }
  if (rest.length > 0) yield rest.toString('utf8');
}
