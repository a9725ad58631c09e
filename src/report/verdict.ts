import { ExitCode } from '../util/exit-codes.js';
import { type ClauseResult, type Finding, type Report, SEVERITY_ORDER, type Severity } from './model.js';

/** The audit's one-word outcome, shown first by every human format. */
export type AuditVerdict = 'violated' | 'incomplete' | 'passed';

export interface VerdictInfo {
  verdict: AuditVerdict;
  /** Unwaived findings. */
  open: number;
  waived: number;
  /** Unwaived findings a baseline marked new (0 without a baseline). */
  new: number;
  /** Unwaived findings a baseline already knew. */
  unchanged: number;
  /** One sentence for humans. */
  headline: string;
}

/**
 * Derives the verdict from the findings and coverage. It describes the audit; whether the build
 * fails is the CLI's business (`--fail-on`, baseline), so this never looks at severities.
 */
export function verdictOf(report: Report): VerdictInfo {
  let open = 0;
  let waived = 0;
  let fresh = 0;
  let unchanged = 0;
  for (const f of report.findings) {
    if (f.waiver) {
      waived++;
      continue;
    }
    open++;
    if (f.baseline === 'new') fresh++;
    else if (f.baseline === 'unchanged') unchanged++;
  }
  const { incomplete, incompleteReasons, plates } = report.summary;
  const verdict: AuditVerdict = open > 0 ? 'violated' : incomplete ? 'incomplete' : 'passed';
  const parts: string[] = [];
  if (verdict === 'violated') {
    parts.push(`${open} ${plural(open, 'violation')} of the contract's protocols`);
    if (fresh + unchanged > 0) parts.push(`${fresh} new, ${unchanged} already in the baseline`);
  } else if (verdict === 'incomplete') {
    // Why first: the one line a CI log shows must say what was not checked.
    parts.push(...incompleteReasons, 'no violations found in what was inspected');
  } else {
    parts.push('no violations found');
  }
  if (waived > 0) parts.push(`${waived} waived`);
  if (verdict === 'violated' && incomplete) parts.push(`scan incomplete: ${incompleteReasons.join('; ')}`);
  if (plates.status === 'opted-out') parts.push(`plate records not checked, ${plates.reason ?? 'by request'}`);
  return { verdict, open, waived, new: fresh, unchanged, headline: parts.join('; ') };
}

/** A clause verdict as people read it: an incomplete audit's clauses passed only on what was inspected. */
export function clauseVerdictText(clause: Pick<ClauseResult, 'verdict'>): string {
  return clause.verdict === 'passed-on-inspected' ? 'passed on what was inspected' : clause.verdict;
}

/** The findings a human format lists under the `showWaived` rule. */
export function listedFindings(report: Report, showWaived: boolean): Finding[] {
  return showWaived ? report.findings : report.findings.filter((f) => !f.waiver);
}

/** `1 violation`, `2 violations`. */
export function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** Coverage entries counted by reason, most frequent first, ties by reason name. */
export function coverageByReason(report: Report): { reason: string; count: number; incomplete: boolean }[] {
  const m = new Map<string, { count: number; incomplete: boolean }>();
  for (const e of report.coverage) {
    const c = m.get(e.reason) ?? { count: 0, incomplete: false };
    c.count++;
    c.incomplete ||= e.incomplete;
    m.set(e.reason, c);
  }
  return [...m.entries()]
    .map(([reason, c]) => ({ reason, ...c }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
}

/** Record entries sorted by key, so that output never depends on insertion order. */
export function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The exit code of an audit or merge: 1 when an unwaived finding not known to the baseline reaches
 * `failOn`; else 3 when the audit was incomplete; else 0. Whether to fail is the caller's choice, so
 * it is decided here on the final report, never inside the audit.
 */
export function exitCodeFor(report: Report, failOn: Severity | 'none'): ExitCode {
  if (failOn !== 'none') {
    const threshold = SEVERITY_ORDER.indexOf(failOn);
    if (report.findings.some((f) => !f.waiver && f.baseline !== 'unchanged' && SEVERITY_ORDER.indexOf(f.severity) <= threshold)) return ExitCode.Violations;
  }
  return report.summary.incomplete ? ExitCode.Incomplete : ExitCode.Ok;
}
