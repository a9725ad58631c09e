import type { Item, SourceEvent } from './item.js';

/**
 * A kind of fact a source can know about its items. Requirements ask these (through
 * `EvaluationContext.knows` and `Item.known`), never where an item came from: a new source that
 * knows modes is judged on permissions without any requirement learning its name.
 */
export type Fact =
  /** The bytes can be read (detectors that decode or hash need them). */
  | 'content'
  /** POSIX permission bits that govern who can read the item. */
  | 'modes'
  /** A modification time (retention falls back to it when no capture date is known). */
  | 'dates'
  /** Content hashes known without reading the bytes. */
  | 'digests'
  /** The storage's server-side encryption status. */
  | 'encryption'
  /** Grants that expose the item beyond its owner. */
  | 'public-access';

/** What a source declares it can know; the audit stamps it on each of the source's items as `Item.known`. */
export interface Knowledge {
  readonly knows: readonly Fact[];
  /** How findings name an item's `mtime`: "modification time", "last-modified time in the manifest". */
  readonly mtimeIs: string;
}

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
  events(input: Input): AsyncIterable<SourceEvent>;
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

/** The permission bits that govern access to an item, when its source knows them (files on disk). */
export function ownAccessMode(item: Item): number | undefined {
  return item.known?.knows.includes('modes') ? item.mode : undefined;
}
