import { z } from 'zod';
import { compareStrings } from '../../util/compare.js';
import type { RequirementDefinition } from './kind.js';

/** More than `max` agency items outside authorised locations is a reportable breach in itself. */
const schema = z.strictObject({ kind: z.literal('max-copies'), max: z.number().int().nonnegative() });

/** More than `max` agency items outside authorised locations: a reportable breach in itself. */
export const maxCopies: RequirementDefinition<typeof schema> = {
  kind: 'max-copies',
  schema,
  aggregate: true,
  check(subjects, requirement, ctx) {
    const outside = subjects.filter((s) => !s.authorized);
    if (outside.length <= requirement.max) return [];
    const counts = new Map<string, number>();
    for (const s of outside) counts.set(s.asset.asset, (counts.get(s.asset.asset) ?? 0) + 1);
    // Keys in class order, not in the order inspections finished: every format prints the same.
    const byClass = Object.fromEntries([...counts].sort(([a], [b]) => compareStrings(a, b)));
    const references = new Set(outside.flatMap((s) => (s.asset.reference ? [s.asset.reference] : [])));
    return [
      {
        location: ctx.scope,
        message: `${outside.length} agency items outside the authorised locations (limit ${requirement.max}): a reportable breach volume`,
        evidence: { count: outside.length, max: requirement.max, byClass, distinctReferences: references.size },
      },
    ];
  },
};
