import { evaluate } from '../evaluate/evaluate.js';
import { AUDIT_SCOPE, type Subject } from '../evaluate/requirement.js';
import type { PolicyDocument } from '../policy/schema.js';
import type { Asset, Finding, Report } from '../report/model.js';
import type { Fact } from '../sources/item.js';

// What merging tree shards and merging reference splits do alike: neither part could decide the
// audit-wide requirements, say which protocols went unevaluated, or when the whole ran.

/** Audit-wide findings (max-copies) over the merged assets, as the single run evaluates them. */
export function auditWideFindings(
  policy: PolicyDocument,
  assets: readonly Asset[],
  now: Date,
  isAuthorized: (location: string) => boolean,
  knows: ReadonlySet<Fact>,
): Finding[] {
  const subjects: Subject[] = assets.map((asset) => ({
    asset,
    item: { location: asset.location, origin: asset.origin, size: asset.size },
    facts: {},
    authorized: isAuthorized(asset.location),
  }));
  const ctx = { now, authorized: policy.locations.authorized, isAuthorized, knows, scope: AUDIT_SCOPE };
  return evaluate(policy, subjects, ctx, (check) => check.aggregate === true).findings;
}

/** Protocols no part could evaluate, with the first part's reason (one that any part evaluated was evaluated). */
export function notEvaluatedByAll(parts: readonly Report[]): Map<string, string> {
  const notEvaluated = new Map<string, string>();
  for (const protocol of parts[0]?.protocols ?? []) {
    if (protocol.notEvaluated && parts.every((s) => s.protocols.find((p) => p.id === protocol.id)?.notEvaluated))
      notEvaluated.set(protocol.id, protocol.notEvaluated);
  }
  return notEvaluated;
}

/** From the earliest part's start to the latest part's end. */
export function timeSpan(parts: readonly Report[]): { startedAt: string; finishedAt: string } {
  return {
    startedAt: parts.map((s) => s.startedAt).sort()[0]!,
    finishedAt: parts
      .map((s) => s.finishedAt)
      .sort()
      .at(-1)!,
  };
}
