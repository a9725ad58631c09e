import { guardedMatch, MARKER_MATCH_TIMEOUT_MS, markerRegExp, matchedPart } from '../policy/marker-regex.js';
import type { MetadataMarker } from '../policy/schema.js';
import type { Item } from '../sources/item.js';
import { isImage, type MediaType } from '../sources/sniff.js';
import { lazy } from '../util/lazy.js';
import type { Detector, DetectorFactory, DetectResult, ItemFacts } from './detector.js';

/** Metadata lives at the front of every format custody reads; this much head is enough for exifr. */
const METADATA_HEAD_BYTES = 512 * 1024;

const loadExifr = lazy(async () => (await import('exifr')).default);

/** Capture-time fields, most specific first. A copy's mtime is reset by copying; these are not. */
const CAPTURE_FIELDS = ['DateTimeOriginal', 'CreateDate', 'DateCreated', 'DateTime', 'ModifyDate'] as const;

type Tags = Record<string, unknown>;

/** Reads EXIF, XMP and IPTC tags from an image's head; undefined when there are none or they are corrupt. */
export async function readImageTags(item: Item): Promise<Tags | undefined> {
  if (!item.content) return undefined;
  const head = await item.content.head(METADATA_HEAD_BYTES);
  const exifr = await loadExifr();
  try {
    const tags = (await exifr.parse(head, { tiff: true, exif: true, xmp: true, iptc: true, ifd1: false, gps: false, mergeOutput: true })) as Tags | undefined;
    return tags ?? undefined;
  } catch {
    // exifr throws on images whose metadata segments are malformed: that is "no usable metadata".
    return undefined;
  }
}

/** The capture date from tags, and which field it came from. */
export function captureDate(tags: Tags | undefined): Pick<ItemFacts, 'capturedAt' | 'capturedAtField'> {
  for (const field of CAPTURE_FIELDS) {
    const value = tags?.[field];
    if (value instanceof Date && !Number.isNaN(value.getTime())) return { capturedAt: asWrittenUtc(value), capturedAtField: field };
  }
  return {};
}

/**
 * EXIF dates carry no time zone and exifr builds them in the machine's local zone. Reading the
 * components back as UTC makes an audit's result independent of where it runs (the contract's
 * retention is in days; the capture's own offset is seldom recorded).
 */
function asWrittenUtc(local: Date): Date {
  return new Date(
    Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds(), local.getMilliseconds()),
  );
}

/**
 * {@link matchMarker} under the marker time limit (marker-regex.ts): `timedOut` when a marker regex
 * on these (contractor-controlled) tags ran past it.
 */
export function matchMarkerWithinLimit(
  tags: Tags,
  markers: readonly MetadataMarker[],
): { marker: MetadataMarker; value: string } | { timedOut: true } | undefined {
  if (!markers.some((m) => m.matches !== undefined)) return matchMarker(tags, markers);
  const guarded = guardedMatch(() => matchMarker(tags, markers));
  return 'timedOut' in guarded ? guarded : guarded.result;
}

/**
 * The first marker the tags satisfy, with the value as evidence shows it. That value goes into the
 * report, where the redactor masks agency plates in it (an `ImageDescription` may well name one).
 */
export function matchMarker(tags: Tags, markers: readonly MetadataMarker[]): { marker: MetadataMarker; value: string } | undefined {
  for (const marker of markers) {
    const raw = tags[marker.field];
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined && v !== null);
    const hit = values.find((value) => markerAccepts(marker, valueText(value).trim()));
    if (hit !== undefined) return { marker, value: evidenceText(hit) };
  }
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A tag value as evidence. Binary tags (`UNDEFINED`, byte arrays) would print as their byte values
 * (`81,82,84,...`), bytes of the image file in a report, and a plate spelled that way is one the
 * redactor cannot see: they are shown as text when they are UTF-8 text, else only as their length.
 */
function evidenceText(value: unknown): string {
  if (!(value instanceof Uint8Array)) return valueText(value).trim();
  let end = value.length;
  while (end > 0 && value[end - 1] === 0) end--;
  try {
    const text = UTF8.decode(value.subarray(0, end));
    if (!/[\u0000-\u0008\u000e-\u001f\u007f]/u.test(text)) return text.trim();
  } catch {
    // not text
  }
  return `<${value.length} bytes>`;
}

function valueText(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}

function markerAccepts(marker: MetadataMarker, value: string): boolean {
  if (marker.equals !== undefined) return value === marker.equals.trim();
  if (marker.oneOf !== undefined) return marker.oneOf.some((v) => v.trim() === value);
  return marker.matches !== undefined && markerRegExp(marker.matches).test(matchedPart(value));
}

/**
 * Agency images that are not fingerprinted but carry the agency's provenance markers (camera make,
 * serial numbers, copyright). Also reports their capture date for retention.
 */
export const metadataDetector: DetectorFactory = {
  id: 'metadata',
  create({ markers }) {
    if (markers.length === 0) return undefined;
    const detector: Detector = {
      id: 'metadata',
      settings: { markers },
      needsMedia: true,
      applies: (item: Item, media: MediaType | undefined) => item.content !== undefined && isImage(media),
      async detect(item: Item): Promise<DetectResult> {
        const tags = await readImageTags(item);
        if (!tags) return { identifications: [] };
        const facts = captureDate(tags);
        const hit = matchMarkerWithinLimit(tags, markers);
        if (!hit) return { identifications: [], facts };
        if ('timedOut' in hit) {
          const detail = `marker regex stopped after ${MARKER_MATCH_TIMEOUT_MS} ms; the provenance markers were not checked`;
          return { identifications: [], facts, coverage: [{ location: item.location, reason: 'metadata-limit', detail, incomplete: true }] };
        }
        const rule = hit.marker.equals !== undefined ? 'equals' : hit.marker.matches !== undefined ? 'matches' : 'oneOf';
        return {
          identifications: [
            {
              asset: hit.marker.asset,
              method: 'metadata',
              evidence: { field: hit.marker.field, rule, value: hit.value, ...(facts.capturedAtField ? { capturedAtField: facts.capturedAtField } : {}) },
            },
          ],
          facts,
        };
      },
    };
    return detector;
  },
};
