import { type Finding, type Report, SEVERITY_ORDER, type Severity } from '../report/model.js';
import { notInspectedCount } from '../sources/item.js';
import { clauseVerdicts } from './clauses.js';

/** Unwaived findings by severity, every severity present (waived findings never count against a contract). */
export function openBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.waiver) counts[f.severity]++;
  return counts;
}

/**
 * Brings what follows from the findings up to date: findings by severity, waived, clause verdicts.
 * The report is built before waivers apply (an audit and a merge build it alike), so the waiver
 * step calls this; everything it needs is in the report itself (which protocol could not be
 * evaluated, why the audit is incomplete). Pure: returns a new report.
 */
export function recount(report: Report): Report {
  const notEvaluated = new Map<string, string>();
  for (const p of report.protocols) if (p.notEvaluated !== undefined) notEvaluated.set(p.id, p.notEvaluated);
  const gaps = { reasons: report.summary.incompleteReasons, notInspected: notInspectedCount(report.coverage) };
  return {
    ...report,
    summary: { ...report.summary, findingsBySeverity: openBySeverity(report.findings), waived: report.findings.filter((f) => f.waiver).length },
    clauses: clauseVerdicts({ contract: { clauses: report.clauses }, protocols: report.protocols }, report.findings, notEvaluated, gaps),
  };
}
