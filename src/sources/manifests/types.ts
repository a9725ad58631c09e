import type { SourceEvent } from '../item.js';

/**
 * Size recorded for an object whose manifest does not state one (plain hash lists, rclone `-1`).
 * Item.size is a required number, so "unknown" needs a value that can never equal a real size.
 */
export const UNKNOWN_SIZE = -1;

/** Options shared by every manifest reader. Unknown fields are ignored by formats that do not use them. */
export interface ManifestOptions {
  /**
   * Bucket for listings that do not name it (`aws s3api list-objects-v2`). Without it objects are
   * located as `s3://(unknown-bucket)/key` and a warning notice says so.
   */
  bucket?: string;
  /**
   * Azure storage account for listings that do not name it (`az storage blob list`, an inventory CSV
   * read without its manifest). Without it: `azure://(unknown-account)/container/blob`.
   */
  azureAccount?: string;
  /** As-of time to use when the manifest carries none (a bare CSV). Never defaults to the wall clock. */
  asOf?: Date;
  /**
   * BagIt only: read every payload file to verify its digests (default true). Completeness
   * (presence, sizes, Payload-Oxum, extra files) is always checked.
   */
  verifyPayload?: boolean;
  /** Largest JSON manifest read whole (default 256 MiB); JSON listings cannot be streamed by line. */
  maxJsonBytes?: number;
  /** Stop reading early; the iterator then finishes without yielding more. */
  signal?: AbortSignal;
}

/** One manifest format: recognised from its first bytes, read as a stream of source events. */
export interface ManifestFormat {
  /** Stable id, as given to `--manifest-format`. */
  id: string;
  /** Human name for help text and notices. */
  title: string;
  /**
   * True when `head` (the first bytes of the file, or of `bagit.txt` when `path` is a directory)
   * looks like this format. Must be cheap and must not throw.
   */
  detect(head: Buffer, path: string): boolean;
  /** Items (origin 'manifest', no content), coverage and notices. Bad rows become coverage. */
  read(path: string, opts: ManifestOptions): AsyncIterable<SourceEvent>;
  /**
   * The same events in the same order, in groups (a format of millions of rows yields a group per
   * slice it parses), so that the audit pays one turn of the async machinery per group, not per row.
   * Formats without it are read one event per group.
   */
  readGroups?(path: string, opts: ManifestOptions): AsyncIterable<readonly SourceEvent[]>;
}

/**
 * A manifest that cannot be read at all (unreadable path, unrecognised or unknown format). The
 * message is one line naming the file; the CLI maps it to the usage exit code.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    message: string,
    /** The manifest path the error concerns. */
    readonly path: string,
  ) {
    super(message);
  }
}
