import type { Report } from './model.js';
import { type ReportFormat, reporters } from './registry.js';
import type { ReporterContext } from './reporter.js';

/** What a file gets: no colour, waived findings counted but not listed (the CLI's defaults for files). */
export const FILE_CONTEXT: Readonly<ReporterContext> = Object.freeze({ color: false, showWaived: false });

/**
 * A finished report in one format, as the text of its file. The report must come from `auditWith`,
 * `runAudit` or `mergeShards` (finalized: redacted and sorted); reporters never reorder or mask.
 */
export function renderReport(format: ReportFormat, report: Report, ctx: Partial<ReporterContext> = {}): string {
  return reporters[format](report, { ...FILE_CONTEXT, ...ctx });
}
