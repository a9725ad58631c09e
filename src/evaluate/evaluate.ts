import { createHash } from 'node:crypto';
import type { RequirementDefinition } from '../policy/requirements/kind.js';
import { requirementKind } from '../policy/requirements/registry.js';
import type { PolicyDocument, Protocol } from '../policy/schema.js';
import { type Finding, LEVEL_OF } from '../report/model.js';
import type { EvaluationContext, Subject, Violation } from './requirement.js';

/** What evaluation produced: findings, and protocols that could not be evaluated on these inputs. */
export interface Evaluation {
  findings: Finding[];
  /** Protocol id -> why it could not be evaluated. */
  notEvaluated: Map<string, string>;
}

/**
 * Applies every protocol to every subject in its scope. Unverifiable candidates are listed as assets
 * but never evaluated: custody does not claim a violation it cannot prove.
 */
export function evaluate(
  policy: PolicyDocument,
  subjects: readonly Subject[],
  ctx: EvaluationContext,
  only: (check: RequirementDefinition) => boolean = () => true,
): Evaluation {
  const findings: Finding[] = [];
  const notEvaluated = new Map<string, string>();
  const provable = subjects.filter((s) => s.asset.method !== 'unverifiable');
  for (const protocol of policy.protocols) {
    const check = requirementKind(protocol.require.kind);
    if (!only(check)) continue;
    const reason = check.notEvaluable?.(ctx) ?? uncheckedScope(protocol, check, ctx);
    if (reason) {
      notEvaluated.set(protocol.id, reason);
      continue;
    }
    const scope = protocol.assets ? provable.filter((s) => protocol.assets!.includes(s.asset.asset)) : provable;
    const violations = check.check(scope, protocol.require as never, ctx);
    findings.push(...violations.map((v) => toFinding(protocol, v)));
  }
  return { findings, notEvaluated };
}

/** Why a protocol cannot be evaluated when every asset class it concerns went unchecked. */
function uncheckedScope(protocol: Protocol, check: RequirementDefinition, ctx: EvaluationContext): string | undefined {
  if (!ctx.unchecked || ctx.unchecked.size === 0) return undefined;
  const classes = protocol.assets && check.assets ? protocol.assets.filter((a) => check.assets!.includes(a)) : (protocol.assets ?? check.assets);
  if (!classes || classes.length === 0 || !classes.every((c) => ctx.unchecked!.has(c))) return undefined;
  return [...new Set(classes.map((c) => ctx.unchecked!.get(c)!))].join('; ');
}

function toFinding(protocol: Protocol, violation: Violation): Finding {
  const asset = violation.subject?.asset;
  return {
    ruleId: protocol.id,
    requirement: protocol.require.kind,
    clause: protocol.clause,
    severity: protocol.severity,
    level: LEVEL_OF[protocol.severity],
    location: violation.location,
    ...(asset ? { asset: asset.asset } : {}),
    ...(asset?.reference ? { reference: asset.reference } : {}),
    message: violation.message,
    evidence: { ...(asset ? { method: asset.method } : {}), ...violation.evidence },
    fingerprint: findingFingerprint(protocol.id, violation),
  };
}

/**
 * Baseline identity: protocol + content digest, so a renamed copy of a known finding is not new, and
 * a different file at an old path is. Items without a content digest fall back to their location;
 * audit-wide findings to the protocol alone.
 */
export function findingFingerprint(ruleId: string, violation: Pick<Violation, 'location' | 'subject'>): string {
  const asset = violation.subject?.asset;
  const key = !violation.subject ? 'audit' : asset?.sha256 ? `sha256:${asset.sha256}` : asset?.md5 ? `md5:${asset.md5}` : `location:${violation.location}`;
  return createHash('sha256').update(`custody/v1\0${ruleId}\0${key}`).digest('hex');
}
