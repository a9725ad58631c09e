import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** One record of a line-oriented manifest, with its 1-based record number. */
export interface Line {
  text: string;
  line: number;
  /** Set when the record exceeded the length cap and was cut: the caller reports it, never parses it. */
  overlong?: boolean;
}

export interface LineOptions {
  /** Record separator: '\n' (CRLF tolerated) or '\0' (`sha256sum -z`). */
  separator?: '\n' | '\0';
  /** Longest record kept (bytes); a hostile file with no separators cannot exhaust memory. */
  maxLength?: number;
}

const DEFAULT_MAX = 1 << 20;

/** Records of a file, streamed; UTF-8 BOM dropped; a trailing empty record is not yielded. */
export function readLines(path: string, opts: LineOptions = {}): AsyncGenerator<Line> {
  return splitLines(createReadStream(path, { highWaterMark: 1 << 16 }), opts);
}

/** Records of any byte stream (see readLines). Splitting on an ASCII byte keeps UTF-8 intact. */
export async function* splitLines(stream: Readable, opts: LineOptions = {}): AsyncGenerator<Line> {
  const sep = (opts.separator ?? '\n') === '\n' ? 0x0a : 0x00;
  const max = opts.maxLength ?? DEFAULT_MAX;
  let parts: Buffer[] = [];
  let partLength = 0;
  let overlong = false;
  let line = 0;
  const finish = (tail: Buffer): Line => {
    let buf = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
    parts = [];
    partLength = 0;
    line += 1;
    if (line === 1 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    if (sep === 0x0a && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, -1);
    const out: Line = { text: buf.toString('utf8'), line };
    if (overlong) out.overlong = true;
    overlong = false;
    return out;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = chunk.indexOf(sep); i !== -1; i = chunk.indexOf(sep, start)) {
      yield finish(overlong ? Buffer.alloc(0) : chunk.subarray(start, i));
      start = i + 1;
    }
    if (start < chunk.length && !overlong) {
      const rest = chunk.subarray(start);
      if (partLength + rest.length > max) {
        overlong = true;
        parts = [];
        partLength = 0;
      } else {
        parts.push(rest);
        partLength += rest.length;
      }
    }
  }
  if (partLength > 0 || overlong) yield finish(Buffer.alloc(0));
}
