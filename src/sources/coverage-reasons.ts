import type { CoverageEntry } from './item.js';

/** What custody knows about one coverage reason. */
export interface CoverageReasonInfo {
  /**
   * True when the same bytes under the same settings give the same entry again, so the re-audit cache
   * may store a file's conclusion that carries it. False when it may be transient (I/O, timing, a file
   * changing under the walk) or when it is never met by a cached file (manifests): such an entry is
   * never stored, and the next run inspects the file afresh.
   */
  deterministic: boolean;
  /** Whether an entry with this reason is usually emitted as making the audit incomplete (exit 3). */
  incomplete: boolean;
  /** One line for the reader of a report. */
  description: string;
}

/**
 * Every coverage reason custody emits. A reason missing here is caught by a test that reads src/
 * (test/sources/coverage-reasons.test.ts), and an entry carrying one the cache does not know to be
 * deterministic is simply not cached: forgetting a reason costs speed, never correctness.
 */
export const COVERAGE_REASONS = {
  // The walk of the filesystem.
  unreadable: { deterministic: false, incomplete: true, description: 'a file could not be read (an I/O error code)' },
  'unreadable-directory': { deterministic: false, incomplete: true, description: 'a directory could not be listed' },
  'changed-during-scan': { deterministic: false, incomplete: true, description: 'a file or directory changed while custody read it' },
  symlink: { deterministic: false, incomplete: false, description: 'a symbolic link, not followed by design' },
  'special-file': { deterministic: true, incomplete: false, description: 'a device, FIFO, socket or tar special member: no content to inspect' },
  'inspection-failed': { deterministic: false, incomplete: true, description: 'a detector failed on the item' },
  // Images and metadata.
  'corrupt-image': { deterministic: true, incomplete: true, description: 'an image the decoder rejects' },
  'decode-limit': { deterministic: true, incomplete: true, description: 'an image over the size or pixel limit for perceptual hashing' },
  'decode-timeout': { deterministic: false, incomplete: true, description: 'an image decode that ran out of time (depends on the load)' },
  'unsupported-image': { deterministic: true, incomplete: true, description: 'an image format custody cannot decode' },
  'too-small-to-match': {
    deterministic: true,
    incomplete: true,
    description: 'an image too small (under 64 px on its longer side) for the perceptual matcher to identify or clear',
  },
  'low-quality-hash': { deterministic: true, incomplete: false, description: 'an image too flat for its perceptual hash to support a match' },
  'plates-in-image-unchecked': {
    deterministic: true,
    incomplete: true,
    description: '--read-plates without a plate key the agency plate digests were made under: the image was not searched for plates',
  },
  'plate-reader-failed': { deterministic: false, incomplete: true, description: 'the OCR models for --read-plates could not be loaded' },
  'plates-in-image-limit': {
    deterministic: true,
    incomplete: true,
    description: '--read-plates stopped at a bound (text-like places, text boxes or plate candidates per image) before it had read all of an image',
  },
  'metadata-limit': { deterministic: false, incomplete: true, description: 'image metadata over the size custody reads' },
  // Containers (src/sources/containers).
  'archive-limit': { deterministic: true, incomplete: true, description: 'a configured archive limit (depth, bytes, entries, ratio, buffer) was hit' },
  'archive-member': { deterministic: true, incomplete: true, description: 'a member whose reading stopped; the archive entry says why' },
  'corrupt-archive': { deterministic: true, incomplete: true, description: "an archive's bytes contradict its structure (or could not be read)" },
  encrypted: { deterministic: true, incomplete: true, description: 'an encrypted archive member' },
  'unsupported-compression': { deterministic: true, incomplete: true, description: 'an archive member compressed by a method custody does not decode' },
  'link-member': { deterministic: true, incomplete: false, description: 'a link inside an archive, not followed' },
  'container-timeout': {
    deterministic: false,
    incomplete: true,
    description: 'a database or columnar file whose reading ran out of time (depends on the load)',
  },
  'unsupported-archive': { deterministic: true, incomplete: true, description: 'an archive or compressed stream custody recognises but does not open' },
  'unsupported-document': { deterministic: true, incomplete: true, description: 'a document whose parts custody does not decode (e-mail, OLE2, RTF)' },
  'unsupported-database': { deterministic: true, incomplete: true, description: 'a database or columnar file whose tables are not inspected' },
  'unsupported-media': { deterministic: true, incomplete: true, description: 'audio whose frames and pictures are not inspected' },
  'missing-tool': {
    deterministic: false,
    incomplete: true,
    description: 'a format custody opens with a program that is not installed here (ffmpeg for video, git for history)',
  },
  // Git history (src/sources/git-source.ts; never met by a cached file).
  'git-unreadable': { deterministic: false, incomplete: true, description: 'a git repository, or one of its objects, that git could not read' },
  'git-outside-roots': {
    deterministic: false,
    incomplete: false,
    description: 'a git pointer (.git file, alternates) out of the audited tree, not followed by design',
  },
  // Manifests (never met by a cached file).
  'manifest-unreadable': { deterministic: false, incomplete: true, description: 'a manifest or one of its data files could not be read' },
  'manifest-truncated': { deterministic: false, incomplete: true, description: 'a manifest data file ends part-way' },
  'manifest-row': { deterministic: false, incomplete: true, description: 'a manifest row that could not be used' },
  'manifest-partial': { deterministic: false, incomplete: true, description: 'a manifest that says it is incomplete' },
  'manifest-unsupported': { deterministic: false, incomplete: true, description: 'a manifest part in a form custody does not read' },
  'manifest-acl': { deterministic: false, incomplete: true, description: "an object's access list that could not be read" },
  'manifest-checksum': { deterministic: false, incomplete: true, description: 'a manifest whose checksum file disagrees' },
  'manifest-data-checksum': { deterministic: false, incomplete: true, description: 'a manifest data file whose checksum or size disagrees' },
  'manifest-data-missing': { deterministic: false, incomplete: true, description: 'a data file the manifest names is missing' },
  'manifest-reference-outside': { deterministic: false, incomplete: true, description: 'a manifest reference to a file outside the manifest folder' },
} as const satisfies Record<string, CoverageReasonInfo>;

/** A coverage reason custody emits. */
export type CoverageReason = keyof typeof COVERAGE_REASONS;

export const isCoverageReason = (reason: string): reason is CoverageReason => Object.hasOwn(COVERAGE_REASONS, reason);

// An I/O failure met while opening or reading an archive is reported as corrupt-archive with the
// system error's message ("EIO: i/o error, read") or the walk's own ("size changed during the scan").
const TRANSIENT_DETAIL = /^E[A-Z0-9]{2,}\b|during the scan|replaced by another file|no longer a regular file/;

/** True when a coverage entry would come out the same on another run over the same bytes. */
export function isDeterministic(entry: CoverageEntry): boolean {
  if (!isCoverageReason(entry.reason) || !COVERAGE_REASONS[entry.reason].deterministic) return false;
  return entry.reason !== 'corrupt-archive' || !TRANSIENT_DETAIL.test(entry.detail ?? '');
}
