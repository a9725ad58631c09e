import type { PlateMatcher } from './matcher.js';

/**
 * Plates split across two fields: registers keep a plate as series + serial (`AB` + `1234`), state +
 * number, prefix + number; exports keep the split. The agency digested the whole plate as read (v1
 * normalisation: the characters joined, separators dropped), so the join is the first part's text
 * followed by the second's, and it is claimed only when that exact whole is an agency digest: a join
 * can add a find, never a guess. Which fields are parts is decided from their names alone (a CSV
 * header, JSON keys of one object), the way the agency's own plate column is found by name.
 */

/** Names of a plate's leading part, after {@link partName} folding. */
const LEADING = new Set(['series', 'prefix', 'state', 'region', 'province', 'letters', 'area', 'district', 'county', 'jurisdiction']);
/** Names of a plate's trailing part, after {@link partName} folding. */
const TRAILING = new Set(['serial', 'number', 'num', 'no', 'nr', 'digits', 'suffix', 'sequence', 'seq']);
/** Words that may come before a part's name: `plate_series`, `registrationNumber`, `lpn.prefix`. */
const QUALIFIERS = /^(?:licen[cs]e|vehicle)?(?:plate|registration|reg|lpn|vrm|tag|lp|plt)?/;

/** Which part of a plate a field name says it holds; undefined for any other name. */
export function partName(name: string): 'leading' | 'trailing' | undefined {
  const folded = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  if (folded.length === 0 || folded.length > 40) return undefined;
  for (const candidate of [folded, folded.replace(QUALIFIERS, '')]) {
    if (LEADING.has(candidate)) return 'leading';
    if (TRAILING.has(candidate)) return 'trailing';
  }
  return undefined;
}

/** Pairs (leading, trailing) of field indexes whose names make them the two parts of one plate. */
export function partPairs(names: readonly (string | undefined)[]): [number, number][] {
  const leading: number[] = [];
  const trailing: number[] = [];
  for (const [i, name] of names.entries()) {
    const part = name === undefined ? undefined : partName(name);
    if (part === 'leading' && leading.length < MAX_PARTS) leading.push(i);
    else if (part === 'trailing' && trailing.length < MAX_PARTS) trailing.push(i);
  }
  return leading.flatMap((l) => trailing.map((t): [number, number] => [l, t]));
}

/** Most fields of one kind joined per record: a bound on the lookups one row can cost (4 x 4). */
const MAX_PARTS = 4;
/** Longest part kept: a plate is at most 10 characters, with separators a few more. */
export const MAX_PART_LENGTH = 24;

/** The matcher index of `leading` + `trailing` as one plate, or -1 (either part empty or too long). */
export function matchJoined(matcher: PlateMatcher, leading: string | undefined, trailing: string | undefined): number {
  if (!leading || !trailing || leading.length > MAX_PART_LENGTH || trailing.length > MAX_PART_LENGTH) return -1;
  return matcher.matchText(`${leading.trim()}${trailing.trim()}`);
}
