import type { Io } from '../../../src/cli/io.js';
import { run } from '../../../src/cli/run.js';

/** What one in-process CLI run produced. */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured streams; `tty` makes stdout claim to be a terminal (colour). */
export async function runCli(argv: readonly string[], options: { cwd: string; env?: Record<string, string>; tty?: boolean }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty === true },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd,
  };
  const { exitCode } = await run(argv, io);
  return { exitCode, stdout, stderr };
}

/**
 * Lines of stderr that are not custody's one-line messages or problems in an input file
 * (`file:line:col message`, or `file message` when there is no position, e.g. an empty file).
 */
export function strayStderrLines(stderr: string, inputs: readonly string[] = []): string[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .filter((line) => !line.startsWith('custody: ') && !/^\S.*:\d+:\d+ /.test(line) && !inputs.some((file) => line.startsWith(`${file} `)));
}
