import type { z } from 'zod';
import type { Fact } from '../../sources/item.js';

/**
 * What a requirement may ask of an identified agency item: its facts, never where it came from.
 * The evaluator's subjects (src/evaluate) carry more; any of them fits here.
 */
export interface RequirementSubject {
  asset: { location: string; asset: string; method: string; reference?: string; evidence: Readonly<Record<string, unknown>> };
  item: {
    encryption?: string;
    publicGrants?: readonly string[];
    archiveChain?: readonly string[];
    mtime?: Date;
    /** The moment the source describes (an inventory's creation time); retention is measured to it. */
    asOf?: Date;
    /** What the item's source can know, and how it names the item's dates. */
    known?: { readonly mtimeIs: string };
  };
  facts: { capturedAt?: Date; capturedAtField?: string };
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
export interface Violation<S extends RequirementSubject = RequirementSubject> {
  location: string;
  message: string;
  evidence: Record<string, unknown>;
  subject?: S;
}

/** The policy form of a requirement kind: a strict object whose `kind` is its literal id. */
export type RequirementShape = z.ZodObject<{ kind: z.ZodLiteral<string> } & z.ZodRawShape, z.core.$strict>;

/**
 * One requirement kind of the policy language, whole: the fields a policy gives it (its schema,
 * validated with line:column when the policy loads; its TSDoc is the policy reference) and what it
 * checks. A new kind is one file holding one of these plus one line in registry.ts.
 */
export interface RequirementDefinition<Schema extends RequirementShape = RequirementShape> {
  kind: z.infer<Schema>['kind'];
  schema: Schema;
  /** True when violations depend on all subjects together (max-copies): shards cannot decide alone. */
  aggregate?: boolean;
  /** The only asset classes this kind can find violations in (no-logs: plate records); all when absent. */
  assets?: readonly string[];
  /** Why this requirement cannot be evaluated on the audit's inputs; undefined when it can. */
  notEvaluable?(ctx: EvaluationContext): string | undefined;
  check<S extends RequirementSubject>(subjects: readonly S[], requirement: z.infer<Schema>, ctx: EvaluationContext): Violation<S>[];
}

/** A kind that checks each subject on its own. */
export function perSubject<Schema extends RequirementShape>(
  schema: Schema,
  one: (subject: RequirementSubject, requirement: z.infer<Schema>, ctx: EvaluationContext) => Omit<Violation, 'location' | 'subject'> | undefined,
  options: { notEvaluable?: (ctx: EvaluationContext) => string | undefined; assets?: readonly string[] } = {},
): RequirementDefinition<Schema> {
  return {
    kind: schema.shape.kind.value as z.infer<Schema>['kind'],
    schema,
    ...options,
    check: (subjects, requirement, ctx) =>
      subjects.flatMap((subject) => {
        const violation = one(subject, requirement, ctx);
        return violation ? [{ ...violation, location: subject.asset.location, subject }] : [];
      }),
  };
}

export const DAY_MS = 86_400_000;
export const octal = (mode: number): string => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;

/** The asset class of licence-plate records (the record detector's, and no-logs'). */
export const PLATE_RECORD_CLASS = 'plate-record';
