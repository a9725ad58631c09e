import { csv } from './csv.js';
import { html } from './html.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { markdown } from './markdown.js';
import { pretty } from './pretty.js';
import type { Reporter } from './reporter.js';
import { sarif } from './sarif.js';

/** Every report format by its `--format` name. A new format is one file plus one line here. */
export const reporters = { pretty, json, sarif, junit, csv, markdown, html } satisfies Record<string, Reporter>;

/** A `--format` value. */
export type ReportFormat = keyof typeof reporters;

/** Type guard for user input (`--format`). */
export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(reporters, name);
}

/** Conventional file extension per format, for default output names. */
export const REPORT_EXTENSION: Record<ReportFormat, string> = {
  pretty: 'txt',
  json: 'json',
  sarif: 'sarif',
  junit: 'xml',
  csv: 'csv',
  markdown: 'md',
  html: 'html',
};
