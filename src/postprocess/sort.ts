import { type Asset, type Finding, type Report, SEVERITY_ORDER } from '../report/model.js';
import type { CoverageEntry, Notice } from '../sources/item.js';
import { compareStrings as cmp } from '../util/compare.js';
import { noticeKey } from './dedupe.js';

/** Findings: most severe first, then protocol, location, fingerprint. */
export const sortFindings = (findings: Finding[]): Finding[] =>
  findings.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      cmp(a.ruleId, b.ruleId) ||
      cmp(a.location, b.location) ||
      cmp(a.fingerprint, b.fingerprint),
  );

export const sortAssets = (assets: Asset[]): Asset[] => assets.sort((a, b) => cmp(a.location, b.location) || cmp(a.asset, b.asset));

export const sortCoverage = (coverage: CoverageEntry[]): CoverageEntry[] =>
  coverage.sort((a, b) => cmp(a.location, b.location) || cmp(a.reason, b.reason) || cmp(a.detail ?? '', b.detail ?? ''));

/** Notices by input, then level, then text. */
export const sortNotices = (notices: Notice[]): Notice[] => notices.sort((a, b) => cmp(noticeKey(a), noticeKey(b)));

/**
 * Every list of the report in its one order, the last step of finalize: after redaction, so that the
 * order never depends on what was masked. Sorts copies; the report given is left as it was.
 */
export function sortReport(report: Report): Report {
  return {
    ...report,
    findings: sortFindings([...report.findings]),
    assets: sortAssets([...report.assets]),
    coverage: sortCoverage([...report.coverage]),
    notices: sortNotices([...report.notices]),
  };
}
