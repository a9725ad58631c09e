import type { PolicyDocument } from '../policy/schema.js';
import { clauseVerdicts } from '../postprocess/clauses.js';
import { incompleteReasons } from '../postprocess/completeness.js';
import { sortAssets, sortCoverage, sortFindings } from '../postprocess/sort.js';
import { applyWaivers } from '../postprocess/waivers.js';
import {
  type Asset,
  type Finding,
  LEVEL_OF,
  type PlateCheck,
  REPORT_FORMAT,
  REPORT_VERSION,
  type Report,
  SEVERITY_ORDER,
  type Severity,
} from '../report/model.js';
import { type CoverageEntry, type Notice, notInspectedCount } from '../sources/item.js';
import { VERSION } from '../version.js';

/** Everything a report is built from; an audit and `custody merge` both produce these. */
export interface ReportParts {
  policy: { doc: PolicyDocument; digest: string; builtin: boolean };
  fingerprints: Report['fingerprints'];
  inputs: string[];
  now: Date;
  startedAt: string;
  finishedAt: string;
  assets: Asset[];
  /** Findings before waivers are applied. */
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

/** Builds the report: waivers applied, clause verdicts, summary, everything sorted once. */
export function assemble(parts: ReportParts): Report {
  const { policy } = parts;
  const { findings, expired } = applyWaivers(parts.findings, policy.doc.waivers, parts.now);
  sortFindings(findings);
  const assets = sortAssets(parts.assets);
  const findingsBySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.waiver) findingsBySeverity[f.severity]++;
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
      findingsBySeverity,
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
    expiredWaivers: expired,
    coverage: sortCoverage(parts.coverage),
    notices: dedupeNotices(parts.notices),
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
