import { createHash } from 'node:crypto';

/** Inline stylesheet: readable on screen and on paper (compliance officers print and file it). */
export const HTML_STYLE = `
:root { color-scheme: light; --bad: #b00020; --warn: #8a5a00; --ok: #1b6e20; --muted: #5f6368; --line: #d0d4d9; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { font: 1rem/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1200px; padding: 1.5rem; color: #1f2328; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.sub { color: var(--muted); margin: 0; }
.verdict { border: 2px solid; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.verdict p { margin: 0; }
.verdict .word { font-size: 1.5rem; font-weight: 700; letter-spacing: .05em; }
.v-violated { border-color: var(--bad); color: var(--bad); }
.v-incomplete { border-color: var(--warn); color: var(--warn); }
.v-passed { border-color: var(--ok); color: var(--ok); }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: .5rem; margin: 0; }
.kpis div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
.kpis dt { color: var(--muted); font-size: .85rem; }
.kpis dd { margin: 0; font-size: 1.4rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.loc { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85rem; overflow-wrap: anywhere; }
.seg { white-space: pre; }
.passed { color: var(--ok); } .passed-on-inspected { color: var(--warn); } .violated { color: var(--bad); font-weight: 600; } .waived { color: var(--warn); } .not-evaluated { color: var(--muted); }
.sev-critical, .sev-high { color: var(--bad); font-weight: 600; } .sev-medium { color: var(--warn); } .sev-low { color: var(--muted); }
ul.violations { margin: 0; padding-left: 1.1rem; }
ul.violations li { margin: .1rem 0; }
/* One line per copy where it fits: the location at the left, what it is and breaks at the right. */
ul.copies { list-style: none; margin: 0; padding-left: 0; }
ul.copies li { display: flex; gap: .5rem; padding: .1rem 0; border-top: 1px dotted var(--line); }
ul.copies li:first-child { border-top: none; }
ul.copies .where { flex: 1 1 60%; min-width: 0; }
ul.copies .what { flex: 0 0 38%; }
.ev { color: var(--muted); font-size: .85rem; }
.item { font-size: .85rem; color: var(--muted); }
.kpis dd.note { font-size: .8rem; font-weight: 400; color: var(--muted); }
.tag.outside { color: var(--bad); }
.rule { font-weight: 600; font-size: .85rem; white-space: nowrap; }
.tag.inside { color: var(--ok); }
.tag { font-size: .75rem; border: 1px solid currentColor; border-radius: 3px; padding: 0 .25rem; margin-left: .25rem; }
.tools { display: flex; gap: .5rem; align-items: center; margin: .25rem 0; }
.tools input, .tools select { font: inherit; padding: .2rem .4rem; }
th button { all: unset; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); }
@media print {
  html { font-size: 8.5pt; }
  body { max-width: none; padding: 0; line-height: 1.3; }
  h1 { font-size: 1.5rem; }
  h2 { font-size: 1.2rem; margin: 1rem 0 .3rem; break-after: avoid; }
  .tools { display: none; }
  tr, li { break-inside: avoid; }
  /* A row of many copies or violations may span pages (its items stay whole): no half-empty pages. */
  #spread-table tr, #findings-table tr { break-inside: auto; }
  thead { display: table-header-group; }
  /* Chromium repeats a table's header on every page but paints a button in it blank. */
  th button { display: contents; }
  th[aria-sort] button::after { content: none; }
  #findings { break-before: page; }
  th, td { padding: .1rem .3rem; }
  #spread-table, #findings-table { table-layout: fixed; }
  .kpis { grid-template-columns: repeat(4, 1fr); gap: .3rem; }
  .kpis div { padding: .25rem .5rem; }
  .kpis dd { font-size: 1.2rem; }
  .verdict { margin: .5rem 0; padding: .4rem .75rem; }
  .verdict, .kpis div { border-color: #000; color: #000; }
  #spread-table col.c-item { width: 18%; } #spread-table col.c-n { width: 7%; }
  ul.violations { padding-left: .8rem; }
  #findings-table col.c-sev { width: 8%; } #findings-table col.c-loc { width: 24%; } #findings-table col.c-item { width: 16%; }
}
`;

/**
 * Inline script: sortable tables (click a header), a text filter and a severity filter. The page is
 * complete without it: every row is in the markup and nothing is hidden until a filter is used.
 */
export const HTML_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('custody-data').textContent);
  function cellKey(row, col) {
    var cell = row.cells[col];
    return cell ? (cell.getAttribute('data-sort') || cell.textContent || '') : '';
  }
  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== '' && b !== '' && !isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b);
  }
  function sortable(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      th.setAttribute('aria-sort', 'none');
      button.addEventListener('click', function () {
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var c = compare(cellKey(r1, col), cellKey(r2, col));
          return dir === 'ascending' ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  function filterable(table) {
    var body = table.tBodies[0];
    var tools = document.createElement('div');
    tools.className = 'tools';
    var input = document.createElement('input');
    input.type = 'search';
    input.placeholder = 'Filter rows';
    input.setAttribute('aria-label', 'Filter ' + table.getAttribute('data-filter'));
    tools.appendChild(input);
    var select = null;
    if (table.hasAttribute('data-severity')) {
      select = document.createElement('select');
      select.setAttribute('aria-label', 'Severity');
      var all = document.createElement('option');
      all.value = '';
      all.textContent = 'all severities';
      select.appendChild(all);
      Object.keys(data.summary.findingsBySeverity).forEach(function (sev) {
        var o = document.createElement('option');
        o.value = sev;
        o.textContent = sev + ' (' + data.summary.findingsBySeverity[sev] + ')';
        select.appendChild(o);
      });
      tools.appendChild(select);
    }
    var status = document.createElement('span');
    status.className = 'filter-status';
    status.setAttribute('aria-live', 'polite');
    tools.appendChild(status);
    table.parentNode.insertBefore(tools, table);
    function apply() {
      var q = input.value.toLowerCase();
      var sev = select ? select.value : '';
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (r) {
        var sevs = ' ' + (r.getAttribute('data-severity') || '') + ' ';
        var ok = r.textContent.toLowerCase().indexOf(q) >= 0 && (!sev || sevs.indexOf(' ' + sev + ' ') >= 0);
        r.hidden = !ok;
        if (ok) shown++;
      });
      status.textContent = shown + ' of ' + body.rows.length + ' shown';
    }
    input.addEventListener('input', apply);
    if (select) select.addEventListener('change', apply);
    apply();
  }
  Array.prototype.forEach.call(document.querySelectorAll('table[data-sortable]'), sortable);
  Array.prototype.forEach.call(document.querySelectorAll('table[data-filter]'), filterable);
})();
`;

/** CSP source expression for an inline block: the browser hashes the exact text between tags. */
function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Nothing may load from anywhere; only our own style blocks (the shared sheet and the report's
 * print footer, by hash) and script (by hash) apply. Injected markup could neither run script nor
 * fetch (no `unsafe-inline` for scripts, `default-src 'none'`).
 */
export function htmlCsp(pageStyle: string): string {
  return [
    "default-src 'none'",
    `style-src ${hashSource(HTML_STYLE)} ${hashSource(pageStyle)}`,
    `script-src ${hashSource(HTML_SCRIPT)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
