import type { Report } from './model.js';
import type { SarifPaths } from './sarif-location.js';

/**
 * What a reporter may know besides the report. Everything environmental (colour support, the
 * `--show-waived` flag) is injected here so that reporters stay pure: same input, same bytes.
 */
export interface ReporterContext {
  /** Emit ANSI colour (pretty only). When false, no escape code at all is written. */
  color: boolean;
  /**
   * List waived findings in human formats (pretty, markdown, html). Waived findings are always
   * counted, and machine formats (json, sarif, junit, csv) always carry them, marked as waived,
   * because their consumers filter on that mark themselves.
   */
  showWaived: boolean;
  /** How many findings the short formats (markdown) list before summarising the rest. Default 20. */
  maxFindings?: number;
  /**
   * SARIF only: the directory its URIs are relative to (`--sarif-root`) and where the report's
   * locations are. Absent, relative locations are written relative to `%SRCROOT%` as they are.
   */
  sarifPaths?: SarifPaths;
}

/**
 * A report format: a pure function from the final (redacted, sorted) report to the file's text.
 * Reporters never print, never read globals and never reorder findings.
 */
export type Reporter = (report: Report, ctx: ReporterContext) => string;

/**
 * One report format: its `--format` name, its reporter, and the `--output` file extensions that
 * select it (lowercase, with the dot; the first names its files). One file each, one line in registry.ts.
 */
export interface ReportFormatDefinition {
  readonly name: string;
  readonly render: Reporter;
  readonly extensions: readonly [string, ...string[]];
}
