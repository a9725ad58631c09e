import { perSubject } from '../requirement.js';

/** Server-side encryption status must be one the policy accepts (manifests only). */
export const encryption = perSubject(
  'encryption',
  (subject, requirement) => {
    const status = subject.item.encryption;
    if (status === undefined || requirement.accept.includes(status)) return undefined;
    return {
      message: `Agency object stored with encryption status ${status}; the contract accepts ${requirement.accept.join(', ')}`,
      evidence: { encryption: status, accept: [...requirement.accept] },
    };
  },
  (ctx) => (ctx.knows.has('encryption') ? undefined : 'encryption at rest is not knowable on a plain filesystem; audit a storage manifest to evaluate it'),
);
