import { sevenZipFormat } from './7z.js';
import { bzip2Format } from './bzip2.js';
import type { ContainerFormat, UnopenedFormat } from './format.js';
import { gitObjectFormat } from './git-object.js';
import { gzipFormat } from './gzip.js';
import { emailFormat } from './mail.js';
import { mboxFormat } from './mbox.js';
import { ole2Format } from './msg.js';
import { parquetFormat } from './parquet.js';
import { pdfFormat } from './pdf.js';
import { rarFormat } from './rar.js';
import { sqliteFormat } from './sqlite.js';
import { tarFormat } from './tar.js';
import { UNOPENED_FORMATS } from './unopened.js';
import { VIDEO_FORMATS } from './video.js';
import { xzFormat } from './xz.js';
import { zipFormat } from './zip.js';
import { zstdFormat } from './zstd.js';

/**
 * Every container format custody opens, in the order `sniff` tries their magic (before the formats
 * it does not open). Adding one is one file declaring it plus one line here.
 */
export const CONTAINER_FORMATS = [
  zipFormat,
  gzipFormat,
  tarFormat,
  bzip2Format,
  xzFormat,
  zstdFormat,
  gitObjectFormat,
  sevenZipFormat,
  rarFormat,
  sqliteFormat,
  parquetFormat,
  ole2Format,
  pdfFormat,
  ...VIDEO_FORMATS,
  // Text magics, last: every text head reaches them, and most fail on their first line.
  mboxFormat,
  emailFormat,
] as const;

/** The media types of the containers custody opens. */
export type ContainerMediaType = (typeof CONTAINER_FORMATS)[number]['media'];

/** The media types custody recognises but does not open (src/sources/unsupported.ts reports them). */
export type UnopenedMediaType = (typeof UNOPENED_FORMATS)[number]['media'];

/** A format told by its bytes: opened (a ContainerFormat) or not (an UnopenedFormat, with its coverage reason). */
export type RecognisedFormat = ContainerFormat | UnopenedFormat;

/** One table: what is this magic, can custody open it, and if not, what coverage reason. In sniff order. */
export const RECOGNISED_FORMATS: readonly RecognisedFormat[] = [...CONTAINER_FORMATS, ...UNOPENED_FORMATS];

const BY_MEDIA: ReadonlyMap<string, RecognisedFormat> = new Map(RECOGNISED_FORMATS.map((format) => [format.media, format]));

const opens = (format: RecognisedFormat | undefined): format is ContainerFormat => format !== undefined && 'open' in format;

/** The container format custody opens for `media`, if any. */
export function containerFormat(media: string | undefined): ContainerFormat | undefined {
  const format = media === undefined ? undefined : BY_MEDIA.get(media);
  return opens(format) ? format : undefined;
}

/** The format custody recognises but does not open for `media`, if any. */
export function unopenedFormat(media: string | undefined): UnopenedFormat | undefined {
  const format = media === undefined ? undefined : BY_MEDIA.get(media);
  return format && !opens(format) ? format : undefined;
}

/** The media type of the first recognised format whose magic `head` matches. */
export function sniffRecognised(head: Buffer): ContainerMediaType | UnopenedMediaType | undefined {
  for (const format of RECOGNISED_FORMATS) if (format.magic?.(head)) return format.media as ContainerMediaType | UnopenedMediaType;
  return undefined;
}
