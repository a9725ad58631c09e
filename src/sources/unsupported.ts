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
export function unsupportedCoverage(location: string, media: MediaType | undefined): CoverageEntry | undefined {
  const format = unopenedFormat(media);
  if (!format) return undefined;
  return { location, reason: format.reason, detail: `${format.id}: ${format.what}`, incomplete: true };
}
