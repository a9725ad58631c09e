import { type Context, createContext, Script } from 'node:vm';
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
 * - **At policy load**: `markerPatternProblem` (marker-pattern.ts) flags patterns with nested
 *   quantifiers, the shape behind exponential backtracking. It lives apart because its checker is
 *   only needed when a policy is read, and this module is loaded by every audit (metadata.ts).
 */
export const MAX_MARKER_VALUE_CHARS = 1024;

/** Wall time for all marker tests on one image's tags. */
export const MARKER_MATCH_TIMEOUT_MS = 250;

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

// Made on the first image with tags and a `matches` marker: a V8 context costs a few milliseconds,
// paid by every audit when it was made as this module loaded.
let watchdog: { context: Context; call: Script } | undefined;

/**
 * Runs `task` (synchronous marker tests) under the watchdog: its result, or `timedOut` when it ran
 * past `timeoutMs` and V8 stopped it.
 */
export function guardedMatch<T>(task: () => T, timeoutMs = MARKER_MATCH_TIMEOUT_MS): { result: T } | { timedOut: true } {
  watchdog ??= { context: createContext(Object.create(null) as object), call: new Script('task()') };
  const { context, call } = watchdog;
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
