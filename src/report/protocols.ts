import type { ClauseResult, Finding, ProtocolInfo, Report } from './model.js';

/**
 * The report's protocols in policy order, plus any protocol a finding names that the list lacks
 * (derived from the finding, id standing in for the title), so no finding is ever without a rule.
 */
export function protocolsOf(report: Report): ProtocolInfo[] {
  const known = new Set(report.protocols.map((p) => p.id));
  const extra = new Map<string, ProtocolInfo>();
  for (const f of report.findings) {
    if (known.has(f.ruleId) || extra.has(f.ruleId)) continue;
    extra.set(f.ruleId, { id: f.ruleId, clause: f.clause, title: f.ruleId, severity: f.severity, level: f.level, requirement: f.requirement });
  }
  if (extra.size === 0) return report.protocols;
  const rest = [...extra.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return [...report.protocols, ...rest];
}

/** A clause with the protocols that cite it; clauses only findings mention are appended. */
export interface ClauseGroup {
  clause: ClauseResult;
  protocols: ProtocolInfo[];
}

export function clauseGroups(report: Report): ClauseGroup[] {
  const protocols = protocolsOf(report);
  const groups = report.clauses.map((clause) => ({ clause, protocols: [] as ProtocolInfo[] }));
  const byClause = new Map(groups.map((g) => [g.clause.id, g]));
  for (const p of protocols) {
    let g = byClause.get(p.clause);
    if (!g) {
      // A finding citing a clause the report does not list (built-in policy): still show it.
      g = {
        clause: { id: p.clause, title: p.clause, mandatory: false, verdict: 'violated', protocols: [] },
        protocols: [],
      };
      byClause.set(p.clause, g);
      groups.push(g);
    }
    g.protocols.push(p);
  }
  return groups;
}

/** Per-protocol counts of open (unwaived) and waived findings. */
export interface ProtocolCount extends ProtocolInfo {
  open: number;
  waived: number;
}

export function protocolCounts(report: Report): ProtocolCount[] {
  const counts = new Map<string, { open: number; waived: number }>();
  for (const f of report.findings) {
    const c = counts.get(f.ruleId) ?? { open: 0, waived: 0 };
    if (f.waiver) c.waived++;
    else c.open++;
    counts.set(f.ruleId, c);
  }
  return protocolsOf(report).map((p) => ({ ...p, ...(counts.get(p.id) ?? { open: 0, waived: 0 }) }));
}

/** Findings of one protocol, in report order. */
export function findingsByProtocol(findings: readonly Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = out.get(f.ruleId);
    if (list) list.push(f);
    else out.set(f.ruleId, [f]);
  }
  return out;
}
