import { assemble } from '../audit/assemble.js';
import { locationMatcher } from '../policy/locations.js';
import { REQUIREMENT_KINDS } from '../policy/requirements/registry.js';
import { finalize } from '../postprocess/finalize.js';
import type { Finding, Report } from '../report/model.js';
import { UsageError } from '../util/errors.js';
import { auditWideFindings, notEvaluatedByAll, timeSpan } from './merge-parts.js';
import { mergeReferenceSplits } from './reference-split.js';

type ShardReport = Report & { shard: NonNullable<Report['shard']> };

/** How shards are merged. */
export interface MergeOptions {
  /**
   * Fingerprints of an earlier (merged or single-run) report's findings, as postprocess/baseline.ts
   * `loadBaseline` reads them: every merged finding is marked new or unchanged against it.
   */
  baseline?: ReadonlySet<string>;
}

/**
 * Merges the reports of a divided audit into the report of a single run: tree shards (`--shard k/n`,
 * mergeShards), reference splits (`--references k/n`, mergeReferenceSplits), or both at once (shard s
 * of m x split k of n: each shard's splits merge into that shard's report, then the shards merge).
 */
export function mergeReports(reports: readonly Report[], options: MergeOptions = {}): Report {
  const splits = reports.filter((r) => r.references);
  if (splits.length === 0) return mergeShards(reports, options);
  if (splits.length !== reports.length)
    throw new UsageError('reference-split reports (--references) and reports of whole sets cannot merge together: give every split of the audit');
  const sharded = reports.filter((r) => r.shard);
  if (sharded.length === 0) return mergeReferenceSplits(reports, options);
  if (sharded.length !== reports.length)
    throw new UsageError('some reference splits were sharded (--shard) and some were not: audit every split with the same --shard count');
  const byShard = new Map<number, Report[]>();
  for (const report of reports) byShard.set(report.shard!.index, [...(byShard.get(report.shard!.index) ?? []), report]);
  const shards = [...byShard.keys()].sort((a, b) => a - b).map((index) => mergeReferenceSplits(byShard.get(index)!));
  return mergeShards(shards, options);
}

/**
 * Merges the reports of `--shard 1/n` ... `--shard n/n` into the report a single run gives
 * (byte-identical apart from timing fields when every shard was given the same --now). Per-item
 * findings carry over; audit-wide requirements (max-copies) and waivers are evaluated again on the
 * union, because no shard could decide them alone. The result goes through the same finalize
 * pipeline as an audit's (no redaction: each shard masked its plates already).
 */
export function mergeShards(reports: readonly Report[], options: MergeOptions = {}): Report {
  const shards = checkComplete(reports);
  const first = shards[0]!;
  const policy = first.shard.policy;
  const now = new Date(first.shard.now);
  const aggregateKinds = new Set<string>(REQUIREMENT_KINDS.filter((r) => 'aggregate' in r && r.aggregate).map((r) => r.kind));
  const assets = shards.flatMap((s) => s.assets);
  const perItem: Finding[] = shards
    .flatMap((s) => s.findings)
    .filter((f) => !aggregateKinds.has(f.requirement))
    // Waivers are applied afresh by finalize; so is a baseline given to the merge (applyBaseline marks every finding).
    .map(({ waiver: _waiver, ...f }) => f);

  const isAuthorized = locationMatcher(policy.locations.authorized);
  // What any shard's sources could know: the single run would have met all their items.
  const knows = new Set(shards.flatMap((s) => s.shard.knows ?? []));
  const aggregate = auditWideFindings(policy, assets, now, isAuthorized, knows);
  // A protocol was evaluated if any shard could evaluate it.
  const notEvaluated = notEvaluatedByAll(shards);
  const sum = (key: keyof Report['summary'] & ('filesSeen' | 'filesInspected' | 'filesSkipped' | 'bytesSeen' | 'bytesRead')) =>
    shards.reduce((n, s) => n + s.summary[key], 0);
  const merged = assemble({
    policy: { doc: policy, digest: first.policy.digest, builtin: first.policy.builtin },
    fingerprints: first.fingerprints,
    inputs: first.inputs,
    ...timeSpan(shards),
    assets,
    findings: [...perItem, ...aggregate],
    notEvaluated,
    coverage: shards.flatMap((s) => s.coverage),
    notices: shards.flatMap((s) => s.notices),
    // Every shard ran with the same fingerprints and key, so with the same plate check.
    plates: first.summary.plates,
    allowEmpty: first.shard.allowEmpty === true,
    counts: {
      filesSeen: sum('filesSeen'),
      filesInspected: sum('filesInspected'),
      filesSkipped: sum('filesSkipped'),
      bytesSeen: sum('bytesSeen'),
      bytesRead: sum('bytesRead'),
    },
  });
  return finalize(merged, { waivers: policy.waivers, now, ...(options.baseline ? { baseline: options.baseline } : {}) });
}

function describePlates(report: Report): string {
  const { status, reason } = report.summary.plates;
  return reason ? `${status}, ${reason}` : status;
}

function checkComplete(reports: readonly Report[]): ShardReport[] {
  if (reports.length === 0) throw new UsageError('merge needs the shard reports');
  const shards = reports.map((r, i) => {
    if (!r.shard) throw new UsageError(`report ${i + 1} is not a shard report (audit with --shard k/n --format json)`);
    return r as ShardReport;
  });
  const first = shards[0]!;
  const count = first.shard.count;
  for (const s of shards) {
    if (s.shard.count !== count) throw new UsageError(`shards disagree on the shard count (${count} and ${s.shard.count})`);
    if (s.policy.digest !== first.policy.digest) throw new UsageError('shards were audited with different policies');
    if (JSON.stringify(s.fingerprints) !== JSON.stringify(first.fingerprints)) throw new UsageError('shards were audited with different fingerprint sets');
    if (JSON.stringify(s.inputs) !== JSON.stringify(first.inputs)) throw new UsageError('shards audited different inputs');
    if (s.tool.version !== first.tool.version) throw new UsageError('shards were audited by different custody versions');
    // Retention and waiver expiry are judged as of `now`: shards audited at different moments would
    // merge into a report no single run gives (a file near its limit passing on one, failing on another).
    if (s.shard.now !== first.shard.now)
      throw new UsageError(
        `shards were audited at different times (shard ${first.shard.index}: ${first.shard.now}; shard ${s.shard.index}: ${s.shard.now}): give every shard the same --now`,
      );
    // A shard that could not check plates (its job lacked the key) must not merge into a clean report.
    if (JSON.stringify(s.summary.plates) !== JSON.stringify(first.summary.plates)) {
      throw new UsageError(
        `shards disagree on the plate check (shard ${first.shard.index}: ${describePlates(first)}; shard ${s.shard.index}: ${describePlates(s)}): audit every shard with the same key and flags`,
      );
    }
    if ((s.shard.allowEmpty === true) !== (first.shard.allowEmpty === true))
      throw new UsageError('shards disagree on --allow-empty: audit every shard with the same flags');
  }
  const indices = shards.map((s) => s.shard.index).sort((a, b) => a - b);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !indices.includes(k));
  if (missing.length > 0 || indices.length !== count) {
    throw new UsageError(missing.length > 0 ? `missing shard(s) ${missing.join(', ')} of ${count}` : 'a shard was given twice');
  }
  return shards.sort((a, b) => a.shard.index - b.shard.index);
}
