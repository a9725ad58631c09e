import { createContext, Script } from 'node:vm';
import safeRegex from 'safe-regex2';
import { errorCode } from '../util/errors.js';

/**
 * Policy marker regexes run against metadata the contractor controls, so matching is bounded three
 * ways:
 * - **Value length**: only the first {@link MAX_MARKER_VALUE_CHARS} characters of a value are
 *   matched (provenance values — makes, serials, copyright lines — are far shorter; a hostile EXIF
 *   value can be 64 KB).
 * - **Time**: all of one image's marker tests run under one V8 watchdog ({@link guardedMatch}) that
 *   interrupts a backtracking regex after {@link MARKER_MATCH_TIMEOUT_MS}; the image is then a
 *   coverage entry, not a stuck audit. V8 regexps are interruptible; the watchdog costs ~0.2 ms per
 *   image, only for images with tags and a `matches` marker.
 * - **At policy load**: {@link markerPatternProblem} flags patterns with nested quantifiers (star
 *   height above 1, as `(a+)+`), the shape behind exponential backtracking, using safe-regex2 (a
 *   mature checker; the `re2` linear-time engine needs a native build that fails here, and it would
 *   change the documented JavaScript regex syntax).
 */
export const MAX_MARKER_VALUE_CHARS = 1024;

/** Wall time for all marker tests on one image's tags. */
export const MARKER_MATCH_TIMEOUT_MS = 250;

/** Why a marker pattern should not be used, or undefined when it is fine (or safe-regex2 cannot tell). */
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

const compiled = new Map<string, RegExp>();

/** The marker's RegExp, compiled once per pattern. */
export function markerRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** The part of a value a marker regex sees. */
export const matchedPart = (value: string): string => (value.length > MAX_MARKER_VALUE_CHARS ? value.slice(0, MAX_MARKER_VALUE_CHARS) : value);

const context = createContext(Object.create(null) as object);
const call = new Script('task()');

/**
 * Runs `task` (synchronous marker tests) under the watchdog: its result, or `timedOut` when it ran
 * past `timeoutMs` and V8 stopped it.
 */
export function guardedMatch<T>(task: () => T, timeoutMs = MARKER_MATCH_TIMEOUT_MS): { result: T } | { timedOut: true } {
  (context as { task?: () => T }).task = task;
  try {
    return { result: call.runInContext(context, { timeout: timeoutMs }) as T };
  } catch (error) {
    if (errorCode(error) === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { timedOut: true };
    throw error;
  } finally {
    (context as { task?: () => T }).task = undefined;
  }
}
