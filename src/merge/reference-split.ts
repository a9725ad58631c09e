import { assemble } from '../audit/assemble.js';
import { splitNotice } from '../audit/reference-split.js';
import type { Identification } from '../identify/detector.js';
import { locationMatcher } from '../policy/locations.js';
import { REQUIREMENT_KINDS } from '../policy/requirements/registry.js';
import { noticeKey } from '../postprocess/dedupe.js';
import { finalize } from '../postprocess/finalize.js';
import type { Asset, Finding, Report } from '../report/model.js';
import type { CoverageEntry } from '../sources/item.js';
import { canonicalJson } from '../util/canonical-json.js';
import { compareStrings } from '../util/compare.js';
import { UsageError } from '../util/errors.js';
import { assetOf, mergeIdentifications, sameChoice } from './identifications.js';
import type { MergeOptions } from './merge.js';
import { auditWideFindings, notEvaluatedByAll, timeSpan } from './merge-parts.js';
import { checkSplits } from './split-checks.js';

/**
 * Merges the reports of `--references 1/n` ... `--references n/n` (every split audited the same
 * inputs, each against one share of the references) into the report a single run with the whole set
 * gives. Per location, the splits' identifications are reduced by each detector's own rule
 * (identifications.ts); the per-item findings are those of the split whose match the merge chose
 * (findings depend on the chosen match and the item's own facts, which every split shares);
 * audit-wide requirements and waivers are evaluated again, as mergeShards does. Coverage and notices
 * are the same statements in every split: each is kept once. Counts of the inputs are every split's,
 * not a sum. Splits of one shard (`--shard s/m --references k/n`) merge into that shard's report.
 */
export function mergeReferenceSplits(reports: readonly Report[], options: MergeOptions = {}): Report {
  const splits = checkSplits(reports);
  const first = splits[0]!;
  const { policy } = first.references;
  const now = new Date(first.references.now);
  const isAuthorized = locationMatcher(policy.locations.authorized);

  // Every identified item is an asset in its split, and its identifications are in that split's `identified`.
  const byLocation = new Map<string, { identifications: Identification[][]; assets: { split: number; asset: Asset }[] }>();
  const at = (location: string) => byLocation.get(location) ?? byLocation.set(location, { identifications: [], assets: [] }).get(location)!;
  splits.forEach((split, s) => {
    for (const asset of split.assets) at(asset.location).assets.push({ split: s, asset });
    for (const entry of split.references.identified) at(entry.location).identifications.push(entry.identifications);
  });
  const aggregateKinds = new Set<string>(REQUIREMENT_KINDS.filter((r) => 'aggregate' in r && r.aggregate).map((r) => r.kind));
  // Each split's per-item findings by location, looked up once per asset (not a scan per asset).
  const perItemBySplit = splits.map((split) => {
    const byPlace = new Map<string, Finding[]>();
    for (const { waiver: _waiver, ...f } of split.findings) {
      if (aggregateKinds.has(f.requirement)) continue;
      const here = byPlace.get(f.location);
      if (here) here.push(f);
      else byPlace.set(f.location, [f]);
    }
    return byPlace;
  });

  const assets: Asset[] = [];
  const findings: Finding[] = [];
  for (const [location, found] of byLocation) {
    const seen = found.assets[0];
    if (!seen || found.identifications.length === 0)
      throw new UsageError(
        `reference-split reports disagree with themselves at ${location} (an asset without identifications, or the reverse): not reports custody wrote`,
      );
    const asset = assetOf(mergeIdentifications(found.identifications), seen.asset);
    assets.push(asset);
    // Every split's findings here follow from its own match; the split of the chosen match has the single run's.
    const chosen = found.assets.find((a) => sameChoice(a.asset, asset)) ?? seen;
    findings.push(...(perItemBySplit[chosen.split]!.get(location) ?? []));
  }

  // In one order whatever the splits' (an audit-wide finding's evidence lists classes as it meets them).
  assets.sort((a, b) => compareStrings(a.location, b.location));
  const knows = new Set(splits.flatMap((s) => s.references.knows ?? []));
  const aggregate = auditWideFindings(policy, assets, now, isAuthorized, knows);
  const notEvaluated = notEvaluatedByAll(splits);
  const own = new Set(splits.map((s) => noticeKey(splitNotice(s.references))));
  const summaries = splits.map((s) => s.summary);
  // A split may skip an item another inspected (it had no view to decode it against): the single run
  // skipped what any split skipped.
  const filesSkipped = Math.max(...summaries.map((s) => s.filesSkipped));
  const merged = assemble({
    policy: { doc: policy, digest: first.policy.digest, builtin: first.policy.builtin },
    // Each reference is in exactly one split: the set's count is the splits' sum.
    fingerprints: first.fingerprints.map((set, i) => ({ ...set, references: splits.reduce((n, s) => n + s.fingerprints[i]!.references, 0) })),
    inputs: first.inputs,
    ...timeSpan(splits),
    assets,
    findings: [...findings, ...aggregate],
    notEvaluated,
    coverage: uniqueCoverage(splits.flatMap((s) => s.coverage)),
    notices: splits.flatMap((s) => s.notices).filter((n) => !own.has(noticeKey(n))),
    plates: first.summary.plates,
    allowEmpty: first.references.allowEmpty === true || first.shard !== undefined,
    counts: {
      filesSeen: first.summary.filesSeen,
      filesInspected: first.summary.filesSeen - filesSkipped,
      filesSkipped,
      bytesSeen: first.summary.bytesSeen,
      // A measurement, not a conclusion: what the split audit read, every split reading the tree.
      bytesRead: summaries.reduce((n, s) => n + s.bytesRead, 0),
    },
  });
  // Splits of one shard make that shard's report, for mergeShards: with what all its splits' sources knew.
  if (first.shard) merged.shard = { ...first.shard, knows: [...knows].sort() };
  return finalize(merged, { waivers: policy.waivers, now, ...(options.baseline ? { baseline: options.baseline } : {}) });
}

function uniqueCoverage(entries: readonly CoverageEntry[]): CoverageEntry[] {
  const seen = new Map<string, CoverageEntry>();
  for (const entry of entries) seen.set(canonicalJson(entry), entry);
  return [...seen.values()];
}
