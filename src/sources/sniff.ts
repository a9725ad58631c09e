/**
 * Media types custody tells apart by magic bytes. Extensions are never trusted: a renamed copy is the
 * common case. A small table rather than a general library, because this runs on a 512-byte head for
 * every file on the hot path and we need only the families the detectors act on, plus the formats
 * custody recognises but cannot open (see src/sources/unsupported.ts): those must be reported as
 * not inspected rather than pass as an unknown binary.
 */
export type MediaType =
  | 'image/jpeg'
  | 'image/png'
  | 'image/gif'
  | 'image/webp'
  | 'image/tiff'
  | 'image/heif'
  | 'image/avif'
  | 'application/zip'
  | 'application/gzip'
  | 'application/x-tar'
  | 'text/plain'
  | 'application/octet-stream'
  | UnsupportedMediaType;

/** Formats recognised but not opened; each maps to a coverage reason in src/sources/unsupported.ts. */
export type UnsupportedMediaType =
  | 'application/x-7z-compressed'
  | 'application/vnd.rar'
  | 'application/x-xz'
  | 'application/x-bzip2'
  | 'application/zstd'
  | 'application/x-lz4'
  | 'application/x-lzip'
  | 'application/x-compress'
  | 'application/vnd.ms-cab-compressed'
  | 'application/x-archive'
  | 'application/x-cpio'
  | 'application/x-xar'
  | 'application/x-iso9660-image'
  | 'application/pdf'
  | 'message/rfc822'
  | 'application/mbox'
  | 'application/x-ole-storage'
  | 'text/rtf'
  | 'application/vnd.sqlite3'
  | 'application/vnd.apache.parquet'
  | 'application/x-orc'
  | 'application/avro'
  | 'application/vnd.apache.arrow.file'
  | 'video/mp4'
  | 'video/quicktime'
  | 'video/x-matroska'
  | 'video/webm'
  | 'video/x-msvideo'
  | 'video/mp2t'
  | 'video/mpeg'
  | 'video/x-flv'
  | 'video/x-ms-asf'
  | 'audio/wav'
  | 'audio/ogg'
  | 'audio/flac'
  | 'audio/mpeg';

/** How many leading bytes `sniff` wants (tar's magic sits at offset 257). */
export const SNIFF_BYTES = 512;

/**
 * ISO 9660 puts its magic at 32769, after a system area that is usually all zeros. `sniff` asks for
 * this much (see {@link wantsDeeperHead}) only when the first 512 bytes are all zero, so the common
 * case never reads more.
 */
export const DEEP_SNIFF_BYTES = 32 * 1024 + 6;

const startsWith = (head: Buffer, bytes: readonly number[], offset = 0): boolean =>
  head.length >= offset + bytes.length && bytes.every((b, i) => head[offset + i] === b);

const ascii = (head: Buffer, offset: number, text: string): boolean =>
  head.length >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;

const IMAGE_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'mif1', 'msf1', 'heim', 'heis']);

