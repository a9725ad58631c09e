import type { Report } from './model.js';

/**
 * Text as a CSS string literal: everything but plain ASCII letters, digits and a few punctuation
 * marks becomes a hex escape, so no report value can end the string or the rule.
 */
export function cssString(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9 :._/+@-]/gu, (ch) => `\\${ch.codePointAt(0)!.toString(16)} `)}"`;
}

/** The audit time the report states (when it started; shards and merges share it). */
export function auditTime(report: Report): string {
  return report.startedAt;
}

/** The footer lines every printed page carries: what was applied, to what, and when. */
export function footerLines(report: Report): string[] {
  const fingerprints = report.fingerprints.map((f) => f.digest).join(', ') || 'none';
  return [`custody audit ${auditTime(report)}`, `policy ${report.policy.digest}`, `fingerprints ${fingerprints}`];
}

/**
 * The printed page's footer, as CSS `@page` margin boxes: "Page N of M" at the right, and the
 * audit time and the policy and fingerprint digests at the left, on every page, whether the report
 * is printed from a browser by a user or to PDF by a script. Chromium draws margin boxes since
 * version 131 (earlier ones, and Firefox before 2025, print the page without them; the on-screen
 * footer, at the end of the body, still carries the same facts on the last page). Report-specific,
 * so it is its own style block with its own CSP hash.
 */
export function pageStyle(report: Report): string {
  const left = cssString(footerLines(report).join('\n'));
  return `
@page {
  size: auto;
  margin: 14mm 12mm 22mm;
  @bottom-left { content: ${left}; white-space: pre-wrap; font: 7pt/1.3 ui-monospace, monospace; color: #333; vertical-align: top; padding-top: 3mm; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, sans-serif; color: #333; vertical-align: top; padding-top: 3mm; width: 28mm; }
}
`;
}
