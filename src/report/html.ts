import { notInspectedCount } from '../sources/item.js';
import { escapeControl, escapeMarkup } from './escape.js';
import { durationSeconds, evidencePairs, humanBytes } from './evidence.js';
import { HTML_CSP, HTML_SCRIPT, HTML_STYLE } from './html-assets.js';
import { spreadOf } from './html-spread.js';
import { orderedReport } from './json.js';
import type { Finding, Report } from './model.js';
import { SEVERITY_ORDER } from './model.js';
import { clauseGroups, protocolCounts } from './protocols.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';
import { clauseVerdictText, coverageByReason, listedFindings, verdictOf } from './verdict.js';

/** Coverage rows written before "... and N more" (the JSON report has them all). */
const COVERAGE_ROWS = 500;

/** Any text from the report, as HTML text or attribute value. */
function h(text: string | number | boolean): string {
  return escapeMarkup(escapeControl(String(text)));
}

/**
 * JSON inside `<script type="application/json">`: `<`, `>` and `&` as \u escapes, so no file name
 * can close the block (`</script>`) or open a comment; the JSON value is unchanged.
 */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function table(attrs: string, head: string[], rows: string[]): string {
  return `<table${attrs}><thead><tr>${head.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function num(n: number): string {
  return `<td class="num">${n}</td>`;
}

function kpi(id: string, label: string, value: number | string): string {
  return `<div><dt>${h(label)}</dt><dd data-kpi="${id}">${h(value)}</dd></div>`;
}

function findingRow(f: Finding): string {
  const tags = [f.waiver ? `<span class="tag waived">waived ${h(f.waiver.id)}</span>` : '', f.baseline ? `<span class="tag">${h(f.baseline)}</span>` : ''].join(
    '',
  );
  const evidence = evidencePairs(f.evidence).map(h).join('<br>');
  return `<tr data-severity="${f.severity}"><td class="sev-${f.severity}" data-sort="${SEVERITY_ORDER.indexOf(f.severity)}">${f.severity}</td><td>${h(f.ruleId)}</td><td>${h(f.clause)}</td><td class="loc">${h(f.location)}</td><td>${h(f.asset ?? '')}</td><td>${h(f.message)}${tags}</td><td class="loc">${evidence}</td></tr>`;
}

function sections(report: Report, showWaived: boolean): string[] {
  const out: string[] = [];
  const clauses = clauseGroups(report);
  out.push('<h2 id="clauses">Contract clauses</h2>');
  out.push(
    table(
      ' data-sortable',
      ['Clause', 'Title', 'Mandatory', 'Verdict', 'Protocols', 'Reason'],
      clauses.map(
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
  out.push('<h2 id="findings">Findings</h2>');
  if (hidden > 0) out.push(`<p class="sub">${hidden} waived finding(s) not listed (run with --show-waived to list them).</p>`);
  out.push(
    listed.length === 0
      ? '<p>None.</p>'
      : table(
          ' id="findings-table" data-sortable data-filter="findings" data-severity',
          ['Severity', 'Protocol', 'Clause', 'Location', 'Class', 'Message', 'Evidence'],
          listed.map(findingRow),
        ),
  );
  out.push('<h2 id="spread">Where each agency item was found</h2>');
  out.push(
    table(
      ' id="spread-table" data-sortable data-filter="items"',
      ['Reference', 'Class', 'Copies', 'In violation', 'Locations'],
      spreadOf(report).map(
        (s) =>
          `<tr><td class="loc">${h(s.key)}</td><td>${h(s.asset)}</td>${num(s.copies.length)}${num(s.violating)}<td><ul class="copies">${s.copies.map((a) => `<li><span class="loc">${h(a.location)}</span> <span class="tag">${h(a.method)}</span></li>`).join('')}</ul></td></tr>`,
      ),
    ),
  );
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
    .map((e) => `<tr><td class="loc">${h(e.location)}</td><td>${h(e.reason)}</td><td>${h(e.detail ?? '')}</td></tr>`);
  out.push(table(' data-sortable data-filter="coverage"', ['Location', 'Reason', 'Detail'], rows));
  if (report.coverage.length > COVERAGE_ROWS) out.push(`<p class="sub">... and ${report.coverage.length - COVERAGE_ROWS} more (see the JSON report).</p>`);
  return out;
}

function notices(report: Report): string[] {
  const items = [
    ...report.notices.map((n) => `<li><strong>${n.level}</strong>: ${n.location ? `<span class="loc">${h(n.location)}</span>: ` : ''}${h(n.message)}</li>`),
    ...report.expiredWaivers.map(
      (w) =>
        `<li><strong>expired waiver</strong> ${h(w.id)} (${h(w.protocol)} on <span class="loc">${h(w.location)}</span>, approved by ${h(w.approver)}) expired ${h(w.expires)} and no longer applies (it would cover ${w.wouldCover} finding(s))</li>`,
    ),
  ];
  return items.length === 0 ? [] : ['<h2 id="notices">Notices</h2>', `<ul>${items.join('')}</ul>`];
}

/**
 * One self-contained HTML file for compliance officers: verdict first, key numbers, clauses,
 * violations by protocol, findings, the spread of each agency item, coverage and notices. No
 * external resource of any kind; a strict CSP allows only its own hashed style and script.
 */
export const html: Reporter = (report, ctx) => {
  const v = verdictOf(report);
  const s = report.summary;
  const clauses = report.clauses;
  const violatedClauses = clauses.filter((c) => c.verdict === 'violated').length;
  const head = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>custody audit: ${h(v.verdict)}: ${h(report.policy.title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>Custody audit: ${h(report.policy.title)}</h1>`,
    `<p class="sub">Contract ${h(report.policy.id)} · agency ${h(report.policy.agency)}${report.policy.builtin ? ' · built-in policy' : ''} · ${h(report.startedAt)}</p>`,
    `<section class="verdict v-${v.verdict}" id="verdict"><p class="word">${v.verdict.toUpperCase()}</p><p>${h(v.headline)}</p>${s.incompleteReasons.length > 1 ? `<ul>${s.incompleteReasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul>` : ''}</section>`,
    '</header>',
    '<dl class="kpis">',
    kpi('open', 'Open violations', v.open),
    kpi('waived', 'Waived', v.waived),
    kpi('clauses-violated', 'Clauses violated', `${violatedClauses} of ${clauses.length}`),
    kpi('assets', 'Agency items found', report.assets.length),
    kpi('files-seen', 'Files seen', s.filesSeen),
    kpi('files-inspected', 'Files inspected', s.filesInspected),
    kpi('not-inspected', 'Not inspected', notInspectedCount(report.coverage)),
    ...(s.plates.status === 'not-applicable'
      ? []
      : [
          kpi(
            'plates',
            'Plate records',
            s.plates.status === 'checked' ? 'checked' : s.plates.status === 'opted-out' ? 'not checked (by request)' : 'NOT checked',
          ),
        ]),
    '</dl>',
  ];
  const fingerprints = report.fingerprints.map((f) => `${h(f.digest)} (${f.references} references)`).join(', ') || 'none';
  const foot = [
    '<footer>',
    `<p>custody ${h(report.tool.version)} · inputs: ${report.inputs.map((i) => `<span class="loc">${h(i)}</span>`).join(', ')} · ${h(humanBytes(s.bytesSeen))} seen, ${h(humanBytes(s.bytesRead))} read · ${h(durationSeconds(report.startedAt, report.finishedAt))}</p>`,
    `<p>Policy digest <span class="loc">${h(report.policy.digest)}</span> · fingerprint sets: <span class="loc">${fingerprints}</span></p>`,
    '<p>The complete machine-readable report is embedded in this file (script element <code>custody-data</code>).</p>',
    '</footer>',
    `<script type="application/json" id="custody-data">${scriptJson(orderedReport(report))}</script>`,
    `<script>${HTML_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ];
  return [...head, ...sections(report, ctx.showWaived), ...notices(report), ...foot].join('\n');
};

/** The `html` format: its reporter, and the `--output` extensions that select it. */
export const htmlFormat = { name: 'html', render: html, extensions: ['.html', '.htm'] } as const satisfies ReportFormatDefinition;
