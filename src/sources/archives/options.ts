/**
 * Limits against hostile archives. Every limit, when hit, becomes a coverage entry (reason
 * `archive-limit`, naming the limit and its value) and the scan carries on with what it can still
 * inspect. Defaults are generous for real exports and backups yet stop the classic zip bombs
 * (42.zip, overlapping-entry bombs, lying headers) long before they cost memory or hours.
 */
export interface ArchiveOptions {
  /**
   * How many archives deep to open, counting the top-level archive as 1 (default 5). A nested
   * archive beyond this depth is still yielded as an item, but not opened.
   */
  maxDepth?: number;
  /**
   * Uncompressed bytes admitted per top-level archive, all nesting levels together (default 32 GiB).
   * Past it, the rest of the top-level archive is not inspected.
   */
  maxTotalBytes?: number;
  /** Entries (files, directories, links) read per archive (default 100 000); the rest are skipped. */
  maxEntries?: number;
  /**
   * Highest uncompressed/compressed ratio accepted for a zip entry (declared sizes, checked before
   * reading) or a gzip stream (actual bytes, counted while inflating). Default 200.
   */
  maxCompressionRatio?: number;
  /**
   * The ratio limit applies only past this many uncompressed bytes (default 1 MiB): small runs of
   * zeros compress far better than 200:1 and are harmless.
   */
  ratioCheckMinBytes?: number;
  /**
   * Members of streamed archives (tar, gzip) up to this size are buffered on first read so that
   * `head`, `readAll` and `stream` can be called repeatedly (default 64 MiB). Larger members can be
   * streamed once.
   */
  maxMemberBufferBytes?: number;
  /**
   * Bytes of archives held in memory to open them, all nesting levels together: zips nested in
   * another archive (zip needs random access) and nested archives met in a streamed (tar/gzip)
   * archive; also the largest top-level zip given without `filePath` (default 256 MiB).
   */
  maxBufferedArchiveBytes?: number;
  /**
   * Path of the top-level archive on disk, when the caller has one: zips are then read with random
   * access instead of being buffered. It is only ever opened read-only.
   */
  filePath?: string;
}

/** ArchiveOptions with every default filled in. */
export type ResolvedArchiveOptions = Required<Omit<ArchiveOptions, 'filePath'>> & Pick<ArchiveOptions, 'filePath'>;

const MiB = 1024 * 1024;

/** The documented defaults. */
export const ARCHIVE_DEFAULTS: Readonly<Required<Omit<ArchiveOptions, 'filePath'>>> = Object.freeze({
  maxDepth: 5,
  maxTotalBytes: 32 * 1024 * MiB,
  maxEntries: 100_000,
  maxCompressionRatio: 200,
  ratioCheckMinBytes: MiB,
  maxMemberBufferBytes: 64 * MiB,
  maxBufferedArchiveBytes: 256 * MiB,
});

export function resolveArchiveOptions(options: ArchiveOptions): ResolvedArchiveOptions {
  const resolved: ResolvedArchiveOptions = { ...ARCHIVE_DEFAULTS, filePath: options.filePath };
  for (const key of Object.keys(ARCHIVE_DEFAULTS) as (keyof typeof ARCHIVE_DEFAULTS)[]) {
    const value = options[key];
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}
