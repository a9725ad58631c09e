import { orderedFinding, orderedSummary } from './json.js';
import { md } from './markdown.js';
import type { Finding, ProtocolInfo, Report, Severity } from './model.js';
import { LEVEL_OF } from './model.js';
import { clauseGroups, protocolsOf } from './protocols.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';
import { sarifTarget } from './sarif-location.js';
import { coverageByReason } from './verdict.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** GitHub code scanning ranks security results by this CVSS-like score (a string, per its docs). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

/**
 * Results per run that GitHub code scanning accepts (uploads with more are rejected). A larger audit
 * keeps the first findings in report order (most severe first) and says how many were left out, and
 * that the JSON report lists them all.
 */
export const SARIF_MAX_RESULTS = 25_000;

/** `Agency data only in the enclave` → `AgencyDataOnlyInTheEnclave`: SARIF names are identifiers. */
function ruleName(title: string): string {
  const words = title.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') || 'Protocol';
}

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
    defaultConfiguration: { level: LEVEL_OF[p.severity] },
    properties: {
      clause: p.clause,
      requirement: p.requirement,
      severity: p.severity,
      'security-severity': SECURITY_SEVERITY[p.severity],
      tags: ['custody', 'compliance', p.requirement, `clause-${p.clause}`],
      ...(p.notEvaluated !== undefined ? { notEvaluated: p.notEvaluated } : {}),
    },
  };
}

function physical(location: string): Record<string, unknown> {
  const target = sarifTarget(location);
  return {
    physicalLocation: { artifactLocation: { uri: target.uri } },
    ...(target.member !== undefined
      ? {
          // Code-scanning UIs cannot open archive members: the outer file is the physical location
          // and the member is named logically and as a property.
          logicalLocations: [{ name: target.member.split('/').pop() ?? target.member, fullyQualifiedName: location }],
          properties: { member: target.member },
        }
      : {}),
  };
}

function result(f: Finding, ruleIndex: number): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: f.level,
    message: { text: f.message },
    ...(f.location !== '' ? { locations: [physical(f.location)] } : {}),
    partialFingerprints: { 'custody/v1': f.fingerprint },
    ...(f.baseline ? { baselineState: f.baseline } : {}),
    ...(f.waiver
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: `${f.waiver.reason} (waiver ${f.waiver.id}, approved by ${f.waiver.approver}, expires ${f.waiver.expires})`,
            },
          ],
        }
      : {}),
    properties: orderedFinding(f),
  };
}

function notifications(report: Report, omitted: number): Record<string, unknown>[] {
  // What the audit could not check comes first, as errors: a dashboard must not read the run as clean.
  const out: Record<string, unknown>[] = report.summary.incompleteReasons.map((reason) => ({
    level: 'error',
    message: { text: `Scan incomplete: ${reason}.` },
  }));
  out.push(
    ...report.notices.map((n) => ({
      level: n.level === 'warning' ? 'warning' : 'note',
      message: { text: n.message },
      ...(n.location ? { locations: [physical(n.location)] } : {}),
    })),
  );
  for (const w of report.expiredWaivers) {
    out.push({
      level: 'warning',
      message: {
        text: `Waiver ${w.id} for ${w.protocol} on ${w.location} (approved by ${w.approver}) expired on ${w.expires} and no longer applies; it would cover ${w.wouldCover} finding(s).`,
      },
    });
  }
  if (omitted > 0) {
    out.push({
      level: 'warning',
      message: { text: omittedText(report.findings.length, omitted) },
    });
  }
  for (const r of coverageByReason(report)) {
    out.push({
      level: r.incomplete ? 'warning' : 'note',
      message: { text: `${r.count} item(s) not inspected: ${r.reason}.` },
    });
  }
  return out;
}

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per protocol, one result per finding (waived
 * ones as accepted external suppressions), stable partial fingerprints, and the policy, fingerprint
 * set digests, clause verdicts and coverage in `run.properties`. At most SARIF_MAX_RESULTS results:
 * beyond that, a warning notification and `run.properties.resultsOmitted` say how many are left out.
 */
export const sarif: Reporter = (report) => {
  const kept = report.findings.slice(0, SARIF_MAX_RESULTS);
  const omitted = report.findings.length - kept.length;
  const protocols = protocolsOf(report);
  const index = new Map(protocols.map((p, i) => [p.id, i]));
  const clauseTitles = new Map(report.clauses.map((c) => [c.id, c.title]));
  const doc = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: protocols.map((p) => rule(p, clauseTitles.get(p.clause))),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            toolExecutionNotifications: notifications(report, omitted),
          },
        ],
        results: kept.map((f) => result(f, index.get(f.ruleId) ?? -1)),
        properties: {
          policy: {
            id: report.policy.id,
            title: report.policy.title,
            agency: report.policy.agency,
            digest: report.policy.digest,
            builtin: report.policy.builtin,
          },
          fingerprints: report.fingerprints.map((f) => f.digest),
          inputs: report.inputs,
          clauses: clauseGroups(report).map(({ clause }) => ({
            id: clause.id,
            title: clause.title,
            mandatory: clause.mandatory,
            verdict: clause.verdict,
            protocols: clause.protocols,
            ...(clause.reason !== undefined ? { reason: clause.reason } : {}),
            ...(clause.notInspected !== undefined ? { notInspected: clause.notInspected } : {}),
          })),
          summary: orderedSummary(report.summary),
          ...(omitted > 0
            ? {
                resultsOmitted: {
                  count: omitted,
                  findings: report.findings.length,
                  maxResults: SARIF_MAX_RESULTS,
                  fullList: 'the JSON report (--format json)',
                  message: omittedText(report.findings.length, omitted),
                },
              }
            : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
};

function omittedText(total: number, omitted: number): string {
  return `${omitted} of ${total} findings are not in this SARIF run: code scanning accepts at most ${SARIF_MAX_RESULTS} results per run, so the first ${SARIF_MAX_RESULTS} in report order (most severe first) are listed. The JSON report (--format json) lists every finding.`;
}

/** The `sarif` format: its reporter, and the `--output` extensions that select it. */
export const sarifFormat = { name: 'sarif', render: sarif, extensions: ['.sarif'] } as const satisfies ReportFormatDefinition;
