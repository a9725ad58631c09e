import type { CoverageEntry } from './item.js';
import type { MediaType, UnsupportedMediaType } from './sniff.js';

/**
 * Formats custody recognises by their magic bytes but cannot open. Each gets a coverage entry that
 * makes the audit incomplete: what is inside a 7z, a PDF or a video may be agency data, and custody
 * did not look. The reason is the family (machine-readable, stable), the detail names the format.
 */
export type UnsupportedReason = 'unsupported-archive' | 'unsupported-document' | 'unsupported-database' | 'unsupported-media';

/** Every coverage reason this module can produce (the re-audit cache lists them as deterministic). */
export const UNSUPPORTED_REASONS: readonly UnsupportedReason[] = ['unsupported-archive', 'unsupported-document', 'unsupported-database', 'unsupported-media'];

interface Unsupported {
  reason: UnsupportedReason;
  /** Short format name, first word of the detail (`7z`, `pdf`, `mp4`). */
  format: string;
  /** What is not looked at. */
  what: string;
}

const archive = (format: string, what = 'its members are not inspected'): Unsupported => ({ reason: 'unsupported-archive', format, what });
const stream = (format: string, extension: string): Unsupported => archive(format, `compressed stream (e.g. .tar.${extension}), not decompressed`);

const UNSUPPORTED: Readonly<Record<UnsupportedMediaType, Unsupported>> = {
  'application/x-7z-compressed': archive('7z'),
  'application/vnd.rar': archive('rar'),
  'application/x-xz': stream('xz', 'xz'),
  'application/x-bzip2': stream('bzip2', 'bz2'),
  'application/zstd': stream('zstd', 'zst'),
  'application/x-lz4': stream('lz4', 'lz4'),
  'application/x-lzip': stream('lzip', 'lz'),
  'application/x-compress': stream('Z', 'Z'),
  'application/vnd.ms-cab-compressed': archive('cab'),
  'application/x-archive': archive('ar', "its members (e.g. a .deb's data.tar) are not inspected"),
  'application/x-cpio': archive('cpio'),
  'application/x-xar': archive('xar'),
  'application/x-iso9660-image': archive('iso9660', 'the files of the disc image are not inspected'),
  'application/pdf': { reason: 'unsupported-document', format: 'pdf', what: 'its pages, images and text are not inspected' },
  'message/rfc822': {
    reason: 'unsupported-document',
    format: 'email',
    what: 'scanned as text only: attachments and encoded (base64, quoted-printable) parts are not decoded',
  },
  'application/mbox': {
    reason: 'unsupported-document',
    format: 'mbox',
    what: 'scanned as text only: attachments and encoded (base64, quoted-printable) parts are not decoded',
  },
  'application/x-ole-storage': {
    reason: 'unsupported-document',
    format: 'ole2',
    what: 'compound document (.doc, .xls, .ppt, .msg): its streams are not inspected',
  },
  'text/rtf': { reason: 'unsupported-document', format: 'rtf', what: 'scanned as text only: embedded pictures are not decoded' },
  'application/vnd.sqlite3': { reason: 'unsupported-database', format: 'sqlite', what: 'its tables are not inspected' },
  'application/vnd.apache.parquet': { reason: 'unsupported-database', format: 'parquet', what: 'its columns are not inspected' },
  'application/x-orc': { reason: 'unsupported-database', format: 'orc', what: 'its columns are not inspected' },
  'application/avro': { reason: 'unsupported-database', format: 'avro', what: 'its records are not inspected' },
  'application/vnd.apache.arrow.file': { reason: 'unsupported-database', format: 'arrow', what: 'its columns are not inspected' },
  'video/mp4': mediaFormat('mp4'),
  'video/quicktime': mediaFormat('mov'),
  'video/x-matroska': mediaFormat('matroska'),
  'video/webm': mediaFormat('webm'),
  'video/x-msvideo': mediaFormat('avi'),
  'video/mp2t': mediaFormat('mpeg-ts'),
  'video/mpeg': mediaFormat('mpeg-ps'),
  'video/x-flv': mediaFormat('flv'),
  'video/x-ms-asf': mediaFormat('asf'),
  'audio/wav': mediaFormat('wav'),
  'audio/ogg': mediaFormat('ogg'),
  'audio/flac': mediaFormat('flac'),
  'audio/mpeg': mediaFormat('mp3', 'its tags (which may hold pictures) and frames are not inspected'),
};

/** Every media type recognised but not opened (the re-audit cache validates stored media types against them). */
export const UNSUPPORTED_MEDIA_TYPES = Object.keys(UNSUPPORTED) as UnsupportedMediaType[];

function mediaFormat(format: string, what = 'its frames and embedded pictures are not inspected'): Unsupported {
  return { reason: 'unsupported-media', format, what };
}

export const isUnsupported = (media: MediaType | undefined): media is UnsupportedMediaType => media !== undefined && Object.hasOwn(UNSUPPORTED, media);

/** The coverage entry for an item of a recognised-but-unsupported format, or undefined. */
export function unsupportedCoverage(location: string, media: MediaType | undefined, head: Buffer): CoverageEntry | undefined {
  if (!isUnsupported(media)) return undefined;
  const { reason, format, what } = UNSUPPORTED[media];
  // ISO base media files say what they are in their brand (mp4, m4a, 3gp, Canon .cr3 raw photos).
  const brand = media === 'video/mp4' || media === 'video/quicktime' ? brandOf(head) : undefined;
  return { location, reason, detail: `${format}${brand ? ` (brand ${brand})` : ''}: ${what}`, incomplete: true };
}

function brandOf(head: Buffer): string | undefined {
  if (head.length < 12 || head.toString('latin1', 4, 8) !== 'ftyp') return undefined;
  const brand = head.toString('latin1', 8, 12).trimEnd();
  return /^[\x20-\x7e]+$/.test(brand) ? brand : undefined;
}
