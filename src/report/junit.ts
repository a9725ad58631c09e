import { escapeControl, escapeMarkup } from './escape.js';
import { evidencePairs } from './evidence.js';
import type { Finding, ProtocolInfo, Report } from './model.js';
import { type ClauseGroup, clauseGroups, findingsByProtocol } from './protocols.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';
import { plural } from './verdict.js';

/**
 * Text safe for XML 1.0: controls that XML forbids (and any the reader should see) are escaped
 * visibly first, then markup characters become entities.
 */
function x(text: string): string {
  return escapeMarkup(escapeControl(text));
}

function findingLine(f: Finding): string {
  const evidence = evidencePairs(f.evidence).join(', ');
  return `${f.severity} ${f.location}: ${f.message}${evidence ? ` (${evidence})` : ''}`;
}

/**
 * The audit's start as Ant's JUnit schema writes timestamps (`2026-11-20T12:00:00`): no fraction
 * and no zone, which its pattern refuses. The report's times are UTC, so the time is UTC.
 */
export function antTimestamp(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? x(iso) : new Date(time).toISOString().slice(0, 19);
}

interface CaseCounts {
  tests: number;
  failures: number;
  skipped: number;
  errors: number;
}

function testcase(group: ClauseGroup, p: ProtocolInfo, findings: readonly Finding[], expired: readonly string[], counts: CaseCounts): string {
  const open = findings.filter((f) => !f.waiver);
  const waived = findings.filter((f) => f.waiver);
  const body: string[] = [];
  counts.tests++;
  if (open.length > 0) {
    counts.failures++;
    const message = `${open.length} ${plural(open.length, 'violation')} of ${p.id} (clause ${p.clause})`;
    body.push(`      <failure message="${x(message)}" type="${x(p.severity)}">${open.map((f) => x(findingLine(f))).join('\n')}</failure>`);
  } else if (p.notEvaluated !== undefined || group.clause.verdict === 'not-evaluated') {
    counts.skipped++;
    body.push(`      <skipped message="${x(p.notEvaluated ?? group.clause.reason ?? 'not evaluated')}"/>`);
  }
  const out: string[] = [];
  if (open.length === 0 && group.clause.verdict === 'passed-on-inspected') out.push(`passed on what was inspected: ${group.clause.reason ?? ''}`);
  for (const f of waived) {
    const w = f.waiver!;
    out.push(`waived by ${w.id} (approved by ${w.approver}, expires ${w.expires}: ${w.reason}): ${findingLine(f)}`);
  }
  out.push(...expired);
  if (out.length > 0) body.push(`      <system-out>${out.map(x).join('\n')}</system-out>`);
  const open_ = `    <testcase classname="${x(p.clause)}" name="${x(`${p.id}: ${p.title}`)}" time="0"`;
  return body.length === 0 ? `${open_}/>` : `${open_}>\n${body.join('\n')}\n    </testcase>`;
}

function testsuite(report: Report, group: ClauseGroup, byProtocol: Map<string, Finding[]>, total: CaseCounts): string {
  const counts: CaseCounts = { tests: 0, failures: 0, skipped: 0, errors: 0 };
  const { clause } = group;
  const cases = group.protocols.map((p) => {
    const expired = report.expiredWaivers
      .filter((w) => w.protocol === p.id)
      .map(
        (w) =>
          `expired waiver ${w.id} on ${w.location} (approved by ${w.approver}) expired ${w.expires}; no longer applied (would cover ${w.wouldCover} finding(s))`,
      );
    return testcase(group, p, byProtocol.get(p.id) ?? [], expired, counts);
  });
  if (group.protocols.length === 0) {
    // A clause nothing checks still has to show up in CI, as a skipped case saying why.
    counts.tests++;
    counts.skipped++;
    const reason = clause.reason ?? 'no protocol cites this clause';
    cases.push(
      `    <testcase classname="${x(clause.id)}" name="${x(`clause ${clause.id}: no protocol`)}" time="0">\n      <skipped message="${x(reason)}"/>\n    </testcase>`,
    );
  }
  total.tests += counts.tests;
  total.failures += counts.failures;
  // Waived findings are counted on the suite: the Jenkins/Surefire schema allows properties there only.
  const waived = group.protocols.reduce((n, p) => n + (byProtocol.get(p.id) ?? []).filter((f) => f.waiver).length, 0);
  const props = [
    ['verdict', clause.verdict],
    ['mandatory', String(clause.mandatory)],
    ...(clause.reason !== undefined ? [['reason', clause.reason]] : []),
    ...(waived > 0 ? [['waived', String(waived)]] : []),
  ].map(([k, v]) => `      <property name="${x(k!)}" value="${x(v!)}"/>`);
  return [
    `  <testsuite name="${x(`clause ${clause.id}: ${clause.title}`)}" tests="${counts.tests}" failures="${counts.failures}" errors="0" skipped="${counts.skipped}" time="0" timestamp="${antTimestamp(report.startedAt)}">`,
    `    <properties>\n${props.join('\n')}\n    </properties>`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

/**
 * One suite for the audit's completeness: a case that errors with each thing the audit could not
 * check, so a CI test tab never shows an incomplete audit as all green.
 */
function completenessSuite(report: Report, total: CaseCounts): string {
  const reasons = report.summary.incompleteReasons;
  total.tests++;
  const head = `  <testsuite name="custody: completeness" tests="1" failures="0" errors="${reasons.length > 0 ? 1 : 0}" skipped="0" time="0" timestamp="${antTimestamp(report.startedAt)}">`;
  const open = '    <testcase classname="custody" name="every item and every check ran" time="0"';
  if (reasons.length === 0) return [head, `${open}/>`, '  </testsuite>'].join('\n');
  total.errors++;
  return [
    head,
    `${open}>`,
    `      <error message="${x(`scan incomplete: ${reasons.join('; ')}`)}" type="incomplete">${reasons.map(x).join('\n')}</error>`,
    '    </testcase>',
    '  </testsuite>',
  ].join('\n');
}

/**
 * JUnit XML for CI test tabs: a test suite per clause, a test case per protocol failing with the
 * protocol's unwaived violations, skipped when the clause could not be evaluated; waived findings
 * and expired waivers go to the case's system-out.
 */
export const junit: Reporter = (report) => {
  const byProtocol = findingsByProtocol(report.findings);
  const total: CaseCounts = { tests: 0, failures: 0, skipped: 0, errors: 0 };
  const suites = [completenessSuite(report, total), ...clauseGroups(report).map((g) => testsuite(report, g, byProtocol, total))];
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const time = Number.isFinite(seconds) ? seconds.toFixed(3) : '0';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    // No `skipped` here: the Jenkins/Surefire schema refuses it on testsuites (each suite carries its own).
    `<testsuites name="${x(`custody: ${report.policy.title} (${report.policy.id})`)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" time="${time}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
};

/** The `junit` format: its reporter, and the `--output` extensions that select it. */
export const junitFormat = { name: 'junit', render: junit, extensions: ['.xml'] } as const satisfies ReportFormatDefinition;
