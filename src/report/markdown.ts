import { escapeControl } from './escape.js';
import { evidenceWords } from './evidence.js';
import type { Report } from './model.js';
import { SEVERITY_ORDER } from './model.js';
import { clauseGroups, protocolCounts } from './protocols.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';
import { clauseVerdictText, coverageByReason, listedFindings, verdictOf } from './verdict.js';

const DEFAULT_MAX_FINDINGS = 20;
const VERDICT_ICON = { violated: '❌', incomplete: '⚠️', passed: '✅' } as const;
const CLAUSE_ICON = { passed: '✅', 'passed-on-inspected': '⚠️', violated: '❌', waived: '➖', 'not-evaluated': '❔' } as const;

/**
 * Inline text safe in GitHub/GitLab Markdown tables: visible control escapes, HTML entities for
 * `& < >` (renderers accept raw HTML), a backslash before the Markdown metacharacters that act inline, and pipes
 * escaped so a name cannot split a table cell.
 */
export function md(text: string): string {
  return escapeControl(text)
    .replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_[\]()#!|~]/g, (ch) => `\\${ch}`);
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/**
 * A short summary for pull-request comments and CI step summaries: verdict, findings per protocol,
 * clause verdicts, the first findings, coverage and notices.
 */
export const markdown: Reporter = (report, ctx) => {
  const v = verdictOf(report);
  const out: string[] = [];
  out.push(`## ${VERDICT_ICON[v.verdict]} custody: ${v.verdict.toUpperCase()}`, '');
  out.push(`**${md(report.policy.title)}** (\`${report.policy.id.replace(/`/g, "'")}\`): ${md(v.headline)}.`, '');
  const s = report.summary;
  out.push(
    `${s.filesSeen} files seen, ${s.filesInspected} inspected, ${s.filesSkipped} skipped; ${report.assets.length} agency items found; ` +
      `findings: ${SEVERITY_ORDER.map((sev) => `${s.findingsBySeverity[sev]} ${sev}`).join(', ')}; ${s.waived} waived.`,
    '',
  );
  const counts = protocolCounts(report).filter((p) => p.open + p.waived > 0);
  if (counts.length > 0) {
    out.push('### Findings by protocol', '');
    out.push(
      ...table(
        ['Protocol', 'Title', 'Clause', 'Severity', 'Open', 'Waived'],
        counts.map((p) => [md(p.id), md(p.title), md(p.clause), p.severity, String(p.open), String(p.waived)]),
      ),
      '',
    );
  }
  out.push('### Clauses', '');
  out.push(
    ...table(
      ['Clause', 'Title', 'Verdict', 'Protocols', 'Reason'],
      clauseGroups(report).map(({ clause, protocols }) => [
        md(clause.id),
        md(clause.title) + (clause.mandatory ? '' : ' (optional)'),
        `${CLAUSE_ICON[clause.verdict]} ${clauseVerdictText(clause)}`,
        protocols.map((p) => md(p.id)).join(', '),
        md(clause.reason ?? ''),
      ]),
    ),
    '',
  );
  findingsTable(report, ctx.showWaived, ctx.maxFindings ?? DEFAULT_MAX_FINDINGS, out);
  const reasons = coverageByReason(report);
  if (reasons.length > 0) {
    out.push(
      '### Coverage',
      '',
      `${report.coverage.length} items not inspected: ${reasons.map((r) => `${md(r.reason)} ${r.count}${r.incomplete ? ' (incomplete)' : ''}`).join(', ')}.`,
      '',
    );
  }
  const notes = [
    ...report.notices.map((n) => `- **${n.level}**: ${n.location ? `${md(n.location)}: ` : ''}${md(n.message)}`),
    ...report.expiredWaivers.map(
      (w) =>
        `- **expired waiver** ${md(w.id)} (${md(w.protocol)} on ${md(w.location)}, approved by ${md(w.approver)}) expired ${md(w.expires)}; it would cover ${w.wouldCover} finding(s)`,
    ),
  ];
  if (notes.length > 0) out.push('### Notices', '', ...notes, '');
  out.push(`<sub>custody ${md(report.tool.version)} · policy digest \`${report.policy.digest.replace(/`/g, "'")}\`</sub>`);
  return `${out.join('\n')}\n`;
};

function findingsTable(report: Report, showWaived: boolean, max: number, out: string[]): void {
  const listed = listedFindings(report, showWaived);
  if (listed.length === 0) return;
  const shown = listed.slice(0, max);
  out.push(listed.length > max ? `### First ${max} of ${listed.length} findings` : '### Findings', '');
  out.push(
    ...table(
      ['Severity', 'Protocol', 'Location', 'Message', 'Evidence', 'Status'],
      shown.map((f) => [
        f.severity,
        md(f.ruleId),
        md(f.location),
        md(f.message),
        evidenceWords(f).map(md).join('; '),
        [f.waiver ? `waived (${md(f.waiver.id)})` : '', f.baseline ?? ''].filter(Boolean).join(', '),
      ]),
    ),
    '',
  );
}

/** The `markdown` format: its reporter, and the `--output` extensions that select it. */
export const markdownFormat = { name: 'markdown', render: markdown, extensions: ['.md', '.markdown'] } as const satisfies ReportFormatDefinition;
