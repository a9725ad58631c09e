import { Chalk } from 'chalk';
import { escapeControl as esc } from './escape.js';
import { durationSeconds, evidenceWords, humanBytes } from './evidence.js';
import type { Finding, Level, Report } from './model.js';
import { SEVERITY_ORDER } from './model.js';
import { clauseGroups, findingsByProtocol, protocolCounts } from './protocols.js';
import type { Reporter, ReporterContext, ReportFormatDefinition } from './reporter.js';
import { clauseVerdictText, coverageByReason, listedFindings, sortedEntries, verdictOf } from './verdict.js';

type Paint = (text: string) => string;

/**
 * The styles pretty uses, resolved once per report: each chalk property access builds a new
 * styler, which costs more than the formatting itself on reports with many findings.
 */
interface Styles {
  bold: Paint;
  dim: Paint;
  red: Paint;
  yellow: Paint;
  green: Paint;
  blue: Paint;
  verdict: Record<'violated' | 'incomplete' | 'passed', Paint>;
}

function styles(color: boolean): Styles {
  const c = new Chalk({ level: color ? 1 : 0 });
  return {
    bold: c.bold,
    dim: c.dim,
    red: c.red,
    yellow: c.yellow,
    green: c.green,
    blue: c.blue,
    verdict: { violated: c.bold.red, incomplete: c.bold.yellow, passed: c.bold.green },
  };
}

/** Coverage entries shown before "... and N more". */
const COVERAGE_SHOWN = 10;

/**
 * Terminal report: verdict first, findings grouped by protocol, clauses, coverage, notices, summary.
 * Every string that comes from the scanned data goes through `escapeControl`, so a file name can
 * never move the cursor, retitle the terminal or reorder text.
 */
export const pretty: Reporter = (report, ctx) => {
  const c = styles(ctx.color);
  const out: string[] = [];
  const v = verdictOf(report);
  const verdictStyle = c.verdict[v.verdict];
  out.push(`${verdictStyle(v.verdict.toUpperCase())}  ${v.headline}`);
  out.push(`${c.bold('custody audit')} ${esc(report.policy.title)} (${esc(report.policy.id)})`, '');
  findingsSection(report, ctx, c, out);
  clausesSection(report, c, out);
  if (report.expiredWaivers.length > 0) {
    out.push(c.bold('Expired waivers (no longer applied)'));
    for (const w of report.expiredWaivers) {
      out.push(`  ${esc(w.id)}  ${esc(w.protocol)}  ${esc(w.location)}  expired ${esc(w.expires)}  approver ${esc(w.approver)}  would cover ${w.wouldCover}`);
    }
    out.push('');
  }
  coverageSection(report, c, out);
  if (report.notices.length > 0) {
    out.push(c.bold('Notices'));
    for (const n of report.notices) {
      const tag = n.level === 'warning' ? c.yellow('warning') : c.blue('info');
      out.push(`  ${tag}  ${n.location ? `${esc(n.location)}: ` : ''}${esc(n.message)}`);
    }
    out.push('');
  }
  summarySection(report, c, out);
  return `${out.join('\n')}\n`;
};

function levelStyle(c: Styles, level: Level): Paint {
  return level === 'error' ? c.red : level === 'warning' ? c.yellow : c.blue;
}

function findingsSection(report: Report, ctx: ReporterContext, c: Styles, out: string[]): void {
  const byProtocol = findingsByProtocol(listedFindings(report, ctx.showWaived));
  const counts = protocolCounts(report);
  out.push(c.bold('Findings'));
  if (report.findings.length === 0) out.push('  none');
  for (const p of counts) {
    if (p.open + p.waived === 0) continue;
    const hidden = ctx.showWaived ? 0 : p.waived;
    const waived = p.waived > 0 ? `, ${p.waived} waived${hidden > 0 ? ' (hidden; --show-waived lists them)' : ''}` : '';
    out.push(`  ${c.bold(esc(p.id))}  ${esc(p.title)}  ${c.dim(`clause ${esc(p.clause)}, ${esc(p.requirement)}, ${p.severity}, ${p.open} open${waived}`)}`);
    if (p.remediation && p.open > 0) out.push(`    ${c.dim(`remediation: ${esc(p.remediation)}`)}`);
    for (const f of byProtocol.get(p.id) ?? []) findingLines(f, c, out);
  }
  out.push('');
}

