import type { FingerprintIndex } from '../fingerprint/index-set.js';
import { plateKeyId } from '../identify/plates/key.js';
import { PlateMatcher } from '../identify/plates/matcher.js';

/** What an agency plate becomes in any output. */
export const REDACTED_PLATE = '[plate]';

// A candidate plate: one to three alphanumeric runs joined by single spaces, dashes or dots
// (`ABC1234`, `ABC 1234`, `AB-12-CD`), the spellings the record scanner also recognises.
const RUN = /[\p{L}\p{N}]+/gu;
const JOINERS = new Set([' ', '-', '.']);

/**
 * A function that replaces every agency plate in a string by {@link REDACTED_PLATE}, or undefined
 * when the audit has no plates (or no usable key). File names are the classic leak: contractors name
 * plate crops after the plate.
 */
export function plateRedactor(fingerprints: FingerprintIndex, key: Buffer | undefined): ((text: string) => string) | undefined {
  if (!key) return undefined;
  const keyId = plateKeyId(key);
  const digests = fingerprints.plateSets.filter((s) => s.keyId === keyId).flatMap((s) => s.digests);
  if (digests.length === 0) return undefined;
  // No shape gate here: a file name may spell a plate in any layout, and names are few.
  const matcher = new PlateMatcher(key, digests);
  const cache = new Map<string, string>();
  return (text) => {
    let out = cache.get(text);
    if (out === undefined) {
      out = redactPlates(text, (candidate) => matcher.matchText(candidate) >= 0);
      if (cache.size < 100_000) cache.set(text, out);
    }
    return out;
  };
}

/** Replaces every span of `text` that `isAgencyPlate` accepts (as a plate spelling) by {@link REDACTED_PLATE}. */
export function redactPlates(text: string, isAgencyPlate: (candidate: string) => boolean): string {
  const runs = [...text.matchAll(RUN)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const spans: { start: number; end: number }[] = [];
  for (let i = 0; i < runs.length; i++) {
    // Longest spelling first, so `ABC 1234` is taken whole rather than as `ABC`.
    for (let n = Math.min(3, runs.length - i); n >= 1; n--) {
      const first = runs[i]!;
      const last = runs[i + n - 1]!;
      if (!joinedBySingleSeparators(text, runs, i, n)) continue;
      if (isAgencyPlate(text.slice(first.start, last.end))) {
        spans.push({ start: first.start, end: last.end });
        i += n - 1;
        break;
      }
    }
  }
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.start) + REDACTED_PLATE;
    at = span.end;
  }
  return out + text.slice(at);
}

function joinedBySingleSeparators(text: string, runs: readonly { start: number; end: number }[], i: number, n: number): boolean {
  for (let j = i; j < i + n - 1; j++) {
    const gap = text.slice(runs[j]!.end, runs[j + 1]!.start);
    if (gap.length !== 1 || !JOINERS.has(gap)) return false;
  }
  return true;
}

/** Applies `redact` to every string (keys included) in a JSON-like value, returning a copy. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)])) as T;
}
