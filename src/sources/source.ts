import type { Knowledge, SourceEvent } from './item.js';

/**
 * One kind of input (gitleaks' `sources.Source`): it turns one input, named by plain data
 * (`{ source: 'filesystem', roots }`), into items, coverage and notices, and says what it can know
 * about them. Adding a source is one file holding one of these plus one line in `registry.ts`.
 */
export interface Source<Input extends { source: string }> {
  readonly id: Input['source'];
  readonly knowledge: Knowledge;
  /** How its items are located, for the reference: "path under the root", "s3://bucket/key". */
  readonly locations: string;
  /**
   * Usage errors found before anything is scanned (a root that does not exist, a manifest in no
   * known format), thrown as UsageError so the CLI exits 2 without a partial report. Anything met
   * later is coverage, never an exception.
   */
  check?(input: Input): Promise<void>;
  /** The input's events, in an order that depends on the input alone (reports are deterministic). */
  events(input: Input): AsyncIterable<SourceEvent> | GroupedEvents;
  /** How many entries `events` will meet, cheaply (no stat of each), for a progress display's ETA. */
  estimate?(input: Input): Promise<number>;
  /** The input as a report's `inputs` names it when the caller gives no names of its own. */
  names(input: Input): string[];
  /**
   * What scopes the re-audit cache for this input: absolute paths on disk. Absent for a source whose
   * items are never read from disk, and so never cached.
   */
  cacheScope?(input: Input): string[];
}

/**
 * Events that can also be taken in groups (a directory's files), in the same order: for a source
 * that meets many small entries, the audit then pays one turn of the async machinery per group, not
 * per event. Part of the stream rather than of the source, so whoever replaces a source's `events`
 * replaces both.
 */
export interface GroupedEvents extends AsyncIterable<SourceEvent> {
  groups(): AsyncIterable<readonly SourceEvent[]>;
}

/** The events of `groups`, one by one or (`.groups()`) as they come. */
export function groupedEvents(groups: () => AsyncIterable<readonly SourceEvent[]>): GroupedEvents {
  return {
    groups,
    async *[Symbol.asyncIterator]() {
      for await (const group of groups()) yield* group;
    },
  };
}

export const hasGroups = (events: AsyncIterable<SourceEvent> | GroupedEvents): events is GroupedEvents => 'groups' in events;
