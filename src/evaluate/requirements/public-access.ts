import { perSubject } from '../requirement.js';

/** No grants to AllUsers/AuthenticatedUsers on agency objects. */
export const publicAccess = perSubject(
  'public-access',
  (subject) => {
    const grants = subject.item.publicGrants ?? [];
    if (grants.length === 0) return undefined;
    return { message: `Agency object is readable beyond the contractor: ${grants.join(', ')}`, evidence: { grants: [...grants] } };
  },
  (ctx) => (ctx.knows.has('public-access') ? undefined : 'access grants are only known from storage manifests with ACLs'),
);
