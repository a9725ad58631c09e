import { Command, CommanderError } from 'commander';
import { CustodyError, formatProblem, PolicyError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { ExitCode } from '../util/exit-codes.js';
import { VERSION } from '../version.js';
import { auditCommand } from './audit-command.js';
import { calibrateCommand } from './calibrate-command.js';
import { fingerprintCommand } from './fingerprint-command.js';
import type { Io } from './io.js';
import { mergeCommand } from './merge-command.js';
import { policyCommand } from './policy-command.js';
import { verifyCommand } from './verify-command.js';

const EXIT_HELP = `
Exit codes:
  0  clean: no violation at or above --fail-on, everything inspected
  1  violations at or above --fail-on
  2  usage, policy or input error (nothing was audited)
  3  scan incomplete (something could not be read) and no violation outranks it`;

/**
 * The whole CLI as a function: parses argv, runs the command, returns the exit code. Output goes
 * only through `io`; nothing here touches process globals, so tests run it in-process.
 */
export async function run(argv: readonly string[], io: Io): Promise<{ exitCode: ExitCode }> {
  let exitCode: ExitCode = ExitCode.Ok;
  const setExit = (code: ExitCode) => (exitCode = code);
  // Commander's own errors quote what was typed (`unknown option '--x'`): shown with invisible
  // characters escaped, line by line, like every other message.
  const output = {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) => write(s.split('\n').map(escapeInvisible).join('\n')),
  };
  const program = new Command('custody')
    .description("Audit how a subcontractor handles an agency's data: copies of agency images and plate records outside authorised locations.")
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces for unexpected errors')
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .configureOutput(output)
    .showHelpAfterError('(run custody --help for usage)');

  program.addCommand(fingerprintCommand(io, setExit));
  program.addCommand(policyCommand(io, setExit));
  program.addCommand(auditCommand(io, setExit));
  program.addCommand(mergeCommand(io, setExit));
  program.addCommand(verifyCommand(io, setExit));
  program.addCommand(calibrateCommand(io, setExit));
  for (const command of program.commands) command.exitOverride().configureOutput(output);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return { exitCode };
  } catch (error) {
    return { exitCode: handleError(error, io, argv.includes('--debug')) };
  }
}

function handleError(error: unknown, io: Io, debug: boolean): ExitCode {
  if (error instanceof CommanderError) {
    // Help and version asked for are successful exits; help shown because no command was given (it
    // goes to stderr) and everything else commander rejects is usage.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
    if (error.code === 'commander.help') return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    return ExitCode.Usage;
  }
  if (error instanceof PolicyError) {
    // One line per problem, each `file:line:col message`, so editors and CI annotate them.
    for (const problem of error.problems) io.stderr.write(`${escapeInvisible(formatProblem(problem))}\n`);
    return error.exitCode;
  }
  if (error instanceof CustodyError) {
    // Messages quote user input (paths, flag values): one line, invisible characters escaped.
    io.stderr.write(`custody: ${escapeInvisible(error.message)}\n`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`custody: internal error: ${escapeInvisible(message.split('\n')[0] ?? '')} (this is a bug; rerun with --debug for details)\n`);
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return ExitCode.Usage;
}
