import { z } from 'zod';
import { perSubject } from './kind.js';

/** Server-side encryption statuses accepted (manifests only; a plain filesystem cannot tell). */
const schema = z.strictObject({
  kind: z.literal('encryption'),
  /** Statuses as the manifest states them; default SSE-S3, SSE-KMS and SSE-C. */
  accept: z.array(z.string().min(1)).min(1).default(['SSE-S3', 'SSE-KMS', 'SSE-C']),
});

/** Server-side encryption status must be one the policy accepts (manifests only). */
export const encryption = perSubject(
  schema,
  (subject, requirement) => {
    const status = subject.item.encryption;
    if (status === undefined || requirement.accept.includes(status)) return undefined;
    return {
      message: `Agency object stored with encryption status ${status}; the contract accepts ${requirement.accept.join(', ')}`,
      evidence: { encryption: status, accept: [...requirement.accept] },
    };
  },
  {
    notEvaluable: (ctx) =>
      ctx.knows.has('encryption') ? undefined : 'encryption at rest is not knowable on a plain filesystem; audit a storage manifest to evaluate it',
  },
);
