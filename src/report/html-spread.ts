import { locationMatcher } from '../policy/locations.js';
import type { Asset, Finding, Report } from './model.js';

/**
 * Requirement kinds whose findings say, by existing, that an item lies outside the authorised
 * locations (no-archives is only ever raised there). A waiver excuses the finding, not the place.
 */
const OUTSIDE_KINDS = new Set(['location', 'no-archives']);

/** One copy of an agency item: where it is and what it breaks. */
export interface Copy {
  asset: Asset;
  /** Outside the authorised locations, as far as the report can tell (see {@link enclaveOf}). */
  outside: boolean;
  /** The findings at its location, in report order (waived ones included, marked by `waiver`). */
  findings: Finding[];
}

/** Every place one agency item was found: the spread of the data. */
export interface Spread {
  /** Fingerprint reference id, or a label for items identified without one. */
  key: string;
  referenced: boolean;
  asset: string;
  copies: Copy[];
  /** Copies with at least one unwaived finding at their location. */
  violating: number;
  /** Copies outside the authorised locations. */
  outside: number;
}

/** How many agency items lie outside the enclave, when the report can tell. */
export interface Enclave {
  /** False when no location protocol was evaluated and no breach-volume finding counted them. */
  known: boolean;
  /** Items outside the authorised locations (proven agency items only). */
  outside: number;
  /** Every identified item, for "N of M". */
  found: number;
  /** Locations judged outside. */
  isOutside: (location: string) => boolean;
}

/**
 * Derives "outside the enclave" from what the report holds (it carries no copy of the policy's
 * globs): an item is outside when a location or no-archives finding names its location, or when
 * the authorised globs that every location finding quotes as evidence do not match it (an item of a
 * class the location protocol does not cover). With no evaluated location protocol, a breach-volume
 * (max-copies) finding's count is the only figure; with neither, the number is not known.
 */
export function enclaveOf(report: Report): Enclave {
  const flagged = new Set(report.findings.filter((f) => OUTSIDE_KINDS.has(f.requirement)).map((f) => f.location));
  const quoted = new Set(report.findings.filter((f) => f.requirement === 'location').map((f) => JSON.stringify(f.evidence['authorized'] ?? null)));
  const globs = quoted.size === 1 ? (JSON.parse([...quoted][0]!) as unknown) : undefined;
  const inside = Array.isArray(globs) && globs.every((g) => typeof g === 'string') ? locationMatcher(globs) : undefined;
  const isOutside = (location: string): boolean => flagged.has(location) || (inside !== undefined && !inside(location));
  const proven = report.assets.filter((a) => a.method !== 'unverifiable');
  const evaluated = report.protocols.some((p) => p.requirement === 'location' && p.notEvaluated === undefined);
  if (evaluated) return { known: true, outside: proven.filter((a) => isOutside(a.location)).length, found: report.assets.length, isOutside };
  const volume = report.findings.find((f) => f.requirement === 'max-copies' && typeof f.evidence['count'] === 'number');
  const outside = volume ? (volume.evidence['count'] as number) : proven.filter((a) => isOutside(a.location)).length;
  return { known: volume !== undefined, outside, found: report.assets.length, isOutside };
}

/**
 * Groups assets by reference (items without one, such as plate-record files, by class and
 * method), largest spread first, ties by key, copies in report order, each with its findings.
 */
export function spreadOf(report: Report, enclave: Enclave = enclaveOf(report)): Spread[] {
  const byLocation = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byLocation.get(f.location);
    if (list) list.push(f);
    else byLocation.set(f.location, [f]);
  }
  const groups = new Map<string, Spread>();
  for (const a of report.assets) {
    const key = a.reference ?? `no reference: ${a.asset} (${a.method})`;
    let g = groups.get(key);
    if (!g) {
      g = { key, referenced: a.reference !== undefined, asset: a.asset, copies: [], violating: 0, outside: 0 };
      groups.set(key, g);
    }
    const findings = byLocation.get(a.location) ?? [];
    const outside = a.method !== 'unverifiable' && enclave.isOutside(a.location);
    g.copies.push({ asset: a, outside, findings });
    if (findings.some((f) => !f.waiver)) g.violating++;
    if (outside) g.outside++;
  }
  return [...groups.values()].sort((a, b) => b.copies.length - a.copies.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
