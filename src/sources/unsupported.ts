import { unopenedFormat } from './containers/registry.js';
import type { CoverageEntry } from './item.js';
import type { MediaType, UnsupportedMediaType } from './sniff.js';

/**
 * Formats custody recognises by their magic bytes but cannot open (the table is
 * src/sources/containers/unopened.ts). Each gets a coverage entry that makes the audit incomplete:
 * what is inside a 7z, a PDF or a video may be agency data, and custody did not look. The reason is
 * the family (machine-readable, stable), the detail names the format.
 */
export type { UnopenedReason as UnsupportedReason } from './containers/format.js';

export const isUnsupported = (media: MediaType | undefined): media is UnsupportedMediaType => unopenedFormat(media) !== undefined;

/** The coverage entry for an item of a recognised-but-unsupported format, or undefined. */
export function unsupportedCoverage(location: string, media: MediaType | undefined, head: Buffer): CoverageEntry | undefined {
  const format = unopenedFormat(media);
  if (!format) return undefined;
  // ISO base media files say what they are in their brand (mp4, m4a, 3gp, Canon .cr3 raw photos).
  const brand = media === 'video/mp4' || media === 'video/quicktime' ? brandOf(head) : undefined;
  return { location, reason: format.reason, detail: `${format.id}${brand ? ` (brand ${brand})` : ''}: ${format.what}`, incomplete: true };
}

function brandOf(head: Buffer): string | undefined {
  if (head.length < 12 || head.toString('latin1', 4, 8) !== 'ftyp') return undefined;
  const brand = head.toString('latin1', 8, 12).trimEnd();
  return /^[\x20-\x7e]+$/.test(brand) ? brand : undefined;
}
