import { z } from 'zod';
import { octal, perSubject } from './kind.js';

const AccessSchema = z.enum(['none', 'read', 'read-write']);

/** Most group and world (other) access allowed; defaults: none and none. Filesystem and tar members only. */
const schema = z.strictObject({ kind: z.literal('permissions'), group: AccessSchema.default('none'), world: AccessSchema.default('none') });

type Access = 'none' | 'read' | 'read-write';

/** The access a class of users has, from three permission bits (read 4, write 2). */
function accessOf(bits: number): Access | 'write' {
  const read = (bits & 4) !== 0;
  const write = (bits & 2) !== 0;
  if (read && write) return 'read-write';
  if (write) return 'write';
  return read ? 'read' : 'none';
}

const RANK: Record<Access | 'write', number> = { none: 0, read: 1, write: 2, 'read-write': 2 };

/** No group/world access beyond what the policy allows (filesystem entries; archives by the archive file). */
export const permissions = perSubject(
  schema,
  (subject, requirement) => {
    if (subject.accessMode === undefined) return undefined;
    const group = accessOf((subject.accessMode >> 3) & 7);
    const world = accessOf(subject.accessMode & 7);
    const excess: string[] = [];
    if (RANK[group] > RANK[requirement.group] || (group === 'write' && requirement.group === 'read')) excess.push(`group ${group}`);
    if (RANK[world] > RANK[requirement.world] || (world === 'write' && requirement.world === 'read')) excess.push(`world ${world}`);
    if (excess.length === 0) return undefined;
    const mode = octal(subject.accessMode);
    const via = subject.accessFrom ? ' (the archive holding it)' : '';
    return {
      message: `Agency data is accessible beyond its owner${via}: ${excess.join(', ')} (mode ${mode})`,
      evidence: { mode, group, world, allowed: { group: requirement.group, world: requirement.world } },
    };
  },
  { notEvaluable: (ctx) => (ctx.knows.has('modes') ? undefined : 'file permissions are only known for files on a filesystem') },
);