function findingLines(f: Finding, c: Styles, out: string[]): void {
  const tags: string[] = [];
  if (f.baseline) tags.push(f.baseline);
  if (f.waiver) tags.push(`waived ${esc(f.waiver.id)}`);
  const tagText = tags.length > 0 ? `  ${c.dim(`[${tags.join(', ')}]`)}` : '';
  out.push(`    ${levelStyle(c, f.level)(f.level.padEnd(7))} ${esc(f.location)}${tagText}`);
  out.push(`            ${esc(f.message)}`);
  // What is there, then the evidence in words (what was seen, what the contract allows), one line.
  const words = evidenceWords(f).join('; ');
  const facts = [f.asset, f.reference ? `copy of ${f.reference}` : undefined, words || undefined].filter((x): x is string => x !== undefined);
  if (facts.length > 0) out.push(`            ${c.dim(facts.map(esc).join(' · '))}`);
  if (f.waiver) {
    out.push(`            ${c.dim(`waiver: ${esc(f.waiver.reason)} (approved by ${esc(f.waiver.approver)}, expires ${esc(f.waiver.expires)})`)}`);
  }
}

function clausesSection(report: Report, c: Styles, out: string[]): void {
  out.push(c.bold('Clauses'));
  const verdictColor = { passed: c.green, 'passed-on-inspected': c.yellow, violated: c.red, waived: c.yellow, 'not-evaluated': c.dim };
  const groups = clauseGroups(report);
  const width = Math.max(13, ...groups.map(({ clause }) => clauseVerdictText(clause).length));
  for (const { clause, protocols } of groups) {
    const ids = protocols.map((p) => esc(p.id)).join(', ') || 'no protocol';
    const reason = clause.reason ? `: ${esc(clause.reason)}` : '';
    const mandatory = clause.mandatory ? '' : ' (optional)';
    out.push(
      `  ${esc(clause.id).padEnd(6)} ${verdictColor[clause.verdict](clauseVerdictText(clause).padEnd(width))} ${esc(clause.title)}${mandatory}  ${c.dim(`[${ids}]`)}${reason}`,
    );
  }
  out.push('');
}

function coverageSection(report: Report, c: Styles, out: string[]): void {
  out.push(c.bold(`Coverage (${report.coverage.length} not inspected)`));
  const reasons = coverageByReason(report);
  if (reasons.length > 0) {
    out.push(`  ${reasons.map((r) => `${esc(r.reason)} ${r.count}${r.incomplete ? ' (incomplete)' : ''}`).join(', ')}`);
  }
  for (const e of report.coverage.slice(0, COVERAGE_SHOWN)) {
    out.push(`  ${c.dim(esc(e.reason).padEnd(13))} ${esc(e.location)}${e.detail ? c.dim(`  ${esc(e.detail)}`) : ''}`);
  }
  if (report.coverage.length > COVERAGE_SHOWN) out.push(`  ... and ${report.coverage.length - COVERAGE_SHOWN} more`);
  out.push('');
}

function summarySection(report: Report, c: Styles, out: string[]): void {
  const s = report.summary;
  const list = (r: Record<string, number>): string =>
    sortedEntries(r)
      .map(([k, n]) => `${esc(k)} ${n}`)
      .join(', ') || 'none';
  const severities = SEVERITY_ORDER.map((sev) => `${sev} ${s.findingsBySeverity[sev] ?? 0}`).join(', ');
  out.push(c.bold('Summary'));
  out.push(
    `  files     ${s.filesSeen} seen, ${s.filesInspected} inspected, ${s.filesSkipped} skipped (${humanBytes(s.bytesSeen)} seen, ${humanBytes(s.bytesRead)} read)${s.incomplete ? c.yellow(', incomplete') : ''}`,
  );
  if (s.plates.status !== 'not-applicable') {
    const plates =
      s.plates.status === 'checked'
        ? 'checked'
        : s.plates.status === 'opted-out'
          ? `not checked, ${esc(s.plates.reason ?? 'by request')}`
          : c.yellow(`NOT checked: ${esc(s.plates.reason ?? '')}`);
    out.push(`  plates    ${plates}`);
  }
  out.push(`  assets    ${report.assets.length} found; by class: ${list(s.assetsByClass)}; by method: ${list(s.assetsByMethod)}`);
  out.push(`  findings  ${severities}; waived ${s.waived}`);
  out.push(`  policy    ${esc(report.policy.id)} ${c.dim(esc(report.policy.digest))}${report.policy.builtin ? ' (built-in)' : ''}`);
  for (const fp of report.fingerprints) {
    out.push(`  refs      ${fp.references} references ${c.dim(esc(fp.digest))}${fp.plateKeyId ? ` plate key ${esc(fp.plateKeyId)}` : ''}`);
  }
  out.push(
    `  run       ${esc(report.tool.name)} ${esc(report.tool.version)}, ${esc(report.startedAt)}, ${durationSeconds(report.startedAt, report.finishedAt)}`,
  );
}

/** The `pretty` format: its reporter, and the `--output` extensions that select it. */
export const prettyFormat = { name: 'pretty', render: pretty, extensions: ['.txt'] } as const satisfies ReportFormatDefinition;
