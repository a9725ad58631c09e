import { containerOf, locationMatcher } from '../../policy/locations.js';
import { perSubject } from '../requirement.js';

/** Agency data only in authorised locations. */
export const location = perSubject('location', (subject, requirement, ctx) => {
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
