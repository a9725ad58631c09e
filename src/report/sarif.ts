import { orderedFinding, orderedSummary } from './json.js';
import type { Finding, Report } from './model.js';
import { clauseGroups, protocolsOf } from './protocols.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';
import { artifactLocation, originalUriBaseIds, type SarifPaths, sarifTarget } from './sarif-location.js';
import { type TextRegion, textRegions } from './sarif-region.js';
import { sarifDriver } from './sarif-rules.js';
import { coverageByReason } from './verdict.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/**
 * Results per run that GitHub code scanning accepts (uploads with more are rejected). A larger audit
 * keeps the first findings in report order (most severe first) and says how many were left out, and
 * that the JSON report lists them all.
 */
export const SARIF_MAX_RESULTS = 25_000;

/** The location of findings about the audit as a whole (the evaluator's AUDIT_SCOPE). */
const AUDIT_WIDE = '.';

/** What a result's location is resolved with: the log's paths, and the text files' regions. */
interface Locator {
  paths: SarifPaths | undefined;
  regions: ReadonlyMap<string, TextRegion>;
  /** Where audit-wide results point: the audited inputs. */
  scope: Record<string, unknown>[];
}

function physical(location: string, locator: Locator): Record<string, unknown> {
  const { outer, member } = sarifTarget(location);
  const region = member === undefined ? locator.regions.get(location) : undefined;
  return {
    physicalLocation: { artifactLocation: artifactLocation(outer, locator.paths), ...(region ? { region } : {}) },
    ...(member !== undefined
      ? {
          // Code-scanning UIs cannot open archive members: the outer file is the physical location
          // and the member is named logically and as a property.
          logicalLocations: [{ name: member.split('/').pop() ?? member, fullyQualifiedName: location }],
          properties: { member },
        }
      : {}),
  };
}

/**
 * Where a finding about the audit as a whole (max-copies) points: each input as named from the
 * working directory (the audited root, or the manifest), so that code scanning shows where to look,
 * never a bare `.`. `--files-from` inputs point at their list; a list read from standard input
 * names its files from the working directory, so that is where such an audit points (GitHub
 * refuses a result without a location).
 */
function auditScope(report: Report, paths: SarifPaths | undefined): Record<string, unknown>[] {
  const named = report.inputs.map((input) => (input.startsWith(FILES_FROM) ? input.slice(FILES_FROM.length) : input)).filter((input) => input !== '-');
  return [...new Set(named.length > 0 ? named : ['.'])].map((input) => ({
    physicalLocation: { artifactLocation: artifactLocation(input, paths, 'cwd') },
  }));
}

const FILES_FROM = '--files-from ';

function locationsOf(f: Finding, locator: Locator): Record<string, unknown>[] {
  if (f.location === AUDIT_WIDE) return locator.scope;
  return f.location !== '' ? [physical(f.location, locator)] : [];
}

function result(f: Finding, ruleIndex: number, locator: Locator): Record<string, unknown> {
  const locations = locationsOf(f, locator);
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: f.level,
    message: { text: f.message },
    ...(locations.length > 0 ? { locations } : {}),
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
      // Notices name inputs, patterns and items alike: named, not placed on a file they may not be.
      ...(n.location ? { locations: [{ logicalLocations: [{ fullyQualifiedName: n.location }] }] } : {}),
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
 * ones as accepted external suppressions) located relative to `%SRCROOT%` (ctx.sarifPaths, see
 * sarif-location.ts), stable partial fingerprints, and the policy, fingerprint
 * set digests, clause verdicts and coverage in `run.properties`. At most SARIF_MAX_RESULTS results:
 * beyond that, a warning notification and `run.properties.resultsOmitted` say how many are left out.
 */
export const sarif: Reporter = (report, ctx) => {
  const kept = report.findings.slice(0, SARIF_MAX_RESULTS);
  const omitted = report.findings.length - kept.length;
  const protocols = protocolsOf(report);
  const index = new Map(protocols.map((p, i) => [p.id, i]));
  const paths = ctx.sarifPaths;
  const locator: Locator = { paths, regions: textRegions(report), scope: auditScope(report, paths) };
  const baseIds = originalUriBaseIds(paths);
  const doc = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver(report, protocols) },
        ...(baseIds ? { originalUriBaseIds: baseIds } : {}),
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            toolExecutionNotifications: notifications(report, omitted),
          },
        ],
        results: kept.map((f) => result(f, index.get(f.ruleId) ?? -1, locator)),
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