export function sniff(head: Buffer): MediaType {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (ascii(head, 4, 'ftyp')) {
    const brand = head.toString('latin1', 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'image/avif';
    if (IMAGE_BRANDS.has(brand)) return 'image/heif';
    return brand.startsWith('qt') ? 'video/quicktime' : 'video/mp4';
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'application/zip';
  if (startsWith(head, [0x1f, 0x8b])) return 'application/gzip';
  if (ascii(head, 257, 'ustar')) return 'application/x-tar';
  const other = sniffUnsupported(head);
  if (other) return other;
  if (textEncoding(head) !== undefined) return 'text/plain';
  return 'application/octet-stream';
}

/** True when `head` (the first SNIFF_BYTES) leaves the format open until DEEP_SNIFF_BYTES are seen. */
export const wantsDeeperHead = (head: Buffer, size: number): boolean => head.length === SNIFF_BYTES && size >= DEEP_SNIFF_BYTES && head.every((b) => b === 0);

export const isImage = (media: MediaType | undefined): boolean => media?.startsWith('image/') ?? false;

/** Text the plate scanner reads: plain text, and the text containers it scans though it cannot decode their parts. */
export const isTextLike = (media: MediaType | undefined): boolean =>
  media === 'text/plain' || media === 'message/rfc822' || media === 'application/mbox' || media === 'text/rtf';

// Magic numbers of the formats custody does not open, most specific first. Weak (short or ASCII)
// magics also require a binary head, so that a text file that happens to start with them stays text.
function sniffUnsupported(head: Buffer): UnsupportedMediaType | undefined {
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'application/x-7z-compressed';
  if (ascii(head, 0, 'Rar!\x1a\x07')) return 'application/vnd.rar';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'application/x-xz';
  // bzip2: "BZh" + block size, then the block magic (pi) or the end-of-stream magic (sqrt pi).
  if (
    ascii(head, 0, 'BZh') &&
    head[3]! >= 0x31 &&
    head[3]! <= 0x39 &&
    (ascii(head, 4, '1AY&SY') || startsWith(head, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4))
  ) {
    return 'application/x-bzip2';
  }
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'application/zstd';
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) return 'application/x-lz4';
  if (ascii(head, 0, 'LZIP') && head[4] === 1) return 'application/x-lzip';
  // compress(1): a two-byte magic needs its flags byte too (9-16 bits, reserved bits clear), or one
  // random file in 65,536 would read as unopenable and make an audit incomplete.
  if (startsWith(head, [0x1f, 0x9d]) && head.length > 2 && (head[2]! & 0x60) === 0 && (head[2]! & 0x1f) >= 9 && (head[2]! & 0x1f) <= 16)
    return 'application/x-compress';
  if (ascii(head, 0, 'MSCF') && startsWith(head, [0, 0, 0, 0], 4)) return 'application/vnd.ms-cab-compressed';
  if (ascii(head, 0, '!<arch>\n')) return 'application/x-archive';
  if (binaryCpio(head) || (/^07070[127]/.test(head.toString('latin1', 0, 6)) && head.includes(0))) {
    return 'application/x-cpio';
  }
  if (ascii(head, 0, 'xar!')) return 'application/x-xar';
  if (head.length >= DEEP_SNIFF_BYTES && ascii(head, 32769, 'CD001')) return 'application/x-iso9660-image';
  // Readers accept "%PDF-" anywhere in the first 1 KiB, so a binary prefix must not hide a PDF; in a
  // text head (a log quoting a PDF header) only a PDF header at the start counts.
  const pdf = pdfHeaderAt(head);
  if (pdf === 0 || (pdf > 0 && !isText(head))) return 'application/pdf';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'application/x-ole-storage';
  if (ascii(head, 0, '{\\rtf')) return 'text/rtf';
  if (ascii(head, 0, 'SQLite format 3\0')) return 'application/vnd.sqlite3';
  if (ascii(head, 0, 'PAR1') && !isText(head)) return 'application/vnd.apache.parquet';
  if (ascii(head, 0, 'ORC') && !isText(head)) return 'application/x-orc';
  if (ascii(head, 0, 'Obj\x01')) return 'application/avro';
  if (ascii(head, 0, 'ARROW1\0\0')) return 'application/vnd.apache.arrow.file';
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return head.subarray(0, 64).includes('webm') ? 'video/webm' : 'video/x-matroska';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'AVI ')) return 'video/x-msvideo';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'audio/wav';
  if (head.length >= 377 && head[0] === 0x47 && head[188] === 0x47 && head[376] === 0x47) return 'video/mp2t';
  if (startsWith(head, [0x00, 0x00, 0x01, 0xba]) || startsWith(head, [0x00, 0x00, 0x01, 0xb3])) return 'video/mpeg';
  if (ascii(head, 0, 'FLV\x01')) return 'video/x-flv';
  if (startsWith(head, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return 'video/x-ms-asf';
  // QuickTime files older than ftyp start with a top-level atom.
  if (['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].some((atom) => ascii(head, 4, atom)) && !isText(head)) return 'video/quicktime';
  if (ascii(head, 0, 'OggS\0')) return 'audio/ogg';
  if (ascii(head, 0, 'fLaC')) return 'audio/flac';
  if (ascii(head, 0, 'ID3') && head[3]! < 0x10 && !isText(head)) return 'audio/mpeg';
  return mailFormat(head);
}

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/** Where the first `%PDF-d.d` stands in the head, or -1: searched in the bytes, as every head is (no string made). */
function pdfHeaderAt(head: Buffer): number {
  for (let at = head.indexOf('%PDF-'); at >= 0; at = head.indexOf('%PDF-', at + 1)) {
    if (isDigit(head[at + 5]) && head[at + 6] === 0x2e && isDigit(head[at + 7])) return at;
  }
  return -1;
}

const CPIO_FILE_TYPES = new Set([0o140000, 0o120000, 0o100000, 0o060000, 0o040000, 0o020000, 0o010000]);

/**
 * An old binary cpio header: its two-byte magic (in either byte order) alone would match one random
 * file in 32,768, so the header must also hold a valid file type and a NUL-terminated printable name
 * of the length it declares.
 */
function binaryCpio(head: Buffer): boolean {
  const little = startsWith(head, [0xc7, 0x71]);
  if (!little && !startsWith(head, [0x71, 0xc7])) return false;
  if (head.length < 28) return false;
  const u16 = (at: number) => (little ? head.readUInt16LE(at) : head.readUInt16BE(at));
  if (!CPIO_FILE_TYPES.has(u16(6) & 0o170000)) return false;
  const nameSize = u16(20);
  if (nameSize < 2 || 26 + nameSize > head.length || head[26 + nameSize - 1] !== 0) return false;
  for (let i = 26; i < 26 + nameSize - 1; i++) if (head[i]! < 0x20 || head[i] === 0x7f) return false;
  return true;
}

const MAIL_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'received',
  'return-path',
  'mime-version',
  'content-type',
  'delivered-to',
  'reply-to',
  'sender',
  'in-reply-to',
  'references',
  'dkim-signature',
  'x-mailer',
]);
const MBOX_FROM = /^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) /;
const HEADER_LINE = /^([A-Za-z][A-Za-z0-9-]*):[ \t]/;

