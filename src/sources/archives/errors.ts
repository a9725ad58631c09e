import type { CoverageEntry, SourceEvent } from '../item.js';

/** A configured limit stopped the reading of a member or an archive. */
export class ArchiveLimitError extends Error {
  constructor(
    /** The ArchiveOptions key, e.g. maxCompressionRatio. */
    readonly limit: string,
    readonly value: number,
    readonly location: string,
    detail: string,
  ) {
    super(`${limit} (${value}) exceeded: ${detail}`);
    this.name = 'ArchiveLimitError';
  }
}

/** The archive's bytes contradict its own structure (lying sizes, truncated data). */
export class CorruptMemberError extends Error {
  constructor(
    readonly location: string,
    message: string,
  ) {
    super(message);
    this.name = 'CorruptMemberError';
  }
}

export const coverageEvent = (entry: CoverageEntry): SourceEvent => ({ kind: 'coverage', entry });

export function limitCoverage(location: string, limit: string, value: number, detail: string): SourceEvent {
  return coverageEvent({ location, reason: 'archive-limit', detail: `${limit} (${value}) exceeded: ${detail}`, incomplete: true });
}

/** Turns a failure while reading archive bytes into the coverage entry that explains it. */
export function failureCoverage(location: string, error: unknown): SourceEvent {
  if (error instanceof ArchiveLimitError) {
    return coverageEvent({ location: error.location, reason: 'archive-limit', detail: error.message, incomplete: true });
  }
  const message = error instanceof Error ? error.message : String(error);
  return coverageEvent({ location, reason: 'corrupt-archive', detail: message, incomplete: true });
}
