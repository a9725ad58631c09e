import { z } from 'zod';
import { containerOf, locationMatcher } from '../locations.js';
import { perSubject } from './kind.js';

/** Agency data only in authorised locations (`locations.authorized`, or `authorized` here to override). */
const schema = z.strictObject({ kind: z.literal('location'), authorized: z.array(z.string().min(1)).optional() });

/** Agency data only in authorised locations. */
export const location = perSubject(schema, (subject, requirement, ctx) => {
  const globs = requirement.authorized ?? ctx.authorized;
  const authorized = requirement.authorized ? locationMatcher(globs)(subject.asset.location) : subject.authorized;
  if (authorized) return undefined;
  const container = containerOf(subject.asset.location);
  return {
    message: `${describe(subject.asset.asset)} found outside the authorised locations`,
    evidence: { authorized: [...globs], ...(container !== subject.asset.location ? { container } : {}) },
  };
});

const describe = (assetClass: string): string => `Agency data (${assetClass})`;
