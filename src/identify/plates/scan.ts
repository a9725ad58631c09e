import type { Readable } from 'node:stream';
import { PlateHits } from './hits.js';
import type { PlateMatcher } from './matcher.js';
import { CsvPlateScanner } from './scan-csv.js';
import { ENCODING_BYTES, TextDecodeFilter } from './scan-decode.js';
import { JsonPlateScanner } from './scan-json.js';
import { TextPlateScanner, type PlateChunkScanner, type PlateFormat } from './scan-text.js';

/** Bytes read before choosing a format. */
export const DETECT_BYTES = 16 * 1024;
const DELIMITERS = [0x09, 0x2c, 0x3b, 0x7c]; // tab, comma, semicolon, pipe
const MAX_DETECT_RECORDS = 20;
const MAX_HEADER_NAME = 64;

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

/**
 * Scans a stream for agency plates in constant memory: the encoding is chosen from the first 4 KiB
 * (UTF-16 is transcoded, ANSI escapes removed: see {@link TextDecodeFilter}), the format from the
 * first 16 KiB of text, then every chunk goes through one streaming scanner. Rejects only when the
 * stream itself fails.
 */
export async function scanPlates(stream: Readable, matcher: PlateMatcher): Promise<PlateScanResult> {
  const hits = new PlateHits();
  let scanner: PlateChunkScanner | undefined;
  let decoder: TextDecodeFilter | undefined;
  let raw: Buffer[] = [];
  let rawBytes = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  const start = (complete: boolean): PlateChunkScanner => {
    let head = Buffer.concat(pending, pendingBytes);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
    const chosen = scannerFor(head, complete, matcher, hits);
    chosen.write(head);
    pending = [];
    return chosen;
  };
  const text = (chunk: Uint8Array): void => {
    if (chunk.length === 0) return;
    if (scanner) return scanner.write(chunk);
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= DETECT_BYTES) scanner = start(false);
  };
  for await (const data of stream) {
    const chunk: Buffer = typeof data === 'string' ? Buffer.from(data) : (data as Buffer);
    bytes += chunk.length;
    if (decoder) {
      text(decoder.write(chunk));
      continue;
    }
    raw.push(chunk);
    rawBytes += chunk.length;
    if (rawBytes < ENCODING_BYTES) continue;
    const head = Buffer.concat(raw, rawBytes);
    raw = [];
    decoder = new TextDecodeFilter(head);
    text(decoder.write(head));
  }
  if (!decoder) {
    const head = Buffer.concat(raw, rawBytes);
    decoder = new TextDecodeFilter(head);
    text(decoder.write(head));
  }
  text(decoder.end());
  scanner ??= start(true);
  scanner.end();
  return {
    format: scanner.format,
    records: hits.found.size,
    where: hits.whereList(scanner.sortedWhere),
    whereTruncated: hits.truncated,
    examples: scanner.format === 'json' || scanner.format === 'jsonl' ? hits.exampleList() : [],
    bytes,
  };
}
