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
export function mailFormat(head: Buffer): 'message/rfc822' | 'application/mbox' | undefined {
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
