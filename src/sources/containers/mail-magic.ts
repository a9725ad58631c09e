// The magic of e-mail and mbox (mail.ts, mbox.ts): text formats, told by their header lines.

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
