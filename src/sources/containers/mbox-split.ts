import type { Readable } from 'node:stream';

/** One message of an mbox, as its bytes (From_ line removed, `>From ` unquoted), or only its size when over the cap. */
export type MboxMessage = { bytes: Buffer; size: number } | { bytes?: undefined; size: number };

const NL = 0x0a;
const FROM = Buffer.from('From ');
/** A From_ line: `From <sender> <date>`; the date carries a time (asctime, as every writer puts it). */
const SEPARATOR = /^From \S+ .*\d\d:\d\d/;

/**
 * Splits an mbox stream into its messages, one at a time, in constant memory besides the message
 * being held (up to `cap` bytes; a larger one is passed over and reported by its size). A message
 * starts at a From_ line that opens the file or follows a blank line: mboxrd and mboxo writers quote
 * body lines that start with "From " (`>From `), so an unquoted one is a separator.
 */
export async function* splitMbox(stream: Readable, cap: number): AsyncGenerator<MboxMessage> {
  let chunks: Buffer[] = [];
  let held = 0;
  let size = 0;
  let started = false;
  /** The last bytes of the previous line seen, to tell a blank line before a From_ line. */
  let before = Buffer.from('\n\n');
  let carry = Buffer.alloc(0);
  const take = (bytes: Buffer): void => {
    size += bytes.length;
    if (held + bytes.length <= cap) {
      chunks.push(bytes);
      held += bytes.length;
    } else {
      chunks = [];
      held = Number.POSITIVE_INFINITY;
    }
  };
  const finish = (): MboxMessage => {
    const message: MboxMessage = Number.isFinite(held) ? { bytes: unquote(Buffer.concat(chunks)), size } : { size };
    chunks = [];
    held = 0;
    size = 0;
    return message;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let from = 0; // start of the bytes not yet given to the current message
    let line = 0;
    for (;;) {
      const end = data.indexOf(NL, line);
      if (end < 0) break;
      if (data[line] === 0x46 && data.subarray(line, line + 5).equals(FROM) && blankBefore(data, line, before)) {
        const text = data.toString('latin1', line, end);
        if (SEPARATOR.test(text)) {
          if (line > from) take(data.subarray(from, line));
          // Bytes before the first From_ line belong to no message.
          const message = finish();
          if (started) yield message;
          started = true;
          from = end + 1;
        }
      }
      line = end + 1;
    }
    // Bytes of the last, incomplete line wait for the next chunk only when they might be a From_ line.
    const tail = data.subarray(line);
    const mayBeFrom = tail.length < 5 ? FROM.subarray(0, tail.length).equals(tail) : tail.subarray(0, 5).equals(FROM);
    const keepFrom = mayBeFrom && tail.length < 64 * 1024 ? line : data.length;
    if (keepFrom > from) take(data.subarray(from, keepFrom));
    before = Buffer.from(keepFrom >= 2 ? data.subarray(keepFrom - 2, keepFrom) : Buffer.concat([before, data.subarray(0, keepFrom)]).subarray(-2));
    carry = Buffer.from(data.subarray(keepFrom));
  }
  if (carry.length > 0) take(carry);
  if (started) yield finish();
}

/** True when the line at `at` starts the data or follows an empty line (LF or CRLF). */
function blankBefore(data: Buffer, at: number, before: Buffer): boolean {
  const prev = (i: number): number | undefined => (at - i >= 0 ? data[at - i] : before[before.length - (i - at)]);
  return prev(1) === NL && (prev(2) === NL || (prev(2) === 0x0d && prev(3) === NL));
}

/** Removes one `>` from every line that starts with `>`s and then "From " (mboxrd quoting; mboxo's single `>From ` too). */
export function unquote(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = message[0] === 0x3e ? 0 : message.indexOf('\n>'); at >= 0; at = message.indexOf('\n>', at + 1)) {
    const start = message[at] === NL ? at + 1 : at;
    let i = start;
    while (message[i] === 0x3e) i++;
    if (!message.subarray(i, i + 5).equals(FROM)) continue;
    parts.push(message.subarray(from, start));
    from = start + 1;
  }
  if (from === 0) return message;
  parts.push(message.subarray(from));
  return Buffer.concat(parts);
}
