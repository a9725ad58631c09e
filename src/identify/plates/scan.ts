import { textEncoding } from '../../sources/sniff.js';
import { PlateHits } from './hits.js';
import type { PlateMatcher } from './matcher.js';
import { CsvPlateScanner } from './scan-csv.js';
import { ENCODING_BYTES, TextDecodeFilter } from './scan-decode.js';
import { JsonPlateScanner } from './scan-json.js';
import { type PlateChunkScanner, type PlateFormat, TextPlateScanner } from './scan-text.js';

/** Bytes read before choosing a format. */
export const DETECT_BYTES = 16 * 1024;
const DELIMITERS = [0x09, 0x2c, 0x3b, 0x7c]; // tab, comma, semicolon, pipe
const MAX_DETECT_RECORDS = 20;
const MAX_HEADER_NAME = 64;
const ESC = 0x1b;

/** What a plate scan of one stream found. Never plates, never digests of plates. */
export interface PlateScanResult {
  format: PlateFormat;
  /** Distinct agency plates found. */
  records: number;
  /** Column names, collapsed JSON paths, or `line N`; at most 20. */
  where: string[];
  /** True when more places held agency plates than `where` lists. */
  whereTruncated: boolean;
  /** JSON only: the first exact paths (`line 4: $.reads[3].plate`), at most 5. */
  examples: string[];
  /** Bytes scanned. */
  bytes: number;
}

/** The format of content from its first bytes (a UTF-8 BOM already removed); CSV with its delimiter. */
export function detectPlateFormat(head: Uint8Array, complete: boolean, matcher: PlateMatcher): { format: 'json' | 'csv' | 'text'; delimiter?: number } {
  let first = 0;
  while (first < head.length && (head[first] === 0x20 || head[first] === 0x09 || head[first] === 0x0a || head[first] === 0x0d)) first++;
  if (head[first] === 0x7b || head[first] === 0x5b) {
    const trial = new JsonPlateScanner(matcher, new PlateHits());
    trial.write(head);
    if (!trial.failed) return { format: 'json' };
  }
  const delimiter = csvDelimiter(head, complete);
  return delimiter === undefined ? { format: 'text' } : { format: 'csv', delimiter };
}

/**
 * A delimiter that splits the first records (quote-aware) into the same number (>= 2) of fields, with
 * a header of short names; the one giving most fields wins.
 */
function csvDelimiter(head: Uint8Array, complete: boolean): number | undefined {
  let best: number | undefined;
  let bestFields = 1;
  for (const delimiter of DELIMITERS) {
    const counts: number[] = [];
    let fields = 1;
    let quoted = false;
    let cellLength = 0;
    let headerOk = true;
    for (let i = 0; i < head.length && counts.length < MAX_DETECT_RECORDS; i++) {
      const b = head[i];
      if (b === 0x22) quoted = !quoted;
      else if (!quoted && (b === delimiter || b === 0x0a)) {
        if (counts.length === 0 && cellLength > MAX_HEADER_NAME) headerOk = false;
        cellLength = 0;
        if (b === delimiter) fields++;
        else {
          counts.push(fields);
          fields = 1;
        }
      } else cellLength++;
    }
    const header = counts[0] ?? 0;
    if (complete && fields > 1 && counts.length < MAX_DETECT_RECORDS) counts.push(fields);
    // A record still open at the end of the head (a long quoted cell) counts when it fits the header.
    else if (!complete && counts.length === 1 && (quoted || fields > 1) && fields <= header) counts.push(header);
    if (headerOk && counts.length >= 2 && header >= 2 && header > bestFields && counts.every((count) => count === header)) {
      best = delimiter;
      bestFields = header;
    }
  }
  return best;
}

function scannerFor(head: Uint8Array, complete: boolean, matcher: PlateMatcher, hits: PlateHits): PlateChunkScanner {
  const { format, delimiter } = detectPlateFormat(head, complete, matcher);
  if (format === 'json') return new JsonPlateScanner(matcher, hits);
  if (format === 'csv') return new CsvPlateScanner(matcher, hits, delimiter ?? 0x2c);
  return new TextPlateScanner(matcher, hits);
}

