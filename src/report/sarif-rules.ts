import { HOMEPAGE } from '../version.js';
import { md } from './markdown.js';
import type { ProtocolInfo, Report, Severity } from './model.js';
import { LEVEL_OF } from './model.js';

/** GitHub code scanning ranks security results by this CVSS-like score (a string, per its docs). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

/** The README section that documents every requirement kind a protocol can use. */
const REQUIREMENTS_ANCHOR = '#policy-reference';

/** `Agency data only in the enclave` → `AgencyDataOnlyInTheEnclave`: SARIF names are identifiers. */
function ruleName(title: string): string {
  const words = title.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') || 'Protocol';
}

/**
 * One SARIF rule per protocol. GitHub code scanning reads `security-severity` only from rules
 * tagged `security`, and asks for a full description and help; the help says what the contract
 * requires and how to remedy a violation, since the finding's file alone cannot.
 */
function rule(p: ProtocolInfo, clauseTitle: string | undefined): Record<string, unknown> {
  const clause = clauseTitle ? `clause ${p.clause} (${clauseTitle})` : `clause ${p.clause}`;
  const text = `${p.title}. Contract ${clause}; requirement: ${p.requirement}; severity: ${p.severity}.${p.remediation ? ` Remediation: ${p.remediation}` : ''}`;
  return {
    id: p.id,
    name: ruleName(p.title),
    shortDescription: { text: p.title },
    fullDescription: { text },
    help: {
      text,
      markdown: `**${md(p.id)}**: ${md(p.title)}\n\nContract ${md(clause)}. Requirement ${md(p.requirement)}, severity **${p.severity}**.${p.remediation ? `\n\n**Remediation**: ${md(p.remediation)}` : ''}`,
    },
    ...(HOMEPAGE ? { helpUri: `${HOMEPAGE}${REQUIREMENTS_ANCHOR}` } : {}),
    defaultConfiguration: { level: LEVEL_OF[p.severity] },
    properties: {
      clause: p.clause,
      requirement: p.requirement,
      severity: p.severity,
      'security-severity': SECURITY_SEVERITY[p.severity],
      tags: ['security', 'custody', 'compliance', p.requirement, `clause-${p.clause}`],
      ...(p.notEvaluated !== undefined ? { notEvaluated: p.notEvaluated } : {}),
    },
  };
}

/** The run's `tool.driver`: custody, its version and home page, and one rule per protocol. */
export function sarifDriver(report: Report, protocols: readonly ProtocolInfo[]): Record<string, unknown> {
  const clauseTitles = new Map(report.clauses.map((c) => [c.id, c.title]));
  return {
    name: report.tool.name,
    version: report.tool.version,
    ...(HOMEPAGE ? { informationUri: HOMEPAGE } : {}),
    rules: protocols.map((p) => rule(p, clauseTitles.get(p.clause))),
  };
}
