import type { Waiver } from '../policy/schema.js';
import type { Report } from '../report/model.js';
import { applyBaseline } from './baseline.js';
import { dedupeNotices } from './dedupe.js';
import { redactDeep } from './redact.js';
import { sortReport } from './sort.js';
import { waiveReport } from './waivers.js';

/** What finalize needs besides the report. */
export interface FinalizeOptions {
  /** The policy's waivers. */
  waivers: readonly Waiver[];
  /** The audit time: a waiver is active through the end of its `expires` day. */
  now: Date;
  /** Fingerprints of the findings of an earlier report (baseline.ts `loadBaseline`); each finding is then marked new or unchanged. */
  baseline?: ReadonlySet<string>;
  /** Masks agency plates in a string (redact.ts `plateRedactor`); absent when there is nothing to mask. */
  redact?: (text: string) => string;
}

/**
 * The one post-processing pipeline, used by every command that produces a report (`audit`,
 * `merge`): waivers, then the baseline, then redaction, then dedupe and sort. The order matters:
 * a baseline marks what waivers left; redaction runs once, on the shared model, before any reporter
 * sees it, so no format can leak what another masks; sorting comes last, so that the order of the
 * findings never depends on a plate that is no longer in the report. Pure: returns a new report.
 *
 * @param report as `assemble` builds it: no waiver applied, in any order.
 */
export function finalize(report: Report, options: FinalizeOptions): Report {
  const waived = waiveReport(report, options.waivers, options.now);
  const marked = options.baseline ? { ...waived, findings: applyBaseline(waived.findings, options.baseline) } : waived;
  const redacted = options.redact ? redactDeep(marked, options.redact) : marked;
  return sortReport({ ...redacted, notices: dedupeNotices(redacted.notices) });
}
