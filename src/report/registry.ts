import { csvFormat } from './csv.js';
import { htmlFormat } from './html.js';
import { jsonFormat } from './json.js';
import { junitFormat } from './junit.js';
import { markdownFormat } from './markdown.js';
import { prettyFormat } from './pretty.js';
import type { Reporter } from './reporter.js';
import { sarifFormat } from './sarif.js';

/** Every report format, in the order help and messages list them. A new format is one file plus one line here. */
export const REPORT_FORMATS = [prettyFormat, jsonFormat, sarifFormat, junitFormat, csvFormat, markdownFormat, htmlFormat] as const;

/** A `--format` value. */
export type ReportFormat = (typeof REPORT_FORMATS)[number]['name'];

/** Every reporter by its `--format` name. */
export const reporters = Object.fromEntries(REPORT_FORMATS.map((f) => [f.name, f.render])) as Record<ReportFormat, Reporter>;

/** Type guard for user input (`--format`). */
export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(reporters, name);
}

/** Conventional file extension per format (without the dot), for default output names. */
export const REPORT_EXTENSION = Object.fromEntries(REPORT_FORMATS.map((f) => [f.name, f.extensions[0].slice(1)])) as Record<ReportFormat, string>;

/**
 * The format an `--output` file's extension selects. `.txt` is the pretty text report (without
 * colour, as every file is); an extension no format claims selects none.
 */
export const FORMAT_BY_EXTENSION: ReadonlyMap<string, ReportFormat> = new Map(
  REPORT_FORMATS.flatMap((f) => f.extensions.map((extension) => [extension, f.name] as const)),
);
