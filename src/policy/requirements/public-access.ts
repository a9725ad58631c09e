import { z } from 'zod';
import { perSubject } from './kind.js';

/** No public access grants (AllUsers/AuthenticatedUsers) on agency objects (manifests with ACLs). */
const schema = z.strictObject({ kind: z.literal('public-access') });

/** No grants to AllUsers/AuthenticatedUsers on agency objects. */
export const publicAccess = perSubject(
  schema,
  (subject) => {
    const grants = subject.item.publicGrants ?? [];
    if (grants.length === 0) return undefined;
    return { message: `Agency object is readable beyond the contractor: ${grants.join(', ')}`, evidence: { grants: [...grants] } };
  },
  { notEvaluable: (ctx) => (ctx.knows.has('public-access') ? undefined : 'access grants are only known from storage manifests with ACLs') },
);
