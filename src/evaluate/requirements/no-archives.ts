import { containerOf } from '../../policy/locations.js';
import { perSubject } from '../requirement.js';

/** Agency data inside an archive (a bulk export or a backup) outside the authorised locations. */
export const noArchives = perSubject('no-archives', (subject) => {
  const chain = subject.item.archiveChain ?? [];
  if (chain.length === 0 || subject.authorized) return undefined;
  return {
    message: `Agency data packed inside an archive outside the authorised locations (${containerOf(subject.asset.location)})`,
    evidence: { archives: [...chain] },
  };
});
