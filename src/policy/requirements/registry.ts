import { z } from 'zod';
import { encryption } from './encryption.js';
import type { RequirementDefinition, RequirementShape } from './kind.js';
import { location } from './location.js';
import { maxCopies } from './max-copies.js';
import { noArchives } from './no-archives.js';
import { noLogs } from './no-logs.js';
import { permissions } from './permissions.js';
import { publicAccess } from './public-access.js';
import { retention } from './retention.js';

/**
 * Every requirement kind of the policy language. A new kind is one file (its fields and its check)
 * plus one line here; the policy schema, the evaluator and the reference follow from this list.
 */
export const REQUIREMENT_KINDS = [location, permissions, retention, encryption, noArchives, maxCopies, publicAccess, noLogs] as const;

type KindSchema = (typeof REQUIREMENT_KINDS)[number]['schema'];

/**
 * A protocol's `require:`, one of the kinds, told apart by `kind`. The casts only restate types: zod
 * cannot take its option tuple from a mapped list, so the parsed type is given from the kinds' schemas.
 */
export const RequirementSchema = z.discriminatedUnion(
  'kind',
  REQUIREMENT_KINDS.map((k) => k.schema) as unknown as [RequirementShape, ...RequirementShape[]],
) as unknown as z.ZodType<z.output<KindSchema>, z.input<KindSchema>>;
export type Requirement = z.output<KindSchema>;
export type RequirementKind = Requirement['kind'];

const BY_KIND: ReadonlyMap<string, RequirementDefinition> = new Map(REQUIREMENT_KINDS.map((k) => [k.kind, k as unknown as RequirementDefinition]));

/** The definition of one kind (the policy schema admits no other). */
export function requirementKind(kind: RequirementKind): RequirementDefinition<RequirementShape> {
  return BY_KIND.get(kind)!;
}
