import { Command } from 'commander';
import { formatProblem, UsageError } from '../util/errors.js';
import { ExitCode } from '../util/exit-codes.js';
import type { Io } from './io.js';

/** `custody policy check <file...>`: validates policies; every problem at once, as file:line:col. */
export function policyCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  const policy = new Command('policy').description('work with policy files');
  policy
    .command('check')
    .description('validate policy files (exit 2 on any error); - reads one from standard input')
    .argument('<file...>', 'policy YAML files, or - for standard input')
    .action(async (files: string[]) => {
      if (files.filter((file) => file === '-').length > 1) throw new UsageError('standard input (-) can be checked only once');
      // The policy loader (yaml, the zod schemas) is loaded by the command that needs it, not at start-up.
      const { loadPolicyArgument } = await import('../policy/argument.js');
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
