import type { ResolvedArchiveOptions } from '../archives/options.js';
import type { Level, Walk } from '../archives/walk.js';
import type { CoverageReason } from '../coverage-reasons.js';
import type { ContentSource, SourceEvent } from '../item.js';

/** A limit of ArchiveOptions that a format's reading is held to. */
export type ContainerLimit = keyof Omit<ResolvedArchiveOptions, 'filePath'>;

/** What every format custody recognises by its bytes declares. */
interface Recognised<M extends string> {
  /** Short name, the first word of coverage details (`zip`, `7z`, `pdf`). */
  id: string;
  /** The media type `sniff` gives it. */
  media: M;
  /**
   * True when `head` (the first SNIFF_BYTES, or DEEP_SNIFF_BYTES when those are all zero) is this
   * format. Formats are tried in registry order, so a weak magic can rely on the strong ones before
   * it. Absent only when sniff.ts tells the format itself (ISO base media, by brand, beside images).
   */
  magic?: (head: Buffer) => boolean;
}

/** What a container's reader yields: its members (through `walk.member`) and coverage. */
type Members = AsyncGenerator<SourceEvent>;

interface Opened<M extends string> extends Recognised<M> {
  magic: (head: Buffer) => boolean;
  /** The ArchiveOptions limits its reading is held to (documentation and tests; the walk enforces them). */
  limits: readonly ContainerLimit[];
  /** The coverage reasons its reader can emit, besides the walk's own (`archive-limit`, `unreadable`). */
  reasons: readonly CoverageReason[];
  /** Formats built on this one that it opens too (zip: Office Open XML, OpenDocument). */
  covers?: string;
}

/** A format read in one pass (tar, gzip): any content will do. */
export interface StreamContainer<M extends string = string> extends Opened<M> {
  randomAccess: false;
  open(content: ContentSource, level: Level, walk: Walk): Members;
}

/**
 * A format that needs random access (zip: its directory is at the end). The walk gives it a file path
 * when it has one, else the bytes held in memory, counted against maxBufferedArchiveBytes.
 */
export interface RandomAccessContainer<M extends string = string> extends Opened<M> {
  randomAccess: true;
  open(input: RandomAccessInput, level: Level, walk: Walk): Members;
}

export type RandomAccessInput = { path: string } | { buffer: Buffer };

/**
 * A container format custody opens: one file per format declares it, one line of registry.ts lists
 * it, and src/sources/archives/expand.ts walks it (depth, budgets, nesting, `outer!/inner` names).
 */
export type ContainerFormat<M extends string = string> = StreamContainer<M> | RandomAccessContainer<M>;

/** The coverage reasons of formats custody recognises but does not open. */
export type UnopenedReason = Extract<CoverageReason, 'unsupported-archive' | 'unsupported-document' | 'unsupported-database' | 'unsupported-media'>;

/**
 * A format custody recognises but does not open: an item of it gets a coverage entry that makes the
 * audit incomplete, since what is inside may be agency data and custody did not look.
 */
export interface UnopenedFormat<M extends string = string> extends Recognised<M> {
  /** The family, machine-readable and stable. */
  reason: UnopenedReason;
  /** What is not looked at (the detail after the format's id). */
  what: string;
}
