import { describeError, errorCode } from '../../util/errors.js';
import type { SourceEvent } from '../item.js';
import { coverage } from './events.js';

/**
 * Runs a format reader so that an I/O or decoding failure part-way (a truncated gzip, a file that
 * vanished, unreadable JSON) ends that input with an incomplete coverage entry instead of an
 * exception. Events already yielded stand.
 */
export async function* guarded(location: string, reason: string, events: AsyncIterable<SourceEvent>, signal?: AbortSignal): AsyncGenerator<SourceEvent> {
  try {
    for await (const event of events) {
      if (signal?.aborted) return;
      yield event;
    }
  } catch (err) {
    yield coverage({ location, reason, detail: describe(err), incomplete: true });
  }
}

/**
 * {@link guarded} for a reader that yields its events in groups (one per decompressed slice of an
 * inventory): the same coverage entry on failure, the abort checked once per group.
 */
export async function* guardedGroups(
  location: string,
  reason: string,
  groups: AsyncIterable<readonly SourceEvent[]>,
  signal?: AbortSignal,
): AsyncGenerator<readonly SourceEvent[]> {
  try {
    for await (const group of groups) {
      if (signal?.aborted) return;
      if (group.length > 0) yield group;
    }
  } catch (err) {
    yield [coverage({ location, reason, detail: describe(err), incomplete: true })];
  }
}

/** The events of `groups`, one by one: a grouped reader as a plain {@link ManifestFormat.read}. */
export async function* ungroup(groups: AsyncIterable<readonly SourceEvent[]>): AsyncGenerator<SourceEvent> {
  for await (const group of groups) for (const event of group) yield event;
}

/** One line describing an error, without stack or content. */
export function describe(err: unknown): string {
  const code = errorCode(err);
  const text = describeError(err);
  return code && !text.startsWith(code) ? `${code}: ${text}` : text;
}
