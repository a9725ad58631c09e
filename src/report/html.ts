import { notInspectedCount } from '../sources/item.js';
import { durationSeconds, humanBytes } from './evidence.js';
import { HTML_SCRIPT, HTML_STYLE, htmlCsp } from './html-assets.js';
import { h, kpi, locSpan, num, scriptJson, table } from './html-markup.js';
import { auditTime, pageStyle } from './html-print.js';
import { type Enclave, enclaveOf, spreadOf } from './html-spread.js';
import { findingsByLocation, findingsTable, spreadTable } from './html-tables.js';
import { orderedReport } from './json.js';
import type { Report } from './model.js';
import { SEVERITY_ORDER } from './model.js';
import { clauseGroups, protocolCounts } from './protocols.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';
import { clauseVerdictText, coverageByReason, listedFindings, verdictOf } from './verdict.js';

/** Coverage rows written before "... and N more" (the JSON report has them all). */
const COVERAGE_ROWS = 500;

/**
 * The body in the order an officer reads it: where the agency's data went (the spread), what the
 * contract says about it (clauses, protocols), then the evidence location by location, coverage.
 */
function sections(report: Report, enclave: Enclave, showWaived: boolean): string[] {
  const out: string[] = [];
  out.push('<h2 id="spread">Where each agency item was found</h2>');
  out.push(spreadTable(spreadOf(report, enclave), enclave));
  out.push('<h2 id="clauses">Contract clauses</h2>');
  out.push(
    table(
      ' data-sortable',
      ['Clause', 'Title', 'Mandatory', 'Verdict', 'Protocols', 'Reason'],
      clauseGroups(report).map(
        ({ clause, protocols }) =>
          `<tr><td>${h(clause.id)}</td><td>${h(clause.title)}</td><td>${clause.mandatory ? 'yes' : 'no'}</td><td class="${clause.verdict}">${h(clauseVerdictText(clause))}</td><td>${protocols.map((p) => h(p.id)).join(', ')}</td><td>${h(clause.reason ?? '')}</td></tr>`,
      ),
    ),
  );
  out.push('<h2 id="protocols">Violations by protocol</h2>');
  out.push(
    table(
      ' data-sortable',
      ['Protocol', 'Title', 'Clause', 'Requirement', 'Severity', 'Open', 'Waived', 'Remediation or note'],
      protocolCounts(report).map((p) => {
        const note = p.notEvaluated !== undefined ? `Not evaluated: ${p.notEvaluated}` : (p.remediation ?? '');
        return `<tr><td>${h(p.id)}</td><td>${h(p.title)}</td><td>${h(p.clause)}</td><td>${h(p.requirement)}</td><td class="sev-${p.severity}" data-sort="${SEVERITY_ORDER.indexOf(p.severity)}">${p.severity}</td>${num(p.open)}${num(p.waived)}<td>${h(note)}</td></tr>`;
      }),
    ),
  );
  const listed = listedFindings(report, showWaived);
  const hidden = report.findings.length - listed.length;
  const groups = findingsByLocation(listed, report.assets);
  out.push('<section id="findings">', '<h2>Findings by location</h2>');
  if (hidden > 0) out.push(`<p class="sub">${hidden} waived finding(s) not listed (run with --show-waived to list them).</p>`);
  out.push(groups.length === 0 ? '<p>None.</p>' : findingsTable(groups), '</section>');
  out.push(...coverage(report));
  return out;
}

function coverage(report: Report): string[] {
  const out = ['<h2 id="coverage">Coverage: what was not inspected</h2>'];
  const reasons = coverageByReason(report);
  if (reasons.length === 0) return [...out, '<p>Everything was inspected.</p>'];
  out.push(
    table(
      ' data-sortable',
      ['Reason', 'Items', 'Makes the scan incomplete'],
      reasons.map((r) => `<tr><td>${h(r.reason)}</td>${num(r.count)}<td>${r.incomplete ? 'yes' : 'no'}</td></tr>`),
    ),
  );
  const rows = report.coverage
    .slice(0, COVERAGE_ROWS)
    .map((e) => `<tr><td class="loc">${locSpan(e.location)}</td><td>${h(e.reason)}</td><td>${h(e.detail ?? '')}</td></tr>`);
  out.push(table(' data-sortable data-filter="coverage"', ['Location', 'Reason', 'Detail'], rows));
  if (report.coverage.length > COVERAGE_ROWS) out.push(`<p class="sub">... and ${report.coverage.length - COVERAGE_ROWS} more (see the JSON report).</p>`);
  return out;
}

/**
 * Key numbers: open violations, agency items outside the enclave (of all found), locations in
 * violation, clauses violated, then what was inspected.
 */
