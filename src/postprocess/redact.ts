import { agencyPlateMatcher } from '../identify/plates/agency-matcher.js';
import { findPlateSpellings } from '../identify/plates/spelling.js';
import type { FingerprintIndex } from '../references/index-set.js';

/** What an agency plate becomes in any output. */
export const REDACTED_PLATE = '[plate]';

/**
 * A function that replaces every agency plate in a string by {@link REDACTED_PLATE}, or undefined
 * when the audit has no plates (or no usable key). File names are the classic leak: contractors name
 * plate crops after the plate.
 */
export function plateRedactor(fingerprints: FingerprintIndex, key: Buffer | undefined): ((text: string) => string) | undefined {
  if (!key) return undefined;
  // The record scanner's matcher, shape gate included: candidates arrive normalised, so the gate is
  // lossless here too, and it cuts masking 100k file names from 4.4 s to 1.1 s with 1000 plates
  // (scripts/bench/redact.js).
  const matcher = agencyPlateMatcher(fingerprints, key);
  if (!matcher) return undefined;
  const isAgencyPlate = (plate: string): boolean => matcher.matchNormalised(plate) >= 0;
  const cache = new Map<string, string>();
  return (text) => {
    let out = cache.get(text);
    if (out === undefined) {
      out = redactPlates(text, isAgencyPlate);
      if (cache.size < 100_000) cache.set(text, out);
    }
    return out;
  };
}

/**
 * Replaces every plate spelling in `text` whose normalised plate `isAgencyPlate` accepts by
 * {@link REDACTED_PLATE}. Spellings are what the record scanner reads as plates (spelling.ts, one
 * shared definition), so whatever custody counts as an agency plate in a log is also masked in a
 * name: `crop QRT–4821.jpg`, `QRT\u00a04821` and `QRT - 4821` all become `[plate]`, `QRT4821é`
 * becomes `[plate]é`. Where two spellings overlap (`AB 12 CD` holding `AB12` and `12CD`), their
 * union is masked. A name that is not valid UTF-8 reaches reports with its bytes escaped (`\xa0`,
 * filesystem.ts displayName); such a name is also read with each escape as its Latin-1 character,
 * so `QRT\xa04821` (a no-break space between the groups) is masked too.
 */
export function redactPlates(text: string, isAgencyPlate: (plate: string) => boolean): string {
  const spans = findPlateSpellings(text, isAgencyPlate);
  const escaped = escapedBytesView(text);
  if (escaped) {
    for (const span of findPlateSpellings(escaped.view, isAgencyPlate))
      spans.push({ ...span, start: escaped.starts[span.start]!, end: escaped.starts[span.end]! });
  }
  spans.sort((a, b) => a.start - b.start);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  let open: { start: number; end: number } | undefined;
  for (const span of spans) {
    if (open && span.start < open.end) {
      open.end = Math.max(open.end, span.end);
      continue;
    }
    if (open) {
      out += text.slice(at, open.start) + REDACTED_PLATE;
      at = open.end;
    }
    open = { start: span.start, end: span.end };
  }
  out += text.slice(at, open!.start) + REDACTED_PLATE;
  return out + text.slice(open!.end);
}

const ESCAPED_BYTE = /^\\x[0-9a-f]{2}/;

/**
 * `text` with every `\xHH` escape read as the Latin-1 character U+00HH, and for each character of
 * that view the index in `text` it starts at (plus one past the end); undefined when there is none.
 */
function escapedBytesView(text: string): { view: string; starts: number[] } | undefined {
  if (!text.includes('\\x')) return undefined;
  let view = '';
  const starts: number[] = [];
  for (let i = 0; i < text.length; ) {
    starts.push(i);
    if (text.charCodeAt(i) === 0x5c && ESCAPED_BYTE.test(text.slice(i, i + 4))) {
      view += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      view += text[i];
      i += 1;
    }
  }
  starts.push(text.length);
  return { view, starts };
}

/**
 * Applies `redact` to every string (keys included) in a JSON-like value, returning a copy. Plain
 * loops rather than `Object.fromEntries(Object.entries(...).map(...))`: a report holds ~10,000
 * strings and the audit runs this once, mostly before V8 optimises anything, where the entry
 * arrays and closures cost twice the walk (the warm re-audit's report: 75 -> 41 ms on its first
 * pass in a process, measured in-process).
 */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = redactDeep(value[i] as unknown, redact);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const masked = redact(key);
    const copy = redactDeep((value as Record<string, unknown>)[key], redact);
    // An own property even for a key spelled `__proto__`, as Object.fromEntries makes it.
    if (masked === '__proto__') Object.defineProperty(out, masked, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[masked] = copy;
  }
  return out as T;
}