/**
 * An e-mail (RFC 5322) or mbox. A log or YAML file also has `Name: value` lines, so an e-mail needs
 * every complete line before the first blank one to be a header (or a folded continuation), at least
 * three of them, `From:` among them and two other mail headers.
 */
function mailFormat(head: Buffer): UnsupportedMediaType | undefined {
  if (head.includes(0)) return undefined;
  // Every text file reaches this test: most (logs, CSV) fail on their first line, so only that is
  // made a string before the whole head is.
  const firstEnd = head.indexOf(0x0a);
  const first = head.toString('latin1', 0, firstEnd < 0 ? head.length : firstEnd);
  if (!first.startsWith('From ') && !HEADER_LINE.test(first)) return undefined;
  const text = head.toString('latin1');
  if (MBOX_FROM.test(text)) return 'application/mbox';
  const lines = text.split('\n').slice(0, -1); // the last line may be cut by the head's end
  const names: string[] = [];
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') break;
    if (/^[ \t]/.test(line) && names.length > 0) continue;
    const match = HEADER_LINE.exec(line);
    if (!match) return undefined;
    names.push(match[1]!.toLowerCase());
  }
  const known = new Set(names.filter((name) => MAIL_HEADERS.has(name)));
  return names.length >= 3 && known.has('from') && known.size >= 3 ? 'message/rfc822' : undefined;
}

/** How text is encoded, when `head` is text at all. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of text, or undefined for binary. UTF-16 is told by its byte-order mark or, without
 * one, by NULs in every other byte (ASCII-range UTF-16). UTF-8/ASCII text may carry NUL bytes and
 * a few binary ones (a log truncated in place, a binary record header): NULs are left out of the
 * decision, which is taken on under 10% of the other bytes being control characters or invalid UTF-8. A head of NULs alone is text too (a log whose
 * start was zeroed by copy-and-truncate rotation), so that zeros in front cannot hide what follows.
 */
export function textEncoding(head: Buffer): TextEncoding | undefined {
  if (head.length === 0) return undefined;
  if (startsWith(head, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(head, [0xfe, 0xff])) return 'utf-16be';
  const utf16 = utf16ByNuls(head);
  if (utf16) return utf16;
  return isText(head) ? 'utf-8' : undefined;
}

/**
 * Share of the non-NUL bytes that are neither text nor whitespace: control characters and bytes that
 * are not valid UTF-8. Random or compressed bytes score about 0.5; a text log behind a small binary
 * header stays well under 0.1. ESC counts as text (ANSI-coloured logs).
 */
function isText(head: Buffer): boolean {
  let bad = 0;
  let nul = 0;
  for (let i = 0; i < head.length; i++) {
    const byte = head[i]!;
    if (byte === 0) nul++;
    else if (byte < 0x20) {
      if (byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) bad++;
    } else if (byte >= 0x80) {
      const length = utf8Length(head, i);
      if (length === 0) bad++;
      else i += length - 1;
    }
  }
  const other = head.length - nul;
  return other === 0 || bad / other < 0.1;
}

/** Length of the valid UTF-8 sequence starting at `i` (one cut by the end of the head counts), or 0. */
function utf8Length(head: Buffer, i: number): number {
  const lead = head[i]!;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  for (let k = 1; k < length; k++) {
    if (i + k >= head.length) return length;
    const next = head[i + k]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

/** UTF-16 without a BOM: NULs in nearly all odd (LE) or even (BE) bytes, and in few of the others. */
function utf16ByNuls(head: Buffer): TextEncoding | undefined {
  const pairs = head.length >> 1;
  if (pairs < 8) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.7 && evenNul <= pairs * 0.05) return 'utf-16le';
  if (evenNul >= pairs * 0.7 && oddNul <= pairs * 0.05) return 'utf-16be';
  return undefined;
}
