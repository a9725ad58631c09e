import type { RequirementCheck } from '../requirement.js';

/** More than `max` agency items outside authorised locations: a reportable breach in itself. */
export const maxCopies: RequirementCheck<'max-copies'> = {
  kind: 'max-copies',
  aggregate: true,
  check(subjects, requirement, ctx) {
    const outside = subjects.filter((s) => !s.authorized);
    if (outside.length <= requirement.max) return [];
    const byClass: Record<string, number> = {};
    for (const s of outside) byClass[s.asset.asset] = (byClass[s.asset.asset] ?? 0) + 1;
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
