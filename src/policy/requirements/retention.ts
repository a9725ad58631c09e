import { z } from 'zod';
import { DAY_MS, perSubject, type RequirementSubject } from './kind.js';

/** Maximum age in days, from the capture date in metadata when known, else the modification time. */
const schema = z.strictObject({ kind: z.literal('retention'), maxAgeDays: z.number().int().positive() });

/** The best date known for an item, and what it is. */
function bestDate(subject: RequirementSubject): { date: Date; source: string } | undefined {
  if (subject.facts.capturedAt) return { date: subject.facts.capturedAt, source: `capture date (${subject.facts.capturedAtField ?? 'metadata'})` };
  // How the source names its dates; archive members carry their own, which are modification times.
  if (subject.item.mtime) return { date: subject.item.mtime, source: subject.item.known?.mtimeIs ?? 'modification time' };
  return undefined;
}

/** Kept no longer than maxAgeDays, measured to the manifest's as-of time or the audit time. */
export const retention = perSubject(schema, (subject, requirement, ctx) => {
  const known = bestDate(subject);
  if (!known) return undefined;
  const until = subject.item.asOf ?? ctx.now;
  const ageDays = Math.floor((until.getTime() - known.date.getTime()) / DAY_MS);
  if (ageDays <= requirement.maxAgeDays) return undefined;
  return {
    message: `Agency data kept ${ageDays} days, past the ${requirement.maxAgeDays}-day retention period (dated by its ${known.source})`,
    evidence: {
      ageDays,
      maxAgeDays: requirement.maxAgeDays,
      date: known.date.toISOString(),
      dateSource: known.source,
      measuredTo: subject.item.asOf ? `inventory as-of ${until.toISOString()}` : 'audit time',
    },
  };
});
