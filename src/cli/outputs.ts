import path from 'node:path';
import type { Report } from '../report/model.js';
import { FORMAT_BY_EXTENSION, isReportFormat, type ReportFormat, reporters } from '../report/registry.js';
import type { ReporterContext } from '../report/reporter.js';
import { UsageError } from '../util/errors.js';
import { escapeInvisible } from '../util/escape.js';
import { type WriteGuard, writeOutside } from '../util/safe-write.js';
import type { Io } from './io.js';

export interface Output {
  format: ReportFormat;
  /** Absent: stdout (also for `--output -`). */
  file?: string;
}

/**
 * Pairs `--format` and `--output` in order: `--format sarif --output a.sarif --format json
 * --output r.json`. An `--output` with no `--format` paired takes its format from its extension
 * (FORMAT_BY_EXTENSION); `--output -` is stdout, and a `--format` without an `--output` goes to
 * stdout too, `stdoutFormat` when none is given. At most one report goes to stdout.
 */
export function parseOutputs(formats: readonly string[] = [], files: readonly string[] = [], stdoutFormat: ReportFormat = 'pretty'): Output[] {
  for (const format of formats) {
    if (!isReportFormat(format)) throw new UsageError(`unknown --format "${escapeInvisible(format)}" (choose from ${Object.keys(reporters).join(', ')})`);
  }
  const count = Math.max(formats.length, files.length, 1);
  const outputs = Array.from({ length: count }, (_, i): Output => {
    const file = files[i] === '-' ? undefined : files[i];
    const format = (formats[i] as ReportFormat | undefined) ?? (file === undefined ? stdoutFormat : formatOfFile(file));
    return { format, ...(file !== undefined ? { file } : {}) };
  });
  if (outputs.filter((o) => !o.file).length > 1) throw new UsageError('only one report can go to stdout: give an --output for each other --format');
  return outputs;
}

function formatOfFile(file: string): ReportFormat {
  // An unknown extension is refused rather than guessed: `--output results.sraif` does not quietly become text.
  const format = FORMAT_BY_EXTENSION.get(path.extname(file).toLowerCase());
  if (format) return format;
  const known = [...FORMAT_BY_EXTENSION].map(([ext, name]) => `${ext} ${name}`).join(', ');
  throw new UsageError(
    `cannot tell the report format of --output ${escapeInvisible(file)} from its extension: add --format <name> before it (extensions: ${known})`,
  );
}

/** Colour only on a terminal, never with --no-color or NO_COLOR; waived findings listed on request. */
export function reporterContext(flags: { color: boolean; showWaived?: boolean }, io: Io): ReporterContext {
  return { color: flags.color && !io.env['NO_COLOR'] && io.stdout.isTTY === true, showWaived: flags.showWaived === true };
}

/**
 * Renders each requested format once and writes it (files through the write guard, so never into an
 * audited tree or through a link). Returns the text written per output, for signing.
 */
export async function writeReports(report: Report, outputs: readonly Output[], ctx: ReporterContext, io: Io, guard: WriteGuard): Promise<Map<Output, string>> {
  const written = new Map<Output, string>();
  for (const output of outputs) {
    const text = reporters[output.format](report, output.file ? { ...ctx, color: false } : ctx);
    if (output.file) await writeOutside(guard, io.cwd, output.file, text);
    else io.stdout.write(text);
    written.set(output, text);
  }
  return written;
}