/** One reading of a stream (raw bytes, or decoded text): format chosen from its first 16 KiB, then one scanner. */
class Lane {
  readonly hits = new PlateHits();
  private scanner: PlateChunkScanner | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(private readonly matcher: PlateMatcher) {}

  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.scanner) return this.scanner.write(chunk);
    // A first chunk long enough to choose the format from is scanned as it is, not copied.
    if (this.pendingBytes === 0 && chunk.length >= DETECT_BYTES) {
      this.scanner = this.start(chunk, false);
      return;
    }
    // A copy: the caller may read its next chunk into the same buffer (ContentSource.lentChunks).
    this.pending.push(Buffer.from(chunk));
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= DETECT_BYTES) this.scanner = this.start(Buffer.concat(this.pending, this.pendingBytes), false);
  }

  end(): PlateChunkScanner {
    this.scanner ??= this.start(Buffer.concat(this.pending, this.pendingBytes), true);
    this.scanner.end();
    return this.scanner;
  }

  private start(first: Uint8Array, complete: boolean): PlateChunkScanner {
    const head = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? first.subarray(3) : first;
    const chosen = scannerFor(head, complete, this.matcher, this.hits);
    chosen.write(head);
    this.pending = [];
    return chosen;
  }
}

/**
 * Scans content for agency plates in constant memory: a stream, or chunks that are valid only until
 * the next one (src/sources/item.ts `chunksOf`; what it keeps of a chunk, it copies). The raw bytes are always scanned. When they
 * need decoding (UTF-16 chosen from the first 4 KiB, or ANSI escapes: see {@link TextDecodeFilter}),
 * a second, decoded reading runs beside the raw one, from the first byte that needs it; the readings'
 * distinct plates are merged. A guess from the head (two bytes `FF FE` in front of a UTF-8 CSV) or an
 * escape that only looks like one can so never make custody find fewer plates than the raw bytes hold.
 * Plain ASCII/UTF-8 without ESC costs one `indexOf` per chunk over a raw-only scan. Rejects only when
 * the stream itself fails.
 */
export async function scanPlates(stream: AsyncIterable<Uint8Array | string>, matcher: PlateMatcher): Promise<PlateScanResult> {
  const rawLane = new Lane(matcher);
  let decoded: { lane: Lane; filter: TextDecodeFilter } | undefined;
  let head: Buffer[] | undefined = [];
  let headBytes = 0;
  let bytes = 0;
  const feed = (chunk: Buffer): void => {
    rawLane.write(chunk);
    if (decoded) decoded.lane.write(decoded.filter.write(chunk));
    else if (chunk.indexOf(ESC) >= 0) {
      // Before its first ESC, UTF-8 text decodes to itself: the decoded reading starts here.
      decoded = { lane: new Lane(matcher), filter: new TextDecodeFilter('utf-8') };
      decoded.lane.write(decoded.filter.write(chunk));
    }
  };
  const startWith = (first: Buffer): void => {
    head = undefined;
    const encoding = textEncoding(first.subarray(0, ENCODING_BYTES)) ?? 'utf-8';
    if (encoding !== 'utf-8') decoded = { lane: new Lane(matcher), filter: new TextDecodeFilter(encoding) };
    feed(first);
  };
  for await (const data of stream) {
    const chunk: Buffer = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.length);
    bytes += chunk.length;
    if (!head) {
      feed(chunk);
      continue;
    }
    if (headBytes === 0 && chunk.length >= ENCODING_BYTES) {
      startWith(chunk);
      continue;
    }
    // A copy: the caller may read its next chunk into the same buffer (ContentSource.lentChunks).
    head.push(Buffer.from(chunk));
    headBytes += chunk.length;
    if (headBytes >= ENCODING_BYTES) startWith(Buffer.concat(head, headBytes));
  }
  if (head) startWith(Buffer.concat(head, headBytes));
  const rawScanner = rawLane.end();
  let primary = { scanner: rawScanner, hits: rawLane.hits };
  let found = rawLane.hits.found;
  if (decoded) {
    decoded.lane.write(decoded.filter.end());
    const scanner = decoded.lane.end();
    const other = decoded.lane.hits;
    // The reading that found more gives format and places; the count is of plates either found.
    if (other.found.size > primary.hits.found.size) primary = { scanner, hits: other };
    found = new Set([...rawLane.hits.found, ...other.found]);
  }
  const { scanner, hits } = primary;
  return {
    format: scanner.format,
    records: found.size,
    where: hits.whereList(scanner.sortedWhere),
    whereTruncated: hits.truncated || found.size > hits.found.size,
    examples: scanner.format === 'json' || scanner.format === 'jsonl' ? hits.exampleList() : [],
    bytes,
  };
}
