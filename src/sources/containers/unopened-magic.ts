import { startsWith } from './magic.js';

// The magic tests of unopened formats that need more than a few bytes compared (unopened.ts).

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/** Where the first `%PDF-d.d` stands in the head, or -1: searched in the bytes, as every head is (no string made). */
export function pdfHeaderAt(head: Buffer): number {
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
export function binaryCpio(head: Buffer): boolean {
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
