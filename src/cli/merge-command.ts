import { readFile } from 'node:fs/promises';
import { collect } from './options.js';
import path from 'node:path';
import { Command, Option } from 'commander';
import { mergeShards } from '../merge/merge.js';
import { InputError } from '../util/errors.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';
import { exitCodeFor } from './audit-command.js';
import { parseOutputs, reporterContext, writeReports } from './outputs.js';
import { SEVERITY_ORDER, type Report, type Severity } from '../report/model.js';

/** `custody merge shard-*.json`: one report from the shards of a split audit. */
export function mergeCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  return new Command('merge')
    .description('merge the JSON reports of `audit --shard k/n` runs into the report of a single run')
    .argument('<report...>', 'shard reports (JSON)')
    .option('--format <name>', 'report format (repeatable; pairs with --output in order)', collect)
    .option('-o, --output <file>', 'write the merged report to a file (repeatable)', collect)
    .addOption(new Option('--fail-on <severity>', 'exit 1 when an unwaived finding is at or above this severity').choices([...SEVERITY_ORDER, 'none']).default('high'))
    .option('--show-waived', 'list waived findings in human formats')
    .option('--no-color', 'no colour in terminal output')
    .action(async (files: string[], flags: { format?: string[]; output?: string[]; failOn: string; showWaived?: boolean; color: boolean }) => {
      const outputs = parseOutputs(flags.format?.length ? flags.format : ['json'], flags.output);
      const reports = await Promise.all(files.map((file) => readReport(path.resolve(io.cwd, file), file)));
      const merged = mergeShards(reports);
      await writeReports(merged, outputs, reporterContext(flags, io), io);
      setExit(exitCodeFor(merged, flags.failOn as Severity | 'none'));
    });
}

async function readReport(file: string, shown: string): Promise<Report> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InputError(shown, `not a readable JSON report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]})`);
  }
  const report = data as Partial<Report>;
  if (report.format !== 'custody-report' || report.version !== 1 || !Array.isArray(report.findings) || !Array.isArray(report.assets)) {
    throw new InputError(shown, 'not a custody report (format custody-report, version 1)');
  }
  return report as Report;
}
