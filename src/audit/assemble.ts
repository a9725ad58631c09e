import type { PolicyDocument } from '../policy/schema.js';
import { clauseVerdicts } from '../postprocess/clauses.js';
import { incompleteReasons } from '../postprocess/completeness.js';
import { openBySeverity } from '../postprocess/recount.js';
import { type Asset, type Finding, LEVEL_OF, type PlateCheck, REPORT_FORMAT, REPORT_VERSION, type Report } from '../report/model.js';
import { type CoverageEntry, type Notice, notInspectedCount } from '../sources/item.js';
import { VERSION } from '../version.js';

/** Everything a report is built from; an audit and `custody merge` both produce these. */
export interface ReportParts {
  policy: { doc: PolicyDocument; digest: string; builtin: boolean };
  fingerprints: Report['fingerprints'];
  inputs: string[];
  startedAt: string;
  finishedAt: string;
  assets: Asset[];
  /** Findings, no waiver applied yet (finalize applies them). */
  findings: Finding[];
  /** Protocol id -> why it could not be evaluated. */
  notEvaluated: ReadonlyMap<string, string>;
  coverage: CoverageEntry[];
  notices: Notice[];
  counts: Pick<Report['summary'], 'filesSeen' | 'filesInspected' | 'filesSkipped' | 'bytesSeen' | 'bytesRead'>;
  /** Whether plate records were checked. */
  plates: PlateCheck;
  /** An audit that met nothing is complete only when this says so (`--allow-empty`). */
  allowEmpty: boolean;
}

/**
 * Builds the report from its parts: summary, protocols, clause verdicts. Waivers, the baseline,
 * redaction and the one sort are the finalize pipeline's (src/postprocess/finalize.ts), which every
 * caller runs next; counts and verdicts here are those of the findings as given.
 */
export function assemble(parts: ReportParts): Report {
  const { policy, findings, assets } = parts;
  const reasons = incompleteReasons({ plates: parts.plates, filesSeen: parts.counts.filesSeen, allowEmpty: parts.allowEmpty, coverage: parts.coverage });
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    tool: { name: 'custody', version: VERSION },
    policy: {
      id: policy.doc.contract.id,
      title: policy.doc.contract.title,
      agency: policy.doc.contract.agency,
      digest: policy.digest,
      builtin: policy.builtin,
    },
    fingerprints: parts.fingerprints,
    inputs: parts.inputs,
    startedAt: parts.startedAt,
    finishedAt: parts.finishedAt,
    summary: {
      ...parts.counts,
      assetsByClass: countBy(assets.map((a) => a.asset)),
      assetsByMethod: countBy(assets.map((a) => a.method)),
      findingsBySeverity: openBySeverity(findings),
      waived: findings.filter((f) => f.waiver).length,
      plates: parts.plates,
      incompleteReasons: reasons,
      incomplete: reasons.length > 0,
    },
    protocols: policy.doc.protocols.map((p) => ({
      id: p.id,
      clause: p.clause,
      title: p.title,
      severity: p.severity,
      level: LEVEL_OF[p.severity],
      requirement: p.require.kind,
      ...(p.remediation ? { remediation: p.remediation } : {}),
      ...(parts.notEvaluated.has(p.id) ? { notEvaluated: parts.notEvaluated.get(p.id)! } : {}),
    })),
    clauses: clauseVerdicts(policy.doc, findings, parts.notEvaluated, { reasons, notInspected: notInspectedCount(parts.coverage) }),
    assets,
    findings,
    expiredWaivers: [],
    coverage: parts.coverage,
    notices: parts.notices,
  };
}

function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of [...keys].sort()) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}
