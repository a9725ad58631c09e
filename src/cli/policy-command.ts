import path from 'node:path';
import { Command } from 'commander';
import { type LoadedPolicy, loadPolicy, loadPolicyBytes } from '../policy/load.js';
import { readPolicyStream } from '../policy/read.js';
import { formatProblem, PolicyError, UsageError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';
import type { Io } from './io.js';

/** How messages name a policy read from standard input. */
export const STDIN_NAME = '<stdin>';

/**
 * Loads the policy a command line names: a file (relative to the cwd), or `-` for standard input,
 * whose relative paths (fingerprint files) then resolve against the cwd.
 */
export async function loadPolicyArgument(argument: string, io: Io): Promise<LoadedPolicy> {
  if (argument !== '-') return loadPolicy(path.resolve(io.cwd, argument), argument);
  if (!io.stdin) throw new PolicyError([{ file: STDIN_NAME, message: 'cannot read policy: there is no standard input' }]);
  return loadPolicyBytes(await readPolicyStream(io.stdin, STDIN_NAME), STDIN_NAME, io.cwd);
}

/** `custody policy check <file...>`: validates policies; every problem at once, as file:line:col. */
export function policyCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  const policy = new Command('policy').description('work with policy files');
  policy
    .command('check')
    .description('validate policy files (exit 2 on any error); - reads one from standard input')
    .argument('<file...>', 'policy YAML files, or - for standard input')
    .action(async (files: string[]) => {
      if (files.filter((file) => file === '-').length > 1) throw new UsageError('standard input (-) can be checked only once');
      for (const file of files) {
        const loaded = await loadPolicyArgument(file, io);
        for (const warning of loaded.warnings) io.stderr.write(`${formatProblem(warning)}\n`);
        const { contract, protocols, waivers } = loaded.doc;
        io.stdout.write(
          `${loaded.path}: ok (contract ${contract.id}, ${contract.clauses.length} clauses, ${protocols.length} protocols, ${waivers.length} waivers)\n`,
        );
      }
      setExit(ExitCode.Ok);
    });
  return policy;
}
