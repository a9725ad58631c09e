import path from 'node:path';
import { Command } from 'commander';
import { loadPolicy } from '../policy/load.js';
import { formatProblem } from '../util/errors.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';

/** `custody policy check <file...>`: validates policies; every problem at once, as file:line:col. */
export function policyCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  const policy = new Command('policy').description('work with policy files');
  policy
    .command('check')
    .description('validate policy files (exit 2 on any error)')
    .argument('<file...>', 'policy YAML files')
    .action(async (files: string[]) => {
      for (const file of files) {
        const loaded = await loadPolicy(path.resolve(io.cwd, file), file);
        for (const warning of loaded.warnings) io.stderr.write(`${formatProblem(warning)}\n`);
        const { contract, protocols, waivers } = loaded.doc;
        io.stdout.write(`${file}: ok (contract ${contract.id}, ${contract.clauses.length} clauses, ${protocols.length} protocols, ${waivers.length} waivers)\n`);
      }
      setExit(ExitCode.Ok);
    });
  return policy;
}
