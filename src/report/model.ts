import type { Identification, Method } from '../identify/detector.js';
import type { PolicyDocument } from '../policy/schema.js';
import type { CoverageEntry, Fact, Notice, Origin } from '../sources/item.js';

/** Contract severities, as written in policies. */
export type Severity = 'critical' | 'high' | 'medium' | 'low';
/** Machine levels (SARIF `level`), mapped 1:1 from severities. */
export type Level = 'error' | 'warning' | 'note';

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export const LEVEL_OF: Record<Severity, Level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** One identified agency item at one location. */
export interface Asset {
  location: string;
  origin: Origin;
  /** Asset class id. */
  asset: string;
  method: Method;
  /** Fingerprint reference id, when known. */
  reference?: string;
  size: number;
  /** SHA-256 of the content when custody computed or was given it (never the content). */
  sha256?: string;
  md5?: string;
  /** Method evidence (distance, quality, variant, marker, records count, ...). */
  evidence: Record<string, unknown>;
}

/** A violation of one protocol at one location. */
export interface Finding {
  /** The protocol id. */
  ruleId: string;
  /** The requirement kind (location, permissions, retention, ...). */
  requirement: string;
  /** The contract clause the protocol cites. */
  clause: string;
  severity: Severity;
  level: Level;
  location: string;
  /** Asset class of the item, when the finding concerns one item. */
  asset?: string;
  reference?: string;
  message: string;
  evidence: Record<string, unknown>;
  /**
   * Stable identity for baselines: sha256 over protocol id + content digest (location when no content
   * digest is known; protocol alone for audit-wide findings), hex. A renamed copy keeps it.
   */
  fingerprint: string;
  /** Set when an active waiver covers the finding; waived findings never fail a build. */
  waiver?: { id: string; reason: string; approver: string; expires: string };
  /** Set by `--baseline`: the finding was already in the previous report. */
  baseline?: 'new' | 'unchanged';
}

/** A protocol as reports describe it. */
export interface ProtocolInfo {
  id: string;
  clause: string;
  title: string;
  severity: Severity;
  level: Level;
  requirement: string;
  remediation?: string;
  /** Why it could not be evaluated on these inputs, when it could not. */
  notEvaluated?: string;
}

/**
 * `passed-on-inspected`: no finding, but the audit is incomplete, so the clause passed only on what
 * could be inspected (never shown as plainly `passed`).
 */
export type ClauseVerdict = 'passed' | 'passed-on-inspected' | 'violated' | 'waived' | 'not-evaluated';

export interface ClauseResult {
  id: string;
  title: string;
  mandatory: boolean;
  verdict: ClauseVerdict;
  /** Protocol ids citing this clause. */
  protocols: string[];
  /**
   * Why, for not-evaluated (e.g. "encryption is not knowable on a plain filesystem"), and what was
   * not checked, for passed-on-inspected.
   */
  reason?: string;
  /** For passed-on-inspected: items that could not be inspected (see the report's coverage). */
  notInspected?: number;
}

/**
 * Whether the audit checked plate records. `not-applicable`: the fingerprint sets hold no plate
 * digests; `opted-out`: the user said `--no-plates`; `not-checked`: digests are there but no usable
 * key (the audit is then incomplete).
 */
export interface PlateCheck {
  status: 'checked' | 'not-checked' | 'opted-out' | 'not-applicable';
  /** Why, unless checked or not applicable. */
  reason?: string;
}

export interface Summary {
  filesSeen: number;
  filesInspected: number;
  filesSkipped: number;
  bytesSeen: number;
  bytesRead: number;
  assetsByClass: Record<string, number>;
  assetsByMethod: Record<string, number>;
  findingsBySeverity: Record<Severity, number>;
  waived: number;
  /** Whether plate records were checked. */
  plates: PlateCheck;
  /**
   * Why the audit is incomplete, one sentence each, the most serious first (plate records not
   * checked, nothing audited, items not inspected); empty when it is complete.
   */
  incompleteReasons: string[];
  /** True when anything could not be checked (exit code 3 when nothing outranks it): incompleteReasons is not empty. */
  incomplete: boolean;
}

export const REPORT_FORMAT = 'custody-report';
export const REPORT_VERSION = 1;

/** The JSON report: a stable, versioned contract (schemas/report.schema.json). */
export interface Report {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  tool: { name: 'custody'; version: string };
  policy: { id: string; title: string; agency: string; digest: string; builtin: boolean };
  fingerprints: { digest: string; references: number; plateKeyId?: string }[];
  /** Scan roots and manifests, as given. */
  inputs: string[];
  startedAt: string;
  finishedAt: string;
  summary: Summary;
  /** The policy's protocols, for rule metadata (SARIF rules, JUnit test cases, help text). */
  protocols: ProtocolInfo[];
  clauses: ClauseResult[];
  assets: Asset[];
  findings: Finding[];
  /** Waivers that expired: they no longer apply and are reported. */
  expiredWaivers: { id: string; protocol: string; location: string; expires: string; approver: string; wouldCover: number }[];
  coverage: CoverageEntry[];
  /** Statements about inputs and the audit as a whole (bag validity, key mismatch, ...). */
  notices: Notice[];
  /**
   * Present only in shard reports (`--shard k/n`): what `custody merge` needs to rebuild the
   * single-run report. Absent from merged and ordinary reports.
   */
  shard?: { index: number; count: number; now: string; policy: PolicyDocument; allowEmpty?: boolean; knows?: Fact[] };
  /**
   * Present only in reference-split reports (`--references k/n`): which share of the fingerprint
   * set the audit matched against, and what `custody merge` needs to rebuild the single-run report.
   * Absent from merged and ordinary reports.
   */
  references?: ReferenceSplit;
}

/** A reference-split audit's share and its merge data (src/merge/reference-split.ts). */
export interface ReferenceSplit {
  index: number;
  count: number;
  now: string;
  policy: PolicyDocument;
  allowEmpty?: boolean;
  knows?: Fact[];
  /**
   * Every identification of every identified item, evidence included, by location: the asset keeps
   * only the strongest one's evidence, and the merge must weigh each split's matches against the others'.
   */
  identified: { location: string; identifications: Identification[] }[];
}
