import { startsWith } from './containers/magic.js';

// Telling text from binary in a file's first bytes: the plate scanner reads text in its encoding, and
// weak magic numbers (short or ASCII) count only in a binary head, so a text file that happens to
// start with one stays text.

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
export function isText(head: Buffer): boolean {
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
