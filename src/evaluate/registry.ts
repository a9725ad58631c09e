import type { RequirementKind } from '../policy/schema.js';
import type { RequirementCheck } from './requirement.js';
import { encryption } from './requirements/encryption.js';
import { location } from './requirements/location.js';
import { maxCopies } from './requirements/max-copies.js';
import { noArchives } from './requirements/no-archives.js';
import { noLogs } from './requirements/no-logs.js';
import { permissions } from './requirements/permissions.js';
import { publicAccess } from './requirements/public-access.js';
import { retention } from './requirements/retention.js';

/** Every requirement kind the policy language knows. A new kind: one file plus one line here. */
export const REQUIREMENTS: { [K in RequirementKind]: RequirementCheck<K> } = {
  location,
  permissions,
  retention,
  encryption,
  'no-archives': noArchives,
  'max-copies': maxCopies,
  'public-access': publicAccess,
  'no-logs': noLogs,
};
