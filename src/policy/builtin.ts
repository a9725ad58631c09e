import { canonicalJson } from '../util/canonical-json.js';
import { digestOf } from './digest.js';
import type { LoadedPolicy } from './load.js';
import type { PolicyDocument } from './schema.js';

/**
 * The policy used when only `--fingerprints` and `--authorized` are given (a contractor's
 * self-check): agency data outside the authorised globs violates `location`; group or world
 * access violates `permissions`.
 */
export function builtinPolicy(authorized: readonly string[], baseDir: string): LoadedPolicy {
  const doc: PolicyDocument = {
    version: 1,
    contract: {
      id: 'custody-default',
      title: 'Built-in self-check: agency data only in authorised locations, owner-only access',
      agency: '(unspecified)',
      clauses: [
        { id: 'location', title: 'Agency data is kept only in authorised locations', mandatory: true },
        { id: 'access', title: 'Agency data is not accessible to group or world', mandatory: true },
      ],
    },
    assets: { fingerprints: [], classes: [], markers: [] },
    locations: { authorized: [...authorized] },
    protocols: [
      { id: 'DEFAULT-LOC', clause: 'location', title: 'Agency data outside the authorised locations', severity: 'critical', require: { kind: 'location' } },
      {
        id: 'DEFAULT-PERM',
        clause: 'access',
        title: 'Group or world access to agency data',
        severity: 'high',
        require: { kind: 'permissions', group: 'none', world: 'none' },
      },
    ],
    waivers: [],
  };
  return { path: '(built-in)', baseDir, digest: digestOf(canonicalJson(doc)), doc, builtin: true, warnings: [] };
}
