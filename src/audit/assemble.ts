import { clauseVerdicts } from '../postprocess/clauses.js';
import { sortAssets, sortCoverage, sortFindings } from '../postprocess/sort.js';
import { applyWaivers } from '../postprocess/waivers.js';
import type { Evaluation } from '../evaluate/evaluate.js';
import type { Subject } from '../evaluate/requirement.js';
import { LEVEL_OF, REPORT_FORMAT, REPORT_VERSION, SEVERITY_ORDER, type Report, type Severity } from '../report/model.js';
import type { CoverageEntry, Notice } from '../sources/item.js';
import { VERSION } from '../version.js';
import type { AuditRequest } from './audit.js';
import type { Tally } from './tally.js';

interface Parts {
  request: AuditRequest;
  now: Date;
  startedAt: Date;
  subjects: readonly Subject[];
  evaluation: Evaluation;
  coverage: CoverageEntry[];
  notices: Notice[];
  tally: Tally;
}

/** Builds the report: waivers applied, clause verdicts, summary, everything sorted once. */
export function assemble({ request, now, startedAt, subjects, evaluation, coverage, notices, tally }: Parts): Report {
  const { policy } = request;
  const { findings, expired } = applyWaivers(evaluation.findings, policy.doc.waivers, now);
  sortFindings(findings);
  const assets = sortAssets(subjects.map((s) => s.asset));
  const findingsBySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.waiver) findingsBySeverity[f.severity]++;
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    tool: { name: 'custody', version: VERSION },
    policy: { id: policy.doc.contract.id, title: policy.doc.contract.title, agency: policy.doc.contract.agency, digest: policy.digest, builtin: policy.builtin },
    fingerprints: request.fingerprints.sets.map((s) => ({
      digest: s.file.digest,
      references: s.file.references.length,
      ...(s.file.plates ? { plateKeyId: s.file.plates.keyId } : {}),
    })),
    inputs: [...request.roots, ...(request.manifests ?? []).map((m) => m.path)],
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    summary: {
      filesSeen: tally.filesSeen,
      filesInspected: tally.filesInspected,
      filesSkipped: tally.filesSkipped,
      bytesSeen: tally.bytesSeen,
      bytesRead: tally.bytesRead,
      assetsByClass: countBy(assets.map((a) => a.asset)),
      assetsByMethod: countBy(assets.map((a) => a.method)),
      findingsBySeverity,
      waived: findings.filter((f) => f.waiver).length,
      incomplete: coverage.some((c) => c.incomplete),
    },
    protocols: policy.doc.protocols.map((p) => ({
      id: p.id,
      clause: p.clause,
      title: p.title,
      severity: p.severity,
      level: LEVEL_OF[p.severity],
      requirement: p.require.kind,
      ...(p.remediation ? { remediation: p.remediation } : {}),
      ...(evaluation.notEvaluated.has(p.id) ? { notEvaluated: evaluation.notEvaluated.get(p.id)! } : {}),
    })),
    clauses: clauseVerdicts(policy.doc, findings, evaluation.notEvaluated),
    assets,
    findings,
    expiredWaivers: expired,
    coverage: sortCoverage(coverage),
    notices: dedupeNotices(notices),
  };
}

function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of [...keys].sort()) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

function dedupeNotices(notices: readonly Notice[]): Notice[] {
  const seen = new Map<string, Notice>();
  for (const n of notices) seen.set(`${n.location ?? ''}\0${n.level}\0${n.message}`, n);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, n]) => n);
}
