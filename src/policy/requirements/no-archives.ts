import { z } from 'zod';
import { containerOf } from '../locations.js';
import { perSubject } from './kind.js';

/** Agency data must not sit inside archives outside authorised locations. */
const schema = z.strictObject({ kind: z.literal('no-archives') });

/** Agency data inside an archive (a bulk export or a backup) outside the authorised locations. */
export const noArchives = perSubject(schema, (subject) => {
  const chain = subject.item.archiveChain ?? [];
  if (chain.length === 0 || subject.authorized) return undefined;
  return {
    message: `Agency data packed inside an archive outside the authorised locations (${containerOf(subject.asset.location)})`,
    evidence: { archives: [...chain] },
  };
});
