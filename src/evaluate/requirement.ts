import type { ItemFacts } from '../identify/detector.js';
import type { Requirement, RequirementKind } from '../policy/schema.js';
import type { Asset } from '../report/model.js';
import type { Item } from '../sources/item.js';
import type { Fact } from '../sources/source.js';

/** One identified agency item, with what evaluation needs to know about it. */
export interface Subject {
  asset: Asset;
  item: Item;
  facts: ItemFacts;
  /** Whether its location (or its outermost archive's) is authorised. */
  authorized: boolean;
  /** Permission bits that govern access to it: its own, or its outermost archive file's. */
  accessMode?: number;
  /** The location of the archive file whose bits `accessMode` are, when they are not the item's own. */
  accessFrom?: string;
}

export interface EvaluationContext {
  /** Audit time; retention of filesystem items is measured from it. */
  now: Date;
  /** The authorised location globs the policy declares. */
  authorized: readonly string[];
  isAuthorized(location: string): boolean;
  /**
   * What the sources of the audited items can know (src/sources/source.ts): a requirement that needs
   * a fact no source knows (encryption, on a plain filesystem) is not evaluable, rather than passed.
   */
  knows: ReadonlySet<Fact>;
  /** Location used for findings about the audit as a whole (max-copies). */
  scope: string;
  /**
   * Asset classes the audit could not look for, with why (plate records without a usable key). A
   * protocol that concerns only such classes is not evaluated: finding none proves nothing.
   */
  unchecked?: ReadonlyMap<string, string>;
}

/** A violation before it becomes a Finding (protocol metadata is added by the evaluator). */
export interface Violation {
  location: string;
  message: string;
  evidence: Record<string, unknown>;
  subject?: Subject;
}

/** One requirement kind: one file in requirements/, one line in the registry. */
export interface RequirementCheck<K extends RequirementKind = RequirementKind> {
  kind: K;
  /** True when violations depend on all subjects together (max-copies): shards cannot decide alone. */
  aggregate?: boolean;
  /** The only asset classes this kind can find violations in (no-logs: plate records); all when absent. */
  assets?: readonly string[];
  /** Why this requirement cannot be evaluated on the audit's inputs; undefined when it can. */
  notEvaluable?(ctx: EvaluationContext): string | undefined;
  check(subjects: readonly Subject[], requirement: Extract<Requirement, { kind: K }>, ctx: EvaluationContext): Violation[];
}

/** Checks each subject on its own. */
export function perSubject<K extends RequirementKind>(
  kind: K,
  one: (subject: Subject, requirement: Extract<Requirement, { kind: K }>, ctx: EvaluationContext) => Omit<Violation, 'location' | 'subject'> | undefined,
  notEvaluable?: (ctx: EvaluationContext) => string | undefined,
  assets?: readonly string[],
): RequirementCheck<K> {
  return {
    kind,
    ...(notEvaluable ? { notEvaluable } : {}),
    ...(assets ? { assets } : {}),
    check: (subjects, requirement, ctx) =>
      subjects.flatMap((subject) => {
        const violation = one(subject, requirement, ctx);
        return violation ? [{ ...violation, location: subject.asset.location, subject }] : [];
      }),
  };
}

/** Location of findings about the audit as a whole (max-copies), whatever its inputs. */
export const AUDIT_SCOPE = '.';

export const DAY_MS = 86_400_000;
export const octal = (mode: number): string => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
