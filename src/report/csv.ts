import type { ClauseResult, Finding, Report } from './model.js';
import type { Reporter, ReportFormatDefinition } from './reporter.js';
import { clauseVerdictText, verdictOf } from './verdict.js';

const HEADER = ['severity', 'level', 'ruleId', 'requirement', 'clause', 'location', 'asset', 'reference', 'message', 'waived', 'fingerprint'] as const;

/**
 * Spreadsheets execute cells that start with these (CWE-1236, OWASP "CSV injection"). A leading
 * apostrophe makes Excel, LibreOffice and Google Sheets show the text as text.
 */
const FORMULA = '[=+\\-@\\t\\r]';

/**
 * A formula trigger at the start of a cell as any spreadsheet may split the text: the cell start,
 * and after a `,` or `;` (the list separator of many locales, used when a sheet is opened without an
 * import dialog) or a line break (a reader that ignores quotes), with spaces or quotes before it.
 * OWASP's guidance: neutralise every such start, and quote the cell, not just its first character.
 */
const FORMULA_START = new RegExp(`(?<=^|[,;\\r\\n])([ "]*)(?=${FORMULA})`, 'g');

/**
 * One cell: every formula start neutralised with an apostrophe, then RFC 4180 quoted when it holds
 * a quote, comma, semicolon or line break (so a `;`-separated reading keeps it one cell too).
 */
export function csvCell(value: string): string {
  const safe = value.replace(FORMULA_START, "$1'");
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function row(f: Finding): string[] {
  return [
    f.severity,
    f.level,
    f.ruleId,
    f.requirement,
    f.clause,
    f.location,
    f.asset ?? '',
    f.reference ?? '',
    f.message,
    // The waiver id, so the column filters as empty/non-empty and points at the waiver.
    f.waiver?.id ?? '',
    f.fingerprint,
  ];
}

/**
 * A clause verdict as a row: `level` is `clause` (filter on it), `message` carries the verdict and
 * reason, so every clause appears in the sheet even when nothing was found against it.
 */
function clauseRow(c: ClauseResult): string[] {
  const reason = c.reason ? `: ${c.reason}` : '';
  const protocols = c.protocols.length > 0 ? ` [${c.protocols.join(', ')}]` : '';
  return ['', 'clause', '', '', c.id, '', '', '', `clause ${c.id} (${c.title})${protocols}: ${clauseVerdictText(c)}${reason}`, '', ''];
}

/**
 * The audit's verdict as a row (`level` = `verdict`): a sheet filed on its own must say, as every
 * other format does, when the audit is incomplete and why.
 */
function verdictRow(report: Report): string[] {
  const v = verdictOf(report);
  return ['', 'verdict', '', '', '', '', '', '', `${v.verdict.toUpperCase()}: ${v.headline}`, '', ''];
}

/**
 * The verdict row first, then one row per finding (waived ones included, with the waiver id in the
 * `waived` column), then one row per contract clause with its verdict (`level` = `clause`); CRLF line
 * ends as RFC 4180 specifies. Names are kept byte-faithful (a newline stays a newline inside a quoted
 * cell) so the sheet matches the filesystem; only formula starts (also after `,` `;` inside a cell)
 * gain an apostrophe.
 */
export const csv: Reporter = (report) => {
  const lines = [HEADER.join(','), verdictRow(report).map(csvCell).join(',')];
  for (const f of report.findings) lines.push(row(f).map(csvCell).join(','));
  for (const c of report.clauses) lines.push(clauseRow(c).map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
};

/** The `csv` format: its reporter, and the `--output` extensions that select it. */
export const csvFormat = { name: 'csv', render: csv, extensions: ['.csv'] } as const satisfies ReportFormatDefinition;
