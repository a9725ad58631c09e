import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from '../report/model.js';
import { isReportFormat, reporters, type ReportFormat } from '../report/registry.js';
import type { ReporterContext } from '../report/reporter.js';
import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';

export interface Output {
  format: ReportFormat;
  /** Absent: stdout. */
  file?: string;
}

/**
 * Pairs `--format` and `--output` in order: `--format sarif --output a.sarif --format json
 * --output r.json`. A lone `--output` takes the first format (default pretty, or json for a .json
 * file); at most one report goes to stdout.
 */
export function parseOutputs(formats: readonly string[] = [], files: readonly string[] = []): Output[] {
  for (const format of formats) {
    if (!isReportFormat(format)) throw new UsageError(`unknown --format "${format}" (choose from ${Object.keys(reporters).join(', ')})`);
  }
  if (files.length > Math.max(formats.length, 1)) throw new UsageError('more --output files than --format options: pair each --output with a --format');
  const names = formats.length > 0 ? (formats as ReportFormat[]) : [files[0] && path.extname(files[0]) === '.json' ? 'json' : 'pretty'] as ReportFormat[];
  const outputs = names.map((format, i) => ({ format, ...(files[i] ? { file: files[i] } : {}) }));
  if (outputs.filter((o) => !o.file).length > 1) throw new UsageError('only one report can go to stdout: give an --output for each other --format');
  return outputs;
}

/** Colour only on a terminal, never with --no-color or NO_COLOR; waived findings listed on request. */
export function reporterContext(flags: { color: boolean; showWaived?: boolean }, io: Io): ReporterContext {
  return { color: flags.color && !io.env['NO_COLOR'] && io.stdout.isTTY === true, showWaived: flags.showWaived === true };
}

/** Renders each requested format once and writes it. */
export async function writeReports(report: Report, outputs: readonly Output[], ctx: ReporterContext, io: Io): Promise<void> {
  for (const output of outputs) {
    const text = reporters[output.format](report, output.file ? { ...ctx, color: false } : ctx);
    if (output.file) {
      try {
        await writeFile(path.resolve(io.cwd, output.file), text);
      } catch (error) {
        throw new UsageError(`cannot write ${output.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    } else io.stdout.write(text);
  }
}
