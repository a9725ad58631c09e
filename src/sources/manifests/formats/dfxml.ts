import { createReadStream } from 'node:fs';
import type { Digests, Item, SourceEvent } from '../../item.js';
import { digestKey, HEX_LENGTH, hexOf } from '../digests.js';
import { itemEvent, parseDate, parseSize, rowCoverage } from '../events.js';
import { guarded } from '../guard.js';
import { type ManifestFormat, type ManifestOptions, UNKNOWN_SIZE } from '../types.js';

/** Longest `<fileobject>` element kept while looking for its end (byte_runs can be long, not this long). */
const MAX_OBJECT_CHARS = 4 << 20;

/**
 * DFXML (`hashdeep -d`, fiwalk, bulk_extractor): each `<fileobject>` with `filename`, `filesize`,
 * `mtime` and `hashdigest type=...` becomes an item located by its filename as written. Streamed
 * element by element, so a multi-gigabyte fiwalk file is read in constant memory; directories
 * (`name_type` d) are skipped. Only these few fields are read, so no XML library is needed.
 */
export const dfxml: ManifestFormat = {
  id: 'dfxml',
  title: 'DFXML (hashdeep -d, fiwalk)',
  detect(head) {
    return /<dfxml[\s>]/.test(head.toString('utf8', 0, Math.min(head.length, 4096)));
  },
  read(path: string, opts: ManifestOptions) {
    return guarded(path, 'manifest-unreadable', readDfxml(path), opts.signal);
  },
};

async function* readDfxml(path: string): AsyncGenerator<SourceEvent> {
  let buf = '';
  let line = 1;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  for await (const chunk of stream as AsyncIterable<string>) {
    buf += chunk;
    for (;;) {
      const start = buf.search(/<fileobject[\s>]/);
      if (start === -1) {
        const keep = Math.max(0, buf.length - 12);
        line += countLines(buf, 0, keep);
        buf = buf.slice(keep);
        break;
      }
      const end = buf.indexOf('</fileobject>', start);
      if (end === -1) {
        line += countLines(buf, 0, start);
        buf = buf.slice(start);
        if (buf.length > MAX_OBJECT_CHARS) {
          yield rowCoverage(path, line, 'fileobject element larger than the 4 MiB cap');
          line += countLines(buf, 0, buf.length);
          buf = '';
        }
        break;
      }
      line += countLines(buf, 0, start);
      const block = buf.slice(start, end);
      const event = parseFileObject(block, path, line);
      if (event) yield event;
      line += countLines(buf, start, end);
      buf = buf.slice(end + '</fileobject>'.length);
    }
  }
  if (/<fileobject[\s>]/.test(buf)) yield rowCoverage(path, line, 'fileobject not closed: the file is truncated');
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

function parseFileObject(block: string, path: string, line: number): SourceEvent | undefined {
  if (child(block, 'name_type') === 'd') return undefined;
  const filename = child(block, 'filename');
  if (filename === undefined || filename === '') return rowCoverage(path, line, 'fileobject without a filename');
  const rawSize = child(block, 'filesize');
  const size = rawSize === undefined ? UNKNOWN_SIZE : parseSize(rawSize);
  if (size === undefined) return rowCoverage(path, line, 'filesize is not a byte count');
  const item: Omit<Item, 'origin' | 'content'> = { location: filename, size };
  const mtime = parseDate(child(block, 'mtime'));
  if (mtime) item.mtime = mtime;
  const digests: Digests = {};
  for (const m of block.matchAll(/<hashdigest\b[^>]*\btype\s*=\s*(['"])([^'"]*)\1[^>]*>([^<]*)<\/hashdigest>/g)) {
    const key = digestKey(m[2]!);
    const value = m[3]!.trim();
    if (key === undefined || value === '') continue;
    const hex = hexOf(value, HEX_LENGTH[key]!);
    if (hex === undefined) return rowCoverage(path, line, `hashdigest ${m[2]} is not ${key} hex`);
    digests[key] = hex;
  }
  if (Object.keys(digests).length > 0) item.digests = digests;
  else item.opaqueDigest = 'no md5/sha1/sha256 hashdigest';
  return itemEvent(item);
}

/** Text of the first `<name>` child element, entity-decoded (CDATA kept as is). */
function child(block: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(block);
  if (!m) return undefined;
  const raw = m[1]!;
  const cdata = /^<!\[CDATA\[([\s\S]*)\]\]>$/.exec(raw);
  return cdata ? cdata[1]! : decodeEntities(raw);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return safeCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return safeCodePoint(parseInt(e.slice(1), 10));
    return NAMED[e]!;
  });
}

function safeCodePoint(n: number): string {
  return n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD';
}
