import type { Readable } from 'node:stream';

/**
 * Where an item lives: a file on disk, a member of an archive, an object a manifest describes. The
 * report names it on each asset; evaluation never asks it (it asks `Item.known`, see source.ts).
 */
export type Origin = 'filesystem' | 'archive' | 'manifest' | 'git';

/** Lazy access to an item's bytes. Files are read afresh on every call; archive members may be buffered. */
export interface ContentSource {
  /** Up to `n` bytes from the start (fewer when the item is shorter). */
  head(n: number): Promise<Buffer>;
  /** The whole content. Callers must check `Item.size` against their own caps first. */
  readAll(): Promise<Buffer>;
  /** The whole content as a stream, for hashing and text scanning in constant memory. */
  stream(): Readable;
  /**
   * The whole content as chunks that stay valid only until the next one is asked for: a large file
   * is read into one buffer over and over. A fresh 1 MiB buffer per chunk (a file stream's) costs its
   * allocation and the kernel's page faults on first write, about 4x the read itself (0.20 vs 0.05
   * CPU-s for the bench's 210 MB of plate records). For readers that copy what they keep (a digest,
   * the plate scan). Absent where a source has nothing cheaper than `stream()`: use {@link chunksOf}.
   */
  lentChunks?(): AsyncIterable<Buffer>;
}

/** An item's content as chunks valid until the next one ({@link ContentSource.lentChunks}), else its stream's. */
export function chunksOf(content: ContentSource): AsyncIterable<Buffer> {
  return content.lentChunks ? content.lentChunks() : (content.stream() as AsyncIterable<Buffer>);
}

/** Content digests, lowercase hex. */
export interface Digests {
  md5?: string;
  sha1?: string;
  sha256?: string;
}

/**
 * One object to inspect: a file, an archive member or a manifest row. Every source produces these,
 * so the identify stage has a single input type.
 */
export interface Item {
  /**
   * Stable display location: a path relative to the scan root ('/'-separated), an archive member
   * (`outer.zip!/dir/inner.tar.gz!/x.jpg`) or a cloud object (`s3://bucket/key`).
   */
  location: string;
  origin: Origin;
  /**
   * What the item's source declares it can know (src/sources/source.ts), stamped by the audit on
   * every item a source yields; absent for archive members, whose container decides for them.
   */
  known?: Knowledge;
  /** Size in bytes of the (uncompressed) content; -1 when the source does not say (hash lists). */
  size: number;
  /** Last modification time, when the source knows it. */
  mtime?: Date;
  /** Creation/birth or inode-change time, when known. */
  ctime?: Date;
  /** POSIX permission bits (filesystem entries and tar members). */
  mode?: number;
  /** Digests known without reading the bytes (manifests). Only real content hashes belong here. */
  digests?: Digests;
  /** Why a manifest hash could not be used as a content hash (e.g. "multipart ETag", "SSE-KMS"). */
  opaqueDigest?: string;
  /** Server-side encryption status as the manifest states it (e.g. NOT-SSE, SSE-S3, SSE-KMS). */
  encryption?: string;
  /** Grants that expose the object beyond its owner (e.g. AllUsers READ). */
  publicGrants?: string[];
  /** The moment the source describes (an inventory's creation time); retention is measured from it. */
  asOf?: Date;
  /** Locations of the archives enclosing this item, outermost first (empty or absent on disk). */
  archiveChain?: string[];
  /**
   * The walk's nanosecond stat of a file on disk: what the re-audit cache (src/cache) compares to
   * decide that a file is unchanged since it was inspected.
   */
  stat?: { dev: bigint; ino: bigint; mtimeNs: bigint; ctimeNs: bigint };
  /** Path on disk (filesystem items; relative to the working directory when the root is inside it), for readers that want random access (zip). */
  path?: string;
  /** Where a git blob sits in its repository's history (src/sources/git-source.ts); the asset's evidence carries it. */
  history?: History;
  /** The bytes, when the source can reach them (absent for manifest objects). */
  content?: ContentSource;
}

/**
 * A blob of a git repository's object store: its id, and the place that names it (the newest
 * commit reachable from a ref that wrote it, ties broken by path), or none when no ref reaches it.
 */
export interface History {
  blob: string;
  commit?: string;
  path?: string;
  /** What HEAD holds at `path`: this blob, another version of the file, or no such file. */
  atHead?: 'same' | 'changed' | 'absent';
  /** Other (commit, path) pairs of history that wrote the same blob. */
  otherPlaces?: number;
}

/** Something a source could not inspect, or chose not to. Goes into the report's coverage. */
export interface CoverageEntry {
  location: string;
  /** Machine-readable reason, e.g. unreadable, special-file, symlink, too-large, archive-limit. */
  reason: string;
  /** Human detail (never content). */
  detail?: string;
  /** True when this means the scan is incomplete (exit code 3). Symlinks skipped by design are not. */
  incomplete: boolean;
}

/** What sources yield: items to inspect, or coverage notes. */
export type SourceEvent =
  | { kind: 'item'; item: Item }
  | { kind: 'coverage'; entry: CoverageEntry }
  /** A statement about the input as a whole (e.g. "BagIt bag is incomplete: 2 payload files missing"). */
  | { kind: 'notice'; notice: Notice };

/** A statement about an input or the audit as a whole, shown in every report format. */
export interface Notice {
  /** The input it concerns (manifest path, archive location, fingerprint file), if any. */
  location?: string;
  level: 'info' | 'warning';
  message: string;
}

/** Coverage entries that make the audit incomplete: the items it could not inspect. */
export function notInspectedCount(coverage: readonly CoverageEntry[]): number {
  let n = 0;
  for (const entry of coverage) if (entry.incomplete) n++;
  return n;
}

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

/** The permission bits that govern access to an item, when its source knows them (files on disk). */
export function ownAccessMode(item: Item): number | undefined {
  return item.known?.knows.includes('modes') ? item.mode : undefined;
}