function kpis(report: Report, enclave: Enclave): string[] {
  const v = verdictOf(report);
  const s = report.summary;
  const violatedClauses = report.clauses.filter((c) => c.verdict === 'violated').length;
  const inViolation = new Set(report.findings.filter((f) => !f.waiver).map((f) => f.location)).size;
  const found = new Set(report.assets.map((a) => a.location)).size;
  const plates = s.plates.status === 'checked' ? 'checked' : s.plates.status === 'opted-out' ? 'not checked (by request)' : 'NOT checked';
  return [
    '<dl class="kpis">',
    kpi('open', 'Open violations', v.open),
    kpi(
      'outside',
      'Agency items outside the enclave',
      enclave.known ? enclave.outside : 'not evaluated',
      enclave.known ? `of ${enclave.found} found` : 'no location protocol was evaluated',
    ),
    kpi('locations', 'Locations in violation', inViolation, `agency data found at ${found}`),
    kpi('clauses-violated', 'Clauses violated', `${violatedClauses} of ${report.clauses.length}`),
    kpi('waived', 'Waived', v.waived),
    kpi('files-inspected', 'Files inspected', s.filesInspected, `of ${s.filesSeen} seen`),
    kpi('not-inspected', 'Not inspected', notInspectedCount(report.coverage)),
    ...(s.plates.status === 'not-applicable' ? [] : [kpi('plates', 'Plate records', plates)]),
    '</dl>',
  ];
}

function notices(report: Report): string[] {
  const items = [
    ...report.notices.map((n) => `<li><strong>${n.level}</strong>: ${n.location ? `${locSpan(n.location)}: ` : ''}${h(n.message)}</li>`),
    ...report.expiredWaivers.map(
      (w) =>
        `<li><strong>expired waiver</strong> ${h(w.id)} (${h(w.protocol)} on ${locSpan(w.location)}, approved by ${h(w.approver)}) expired ${h(w.expires)} and no longer applies (it would cover ${w.wouldCover} finding(s))</li>`,
    ),
  ];
  return items.length === 0 ? [] : ['<h2 id="notices">Notices</h2>', `<ul>${items.join('')}</ul>`];
}

/**
 * One self-contained HTML file for compliance officers, in the order they read it: verdict, key
 * numbers, the spread of each agency item, clauses and protocols, then the findings one row per
 * location, coverage and notices. Printed, the summary and spread come first and the findings start
 * on a new page; every page carries "Page N of M", the digests and the audit time (html-print.ts).
 * No external resource of any kind; a strict CSP allows only its own hashed styles and script.
 */
export const html: Reporter = (report, ctx) => {
  const v = verdictOf(report);
  const s = report.summary;
  const enclave = enclaveOf(report);
  const print = pageStyle(report);
  const head = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${htmlCsp(print)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>custody audit: ${h(v.verdict)}: ${h(report.policy.title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    `<style>${print}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>Custody audit: ${h(report.policy.title)}</h1>`,
    `<p class="sub">Contract ${h(report.policy.id)} · agency ${h(report.policy.agency)}${report.policy.builtin ? ' · built-in policy' : ''} · audited ${h(auditTime(report))}</p>`,
    `<section class="verdict v-${v.verdict}" id="verdict"><p class="word">${v.verdict.toUpperCase()}</p><p>${h(v.headline)}</p>${s.incompleteReasons.length > 1 ? `<ul>${s.incompleteReasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul>` : ''}</section>`,
    '</header>',
    ...kpis(report, enclave),
  ];
  const fingerprints = report.fingerprints.map((f) => `${h(f.digest)} (${f.references} references)`).join(', ') || 'none';
  const foot = [
    '<footer>',
    `<p>custody ${h(report.tool.version)} · inputs: ${report.inputs.map(locSpan).join(', ')} · ${h(humanBytes(s.bytesSeen))} seen, ${h(humanBytes(s.bytesRead))} read · ${h(durationSeconds(report.startedAt, report.finishedAt))}</p>`,
    `<p>Audited ${h(auditTime(report))} · policy digest <span class="loc">${h(report.policy.digest)}</span> · fingerprint sets: <span class="loc">${fingerprints}</span></p>`,
    '<p>The complete machine-readable report is embedded in this file (script element <code>custody-data</code>).</p>',
    '</footer>',
    `<script type="application/json" id="custody-data">${scriptJson(orderedReport(report))}</script>`,
    `<script>${HTML_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ];
  return [...head, ...sections(report, enclave, ctx.showWaived), ...notices(report), ...foot].join('\n');
};

/** The `html` format: its reporter, and the `--output` extensions that select it. */
export const htmlFormat = { name: 'html', render: html, extensions: ['.html', '.htm'] } as const satisfies ReportFormatDefinition;
