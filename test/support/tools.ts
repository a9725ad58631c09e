import { execFileSync } from 'node:child_process';

/**
 * Whether a Debian program the tests need is installed: `command args` runs (a non-zero exit, such
 * as a usage message, still means it is there). When it is absent, says which tests are skipped
 * and how to install it, once, as every test that needs a Debian package must.
 */
export function hasTool(command: string, args: readonly string[], skipped: string): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return true;
    console.warn(skipped);
    return false;
  }
}
