import { ascii, DEEP_SNIFF_BYTES, SNIFF_BYTES, startsWith } from './containers/magic.js';
import { type ContainerMediaType, RECOGNISED_FORMATS, sniffRecognised, type UnopenedMediaType } from './containers/registry.js';
import { textEncoding } from './text-encoding.js';

export { DEEP_SNIFF_BYTES, SNIFF_BYTES } from './containers/magic.js';
export { type TextEncoding, textEncoding } from './text-encoding.js';

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/tiff', 'image/heif', 'image/avif'] as const;

/**
 * Media types custody tells apart by magic bytes. Extensions are never trusted: a renamed copy is the
 * common case. A small table rather than a general library, because this runs on a 512-byte head for
 * every file on the hot path and we need only the families the detectors act on, the containers
 * custody opens, and the formats it recognises but cannot open: those must be reported as not
 * inspected rather than pass as an unknown binary. Both of the latter come from one table,
 * src/sources/containers/registry.ts.
 */
export type MediaType = (typeof IMAGE_MEDIA_TYPES)[number] | ContainerMediaType | 'text/plain' | 'application/octet-stream' | UnsupportedMediaType;

/** Formats recognised but not opened; each has its coverage reason in src/sources/containers/unopened.ts. */
export type UnsupportedMediaType = UnopenedMediaType;

/** Every media type `sniff` can give (the re-audit cache validates stored ones against it). */
export const MEDIA_TYPES: readonly MediaType[] = [
  ...IMAGE_MEDIA_TYPES,
  'text/plain',
  'application/octet-stream',
  ...RECOGNISED_FORMATS.map((format) => format.media as MediaType),
];

const IMAGE_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1', 'heim', 'heis']);

export function sniff(head: Buffer): MediaType {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  // ISO base media: images and video share the box structure; the brand tells them apart.
  if (ascii(head, 4, 'ftyp')) {
    const brand = head.toString('latin1', 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (IMAGE_BRANDS.has(brand)) return 'image/heif';
    return brand.startsWith('qt') ? 'video/quicktime' : 'video/mp4';
  }
  const recognised = sniffRecognised(head);
  if (recognised) return recognised;
  if (textEncoding(head) !== undefined) return 'text/plain';
  return 'application/octet-stream';
}

/** True when `head` (the first SNIFF_BYTES) leaves the format open until DEEP_SNIFF_BYTES are seen. */
export const wantsDeeperHead = (head: Buffer, size: number): boolean => head.length === SNIFF_BYTES && size >= DEEP_SNIFF_BYTES && head.every((b) => b === 0);

export const isImage = (media: MediaType | undefined): boolean => media?.startsWith('image/') ?? false;

/**
 * Text the plate scanner reads: plain text, and RTF, scanned though its parts are not decoded. E-mail
 * is not: its decoded bodies are members the scanner reads (src/sources/containers/mail.ts).
 */
export const isTextLike = (media: MediaType | undefined): boolean => media === 'text/plain' || media === 'text/rtf';
