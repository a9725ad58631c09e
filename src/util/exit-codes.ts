/** custody's exit codes (also listed in `custody --help`). */
export const ExitCode = {
  /** No violation at or above --fail-on, and everything was inspected. */
  Ok: 0,
  /** Violations at or above --fail-on. */
  Violations: 1,
  /** Usage, policy or input error: nothing was audited. */
  Usage: 2,
  /** The scan is incomplete (something could not be read) and no violation outranks it. */
  Incomplete: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
