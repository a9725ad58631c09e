import type { SourceEvent } from '../item.js';
import { coverage } from './events.js';

/** Malformed rows listed one by one per manifest; the rest are counted in one entry. */
export const MAX_ROW_PROBLEMS = 100;

/**
 * A manifest's events (in groups, as the reader yields them) with its malformed-row entries kept bounded, whatever the format: the first
 * {@link MAX_ROW_PROBLEMS} pass as their own coverage entries (file:line and why), later ones are only
 * counted, and one entry at the end reports the count. A hostile list of 2 million malformed rows
 * otherwise became 2 million entries held until the report was written (2.54 GiB). A manifest is
 * read in order, so which rows are listed does not depend on timing.
 */
export async function* boundedRowProblems(
  groups: AsyncIterable<readonly SourceEvent[]>,
  file: string,
  max = MAX_ROW_PROBLEMS,
): AsyncGenerator<readonly SourceEvent[]> {
  let seen = 0;
  for await (const group of groups) {
    const before = seen;
    let dropped = 0;
    for (const event of group) if (event.kind === 'coverage' && event.entry.reason === 'manifest-row' && ++seen > max) dropped += 1;
    if (dropped === 0) yield group;
    else if (dropped < group.length) yield dropRowProblems(group, before, max);
  }
  if (seen > max) {
    yield [
      coverage({
        location: file,
        reason: 'manifest-row',
        detail: `${seen - max} more malformed row(s) not listed (${seen} in all; the first ${max} are listed by line)`,
        incomplete: true,
      }),
    ];
  }
}

/** `group` without the row problems past the first `max`, `before` of them having come earlier. */
function dropRowProblems(group: readonly SourceEvent[], before: number, max: number): SourceEvent[] {
  let seen = before;
  return group.filter((event) => !(event.kind === 'coverage' && event.entry.reason === 'manifest-row' && ++seen > max));
}
