import type { SourceEvent } from '../item.js';
import type { MemberContent } from './content.js';
import { ArchiveLimitError, failureCoverage, limitCoverage } from './errors.js';
import type { ResolvedArchiveOptions } from './options.js';

/** One archive being read: where it is and how deep. */
export interface Level {
  /** The archive's own location (`outer.zip!/inner.tar.gz`). */
  location: string;
  /** Archive chain for its members: enclosing archives' locations and its own, outermost first. */
  chain: string[];
  /** 1 for the top-level archive. */
  depth: number;
}

/** A member as a format reader sees it, before sniffing and recursion. */
export interface MemberInfo {
  /** Name as written in the archive, separators normalised to '/'. */
  name: string;
  size: number;
  mtime?: Date;
  mode?: number;
  content: MemberContent;
}

/** State shared by every level of one top-level archive. */
export interface Walk {
  readonly options: ResolvedArchiveOptions;
  /** Uncompressed bytes admitted so far, against maxTotalBytes. */
  used: number;
  /**
   * Bytes of nested archives held in memory right now (zips need random access; a streamed member is
   * gone once read), all levels together, against maxBufferedArchiveBytes: nesting does not multiply it.
   */
  buffered: number;
  /** Set once maxTotalBytes is hit: every level stops reading. */
  stopped: boolean;
  /** Messages of failures already reported, so one seen by both member and archive is told once. */
  readonly reported: Set<string>;
  /** Sniffs a member, yields it, then opens it when it is itself an archive. */
  member(level: Level, info: MemberInfo): AsyncGenerator<SourceEvent>;
}

/** Admits `size` more bytes into the budget, or stops the walk and says why. */
export function admit(walk: Walk, location: string, size: number): SourceEvent | undefined {
  const limit = walk.options.maxTotalBytes;
  if (walk.used + size <= limit) {
    walk.used += size;
    return undefined;
  }
  walk.stopped = true;
  return limitCoverage(location, 'maxTotalBytes', limit, `${walk.used} bytes read before this ${size}-byte member; the rest of the archive is not inspected`);
}

export const memberLocation = (level: Level, name: string): string => `${level.location}!/${name}`;

/** Names are reported as written: only Windows separators are normalised, nothing is resolved. */
export const normaliseName = (name: string): string => name.replaceAll('\\', '/');

/**
 * Coverage for a failure, unless the same failure was already reported (a gzip bomb surfaces both in
 * the member being read and in the archive stream carrying it). A blown byte budget stops the walk.
 */
export function reportFailure(walk: Walk, location: string, error: unknown): SourceEvent | undefined {
  const key = error instanceof Error ? error.message : String(error);
  if (walk.reported.has(key)) return undefined;
  walk.reported.add(key);
  if (error instanceof ArchiveLimitError && error.limit === 'maxTotalBytes') walk.stopped = true;
  return failureCoverage(location, error);
}
