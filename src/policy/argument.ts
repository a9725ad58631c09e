import path from 'node:path';
import { PolicyError } from '../util/errors.js';
import { type LoadedPolicy, loadPolicy, loadPolicyBytes } from './load.js';
import { readPolicyStream } from './read.js';

/** How messages name a policy read from standard input. */
export const STDIN_NAME = '<stdin>';

/** Where a policy argument is read from: the directory paths are relative to, and standard input. */
export interface PolicySource {
  cwd: string;
  /** Read only for `-`; absent means there is none. */
  stdin?: AsyncIterable<Uint8Array | string>;
}

/**
 * Loads the policy a command line (or an embedding tool) names: a file, relative to `cwd`, or `-`
 * for standard input, whose relative paths (fingerprint files) then resolve against `cwd`.
 *
 * @throws PolicyError naming the file (line:col for YAML problems), every problem at once.
 */
export async function loadPolicyArgument(argument: string, source: PolicySource): Promise<LoadedPolicy> {
  if (argument !== '-') return loadPolicy(path.resolve(source.cwd, argument), argument);
  if (!source.stdin) throw new PolicyError([{ file: STDIN_NAME, message: 'cannot read policy: there is no standard input' }]);
  return loadPolicyBytes(await readPolicyStream(source.stdin, STDIN_NAME), STDIN_NAME, source.cwd);
}
