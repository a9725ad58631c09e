import type { Asset, ClauseResult, Finding, Report, Summary } from './model.js';
import { SEVERITY_ORDER } from './model.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';

/**
 * Copies `source` with its keys in `order`, dropping undefined values. Fixed key order makes the
 * JSON byte-stable whatever order upstream code built the objects in, so reports diff cleanly and
 * signatures over them are reproducible.
 */
function pick<T extends object>(source: T, order: readonly (keyof T & string)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of order) {
    const value = source[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Open-ended maps (evidence, counts by class): keys sorted, nested objects likewise. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortedDeep(v);
    }
    return out;
  }
  return value;
}

/** Summary in documented key order, every severity present. */
export function orderedSummary(s: Summary): Record<string, unknown> {
  const bySeverity: Record<string, number> = {};
  for (const sev of SEVERITY_ORDER) bySeverity[sev] = s.findingsBySeverity[sev] ?? 0;
  return {
    ...pick(s, ['filesSeen', 'filesInspected', 'filesSkipped', 'bytesSeen', 'bytesRead']),
    assetsByClass: sortedDeep(s.assetsByClass),
    assetsByMethod: sortedDeep(s.assetsByMethod),
    findingsBySeverity: bySeverity,
    waived: s.waived,
    plates: pick(s.plates, ['status', 'reason']),
    incompleteReasons: s.incompleteReasons,
    incomplete: s.incomplete,
  };
}

function asset(a: Asset): Record<string, unknown> {
  return {
    ...pick(a, ['location', 'origin', 'asset', 'method', 'reference', 'size', 'sha256', 'md5']),
    evidence: sortedDeep(a.evidence),
  };
}

/** One finding in documented key order (also SARIF `result.properties`). */
export function orderedFinding(f: Finding): Record<string, unknown> {
  return {
    ...pick(f, ['ruleId', 'requirement', 'clause', 'severity', 'level', 'location', 'asset', 'reference', 'message']),
    evidence: sortedDeep(f.evidence),
    fingerprint: f.fingerprint,
    ...(f.waiver ? { waiver: pick(f.waiver, ['id', 'reason', 'approver', 'expires']) } : {}),
    ...(f.baseline ? { baseline: f.baseline } : {}),
  };
}

function clause(c: ClauseResult): Record<string, unknown> {
  return pick(c, ['id', 'title', 'mandatory', 'verdict', 'protocols', 'reason', 'notInspected']);
}

/** The report as plain data in the documented key order (schemas/report.schema.json). */
export function orderedReport(report: Report): Record<string, unknown> {
  return {
    ...pick(report, ['format', 'version']),
    tool: pick(report.tool, ['name', 'version']),
    policy: pick(report.policy, ['id', 'title', 'agency', 'digest', 'builtin']),
    fingerprints: report.fingerprints.map((f) => pick(f, ['digest', 'references', 'plateKeyId'])),
    inputs: report.inputs,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    summary: orderedSummary(report.summary),
    protocols: report.protocols.map((p) => pick(p, ['id', 'clause', 'title', 'severity', 'level', 'requirement', 'remediation', 'notEvaluated'])),
    clauses: report.clauses.map(clause),
    assets: report.assets.map(asset),
    findings: report.findings.map(orderedFinding),
    expiredWaivers: report.expiredWaivers.map((w) => pick(w, ['id', 'protocol', 'location', 'expires', 'approver', 'wouldCover'])),
    coverage: report.coverage.map((e) => pick(e, ['location', 'reason', 'detail', 'incomplete'])),
    notices: report.notices.map((n) => pick(n, ['location', 'level', 'message'])),
    // Shard reports only: what `custody merge` needs (the policy as evaluated, the audit time).
    ...(report.shard ? { shard: pick(report.shard, ['index', 'count', 'now', 'policy', 'allowEmpty', 'knows']) } : {}),
    // Reference-split reports only: the share matched against and what the merge weighs.
    ...(report.references
      ? {
          references: {
            ...pick(report.references, ['index', 'count', 'now', 'policy', 'allowEmpty', 'knows']),
            identified: report.references.identified.map((e) => ({
              location: e.location,
              identifications: e.identifications.map((i) => ({ ...pick(i, ['asset', 'method', 'reference']), evidence: sortedDeep(i.evidence) })),
            })),
          },
        }
      : {}),
  };
}

/**
 * The machine-readable report: the whole model (waived findings included, marked), 2-space indent,
 * fixed key order, trailing newline. This is the document `--sign` signs.
 */
export const json: Reporter = (report) => `${JSON.stringify(orderedReport(report), null, 2)}\n`;

/** The `json` format: its reporter, and the `--output` extensions that select it. */
export const jsonFormat = { name: 'json', render: json, extensions: ['.json'] } as const satisfies ReportFormatDefinition;
