import type { ClauseResult, Finding } from '../report/model.js';

/**
 * What clause verdicts are decided on: the contract's clauses and which protocol cites which. A
 * policy document is one; so is a report (its clauses and protocols), which is how waivers applied
 * after the report was built bring its verdicts up to date.
 */
export interface ClauseSource {
  contract: { clauses: readonly Pick<ClauseResult, 'id' | 'title' | 'mandatory'>[] };
  protocols: readonly { id: string; clause: string }[];
}

/** What an incomplete audit could not check, for clauses that found nothing. */
export interface Gaps {
  /** The report's incompleteReasons (empty when the audit is complete). */
  reasons: readonly string[];
  /** Items not inspected. */
  notInspected: number;
}

/**
 * Every clause with its verdict: violated (an unwaived finding), waived (findings, all waived),
 * not-evaluated (no protocol citing it could run on these inputs, or none cites it), passed, or,
 * when the audit is incomplete, passed-on-inspected: a clause is never plainly passed while
 * something went unchecked.
 */
export function clauseVerdicts(policy: ClauseSource, findings: readonly Finding[], notEvaluated: ReadonlyMap<string, string>, gaps: Gaps): ClauseResult[] {
  return policy.contract.clauses.map((clause) => {
    const protocols = policy.protocols.filter((p) => p.clause === clause.id).map((p) => p.id);
    const own = findings.filter((f) => f.clause === clause.id);
    const base = { id: clause.id, title: clause.title, mandatory: clause.mandatory, protocols };
    if (own.some((f) => !f.waiver)) return { ...base, verdict: 'violated' };
    if (own.length > 0) return { ...base, verdict: 'waived' };
    if (protocols.length === 0) return { ...base, verdict: 'not-evaluated', reason: 'no protocol enforces this clause' };
    const evaluated = protocols.filter((id) => !notEvaluated.has(id));
    if (evaluated.length === 0) {
      const reasons = [...new Set(protocols.map((id) => notEvaluated.get(id)!))];
      return { ...base, verdict: 'not-evaluated', reason: reasons.join('; ') };
    }
    if (gaps.reasons.length > 0) {
      return { ...base, verdict: 'passed-on-inspected', reason: gaps.reasons.join('; '), notInspected: gaps.notInspected };
    }
    return { ...base, verdict: 'passed' };
  });
}
