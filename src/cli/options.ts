import { InvalidArgumentError, Option } from 'commander';
import { SEVERITY_ORDER } from '../report/model.js';
import { escapeInvisible } from '../util/escape.js';

/** Commander accumulator for repeatable options (`--format a --format b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `--sarif-root <dir>`: what SARIF URIs are relative to (GitHub needs the repository checkout).
 * Here rather than beside the code that resolves it (sarif-paths.ts), which loads the walk.
 */
export function sarifRootOption(): Option {
  return new Option('--sarif-root <dir>', 'directory SARIF locations are relative to, as %SRCROOT% (default: the working directory)');
}

/** `--fail-on <severity>`, case-insensitive (`--fail-on HIGH` is `high`), default high. */
export function failOnOption(): Option {
  const choices = [...SEVERITY_ORDER, 'none'];
  return new Option('--fail-on <severity>', 'exit 1 when an unwaived finding is at or above this severity')
    .choices(choices)
    .default('high')
    .argParser((value: string) => {
      const lower = value.toLowerCase();
      if (!choices.includes(lower)) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')} (not "${escapeInvisible(value)}").`);
      return lower;
    });
}
