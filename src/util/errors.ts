import { ExitCode } from './exit-codes.js';

/**
 * Known failures: each prints as one line (no stack unless --debug) and carries its exit code.
 * Anything else that escapes is a bug and is reported as such.
 */
export class CustodyError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command-line usage. */
export class UsageError extends CustodyError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/** A problem at a position in a file. */
export interface Problem {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

export const formatProblem = (p: Problem): string => `${p.file}${p.line === undefined ? '' : `:${p.line}:${p.col ?? 1}`} ${p.message}`;

/** A policy file with one or more problems; all of them are reported at once. */
export class PolicyError extends CustodyError {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'), ExitCode.Usage);
  }
}

/** An input custody cannot use at all (a fingerprint file that does not validate, a missing manifest). */
export class InputError extends CustodyError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`, ExitCode.Usage);
  }
}

/** The system error code of a thrown value (ENOENT, EACCES, ELOOP, ...), when it carries one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The code of an error the operating system raised (EIO, EISDIR, ENOSPC), undefined for anything
 * else: Node's own ERR_* codes (ERR_OUT_OF_RANGE from a wrong buffer length) are a bug's, not the file's.
 */
export function systemErrorCode(error: unknown): string | undefined {
  const code = errorCode(error);
  return code === undefined || code.startsWith('ERR_') ? undefined : code;
}

/**
 * Rethrows `error` as a one-line refusal of `file` when the operating system raised it (EIO from a
 * failing disk, EISDIR), saying `what` with the code; a CustodyError, or an error that is not the
 * file's (a bug), passes as it is.
 */
export function refuseSystemError(error: unknown, file: string, what: string): never {
  const code = systemErrorCode(error);
  if (error instanceof CustodyError || code === undefined) throw error;
  throw new InputError(file, `${what} (${code})`);
}

/**
 * One line about a thrown value, for messages and coverage details: its message's first line (or
 * the value itself), at most 200 characters. Never a stack.
 */
export function describeError(error: unknown): string {
  const message =
    error instanceof Error
      ? error.message
      : typeof (error as { message?: unknown })?.message === 'string'
        ? (error as { message: string }).message
        : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 200);
}
