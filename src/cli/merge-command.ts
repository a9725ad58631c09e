import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import type { Report, Severity } from '../report/model.js';
import { exitCodeFor } from '../report/verdict.js';
import { describeError, errorCode, InputError } from '../util/errors.js';
import type { ExitCode } from '../util/exit-codes.js';
import type { Io } from './io.js';
import { collect, failOnOption, sarifRootOption } from './options.js';

interface MergeFlags {
  format?: string[];
  output?: string[];
  sarifRoot?: string;
  failOn: string;
  showWaived?: boolean;
  baseline?: string;
  color: boolean;
}

/** `custody merge shard-*.json`: one report from the shards and reference splits of a divided audit. */
export function mergeCommand(io: Io, setExit: (code: ExitCode) => void): Command {
  return new Command('merge')
    .description('merge the JSON reports of `audit --shard k/n` and `audit --references k/n` runs into the report of a single run')
    .argument('<report...>', 'shard or reference-split reports (JSON)')
    .option('--format <name>', 'report format (repeatable; pairs with --output in order)', collect)
    .option('-o, --output <file>', 'write the merged report to a file (format from --format, else from the extension); - is stdout (repeatable)', collect)
    .addOption(sarifRootOption())
    .addOption(failOnOption())
    .option('--show-waived', 'list waived findings in human formats')
    .option('--baseline <report.json>', 'only findings not in this earlier JSON report fail the build')
    .option('--no-color', 'no colour in terminal output')
    .action(async (files: string[], flags: MergeFlags) => {
      // Loaded here, not at start-up: merging, baselines (a zod schema), reporters and the write guard.
      const [{ mergeReports }, { loadBaseline }, { parseOutputs, reporterContext, writeReports }, { mergeSarifPaths }, { checkedDestination, writeGuard }] =
        await Promise.all([
          import('../merge/merge.js'),
          import('../postprocess/baseline.js'),
          import('./outputs.js'),
          import('./sarif-paths.js'),
          import('../util/safe-write.js'),
        ]);
      const outputs = parseOutputs(flags.format, flags.output, 'json');
      // No audited tree here, but the shard reports are inputs: the merge never overwrites one.
      const guard = await writeGuard(io.cwd, [], files);
      for (const output of outputs) if (output.file) await checkedDestination(guard, io.cwd, output.file);
      const reports = await Promise.all(files.map((file) => readReport(path.resolve(io.cwd, file), file)));
      const baseline = flags.baseline ? await loadBaseline(path.resolve(io.cwd, flags.baseline)) : undefined;
      const merged = mergeReports(reports, baseline ? { baseline } : {});
      const sarifPaths = outputs.some((o) => o.format === 'sarif') ? await mergeSarifPaths(flags.sarifRoot, io.cwd, merged.inputs) : undefined;
      await writeReports(merged, outputs, { ...reporterContext(flags, io), ...(sarifPaths ? { sarifPaths } : {}) }, io, guard);
      setExit(exitCodeFor(merged, flags.failOn as Severity | 'none'));
    });
}

async function readReport(file: string, shown: string): Promise<Report> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InputError(shown, `not a readable JSON report (${errorCode(error) ?? describeError(error)})`);
  }
  const report = data as Partial<Report>;
  if (report.format !== 'custody-report' || report.version !== 1 || !Array.isArray(report.findings) || !Array.isArray(report.assets)) {
    throw new InputError(shown, 'not a custody report (format custody-report, version 1)');
  }
  return report as Report;
}
