import safeRegex from 'safe-regex2';
import type { Problem } from '../util/errors.js';
import type { PolicyDocument } from './schema.js';

type Locate = (keyPath: readonly PropertyKey[]) => Omit<Problem, 'message'>;

/**
 * Checks that the schema cannot express: unique ids, references between sections, mandatory clauses
 * that no protocol enforces, marker patterns that can take exponential time (a warning: matching is
 * time-limited either way).
 */
export function checkSemantics(policy: PolicyDocument, locate: Locate): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const error = (keyPath: PropertyKey[], message: string) => errors.push({ ...locate(keyPath), message });

  duplicates(
    policy.contract.clauses.map((c) => c.id),
    ['contract', 'clauses'],
    'clause',
    error,
  );
  duplicates(
    policy.protocols.map((p) => p.id),
    ['protocols'],
    'protocol',
    error,
  );
  duplicates(
    policy.waivers.map((w) => w.id),
    ['waivers'],
    'waiver',
    error,
  );
  duplicates(
    policy.assets.classes.map((c) => c.id),
    ['assets', 'classes'],
    'asset class',
    error,
  );

  const clauses = new Set(policy.contract.clauses.map((c) => c.id));
  const protocols = new Set(policy.protocols.map((p) => p.id));
  const classes = new Set(policy.assets.classes.map((c) => c.id));
  const checkClass = (asset: string, keyPath: PropertyKey[]) => {
    if (classes.size > 0 && !classes.has(asset)) error(keyPath, `unknown asset class "${asset}" (declare it under assets.classes)`);
  };

  policy.protocols.forEach((protocol, i) => {
    if (!clauses.has(protocol.clause)) error(['protocols', i, 'clause'], `protocol ${protocol.id} cites unknown clause "${protocol.clause}"`);
    for (const [j, asset] of (protocol.assets ?? []).entries()) checkClass(asset, ['protocols', i, 'assets', j]);
  });
  for (const [i, marker] of policy.assets.markers.entries()) checkClass(marker.asset, ['assets', 'markers', i, 'asset']);
  policy.waivers.forEach((waiver, i) => {
    if (!protocols.has(waiver.protocol)) error(['waivers', i, 'protocol'], `waiver ${waiver.id} names unknown protocol "${waiver.protocol}"`);
  });

  policy.assets.markers.forEach((marker, i) => {
    const problem = marker.matches === undefined ? undefined : markerPatternProblem(marker.matches);
    if (problem) warnings.push({ ...locate(['assets', 'markers', i, 'matches']), message: `warning: marker pattern: ${problem}` });
  });

  const cited = new Set(policy.protocols.map((p) => p.clause));
  policy.contract.clauses.forEach((clause, i) => {
    if (clause.mandatory && !cited.has(clause.id)) {
      warnings.push({ ...locate(['contract', 'clauses', i, 'id']), message: `warning: mandatory clause ${clause.id} is not enforced by any protocol` });
    }
  });
  return { errors, warnings };
}

function duplicates(ids: string[], keyPath: PropertyKey[], what: string, error: (keyPath: PropertyKey[], message: string) => void): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) error([...keyPath, i, 'id'], `duplicate ${what} id "${id}"`);
    seen.add(id);
  });
}

/**
 * Marker patterns with nested quantifiers (star height above 1, as `(a+)+`), the shape behind
 * exponential backtracking, are flagged at policy load using safe-regex2 (a mature checker; the
 * `re2` linear-time engine needs a native build that fails here, and it would change the documented
 * JavaScript regex syntax). Matching itself is bounded at run time (marker-regex.ts, which every
 * audit loads; the checker is here so that an audit without a policy file never loads it).
 */
// Why a marker pattern should not be used, or undefined when it is fine (or safe-regex2 cannot tell).
export function markerPatternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'not a valid regular expression';
  }
  // safe-regex2 also answers "unsafe" for syntax its parser does not read (lookbehind), so the
  // message says both; the runtime guard bounds such patterns either way.
  return safeRegex(pattern)
    ? undefined
    : 'nested quantifiers (as in "(a+)+") can take exponential time on a hostile value, or the pattern uses syntax the checker cannot read (lookbehind); matching stays time-limited, but prefer a pattern without a repeated group that itself repeats';
}
