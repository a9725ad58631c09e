import { type Asset, type Finding, SEVERITY_ORDER } from '../report/model.js';
import type { CoverageEntry } from '../sources/item.js';
import { compareStrings as cmp } from '../util/compare.js';

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
