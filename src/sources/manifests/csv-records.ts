import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import type { SourceEvent } from '../item.js';
import { CsvTokenizer } from './csv-tokenizer.js';
import { coverage, rowCoverage } from './events.js';
import { describe } from './guard.js';

export interface CsvFileOptions {
  gzip: boolean;
  /** Hex MD5 the file's raw (compressed) bytes must have. */
  md5?: string;
  /** Byte size the raw file must have. */
  size?: number;
  /** Field delimiter (GCS inventories may configure one); default ','. */
  delimiter?: string;
}

/** A CSV record with the line it starts on, or an event (bad row, checksum, truncation) to pass on. */
export type CsvOutput = { fields: string[]; line: number } | { event: SourceEvent };

/** Decompressed bytes per gunzip step: zlib's default 16 KiB cost four times the CPU (a threadpool round trip per 16 KiB). */
const GUNZIP_CHUNK = 1 << 20;
/** Decompressed bytes tokenized per batch of records. */
const PARSE_SLICE = 16 << 10;
/** Decompressed bytes a part opened ahead may hold before it waits for its turn. */
const READ_AHEAD = 8 << 20;

/** A CSV file whose reading has started: its records, and how to stop it if they are never read. */
export interface OpenCsv {
  records: AsyncGenerator<CsvOutput[]>;
  close(): void;
}

/**
 * Streams a (gzip) CSV file in batches of records (one batch per decompressed chunk, so the async
 * machinery costs per chunk, not per row) in constant memory: read -> MD5 -> gunzip -> tokenize.
 * The raw bytes are hashed as they are read, so the MD5 check costs no second pass; its verdict
 * (and a size mismatch) is reported after the last record: rows already read stand, and the entry
 * says the file cannot be trusted whole. Malformed records become row coverage and parsing goes on;
 * a truncated gzip or a read error ends the file with coverage.
 */
export async function* csvRecords(file: string, opts: CsvFileOptions): AsyncGenerator<CsvOutput[]> {
  yield* openCsvRecords(file, opts).records;
}

/**
 * {@link csvRecords}, started now: reading, hashing and decompressing (on libuv's threadpool) go
 * on while the caller still reads an earlier file, until READ_AHEAD decompressed bytes wait. An
 * inventory delivered in several parts so decompresses the next part beside the parsing of this one.
 */
export function openCsvRecords(file: string, opts: CsvFileOptions): OpenCsv {
  const md5 = createHash('md5');
  const counted = { bytes: 0 };
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  raw.on('data', (chunk: Buffer | string) => {
    md5.update(chunk);
    counted.bytes += chunk.length;
  });
  // The 'data' listener sets the file flowing now, so its bytes must land in a buffer that waits for
  // the records to be read: gunzip's for a gzip part (zlib hands its options to the Transform it is,
  // whose readable buffer is the read-ahead), a pass-through's for a plain one. Read straight from
  // the file, a plain part opened ahead gave its bytes to the MD5 alone, and its rows were lost.
  const buffer: Readable = opts.gzip
    ? createGunzip({ chunkSize: GUNZIP_CHUNK, readableHighWaterMark: READ_AHEAD } as ZlibOptions)
    : new PassThrough({ readableHighWaterMark: READ_AHEAD });
  raw.on('error', (err) => buffer.destroy(err));
  const source: Readable = raw.pipe(buffer as PassThrough);
  // Errors before the records are read are kept by the stream and surface when it is iterated.
  source.on('error', () => undefined);
  return { records: readRecords(file, opts, raw, source, md5, counted), close: () => (source.destroy(), raw.destroy()) };
}

async function* readRecords(
  file: string,
  opts: CsvFileOptions,
  raw: Readable,
  source: Readable,
  md5: ReturnType<typeof createHash>,
  counted: { bytes: number },
): AsyncGenerator<CsvOutput[]> {
  const decoder = new StringDecoder('utf8');
  const tokenizer = new CsvTokenizer(opts.delimiter ?? ',');
  let failure: unknown;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      // Parsed in slices: a batch of a whole 1 MiB chunk's records (~3,000 rows) lived long enough
      // to be promoted, and the old-generation collections doubled the CPU (measured).
      for (let at = 0; at < chunk.length; at += PARSE_SLICE)
        yield tokenizer.push(decoder.write(chunk.subarray(at, at + PARSE_SLICE))).map((r) => toOutput(file, r));
    }
    yield [...tokenizer.push(decoder.end()), ...tokenizer.end()].map((r) => toOutput(file, r));
  } catch (err) {
    failure = err;
  } finally {
    raw.destroy();
  }
  if (failure !== undefined) {
    const truncated = /unexpected end of file|incorrect header check|invalid/i.test(describe(failure));
    yield [
      {
        event: coverage({
          location: file,
          reason: truncated ? 'manifest-truncated' : 'manifest-unreadable',
          detail: describe(failure),
          incomplete: true,
        }),
      },
    ];
    return;
  }
  const actual = md5.digest('hex');
  if (opts.md5 !== undefined && actual !== opts.md5.toLowerCase()) {
    yield [
      { event: coverage({ location: file, reason: 'manifest-data-checksum', detail: `MD5 ${actual} but the manifest says ${opts.md5}`, incomplete: true }) },
    ];
  } else if (opts.size !== undefined && counted.bytes !== opts.size) {
    yield [
      {
        event: coverage({
          location: file,
          reason: 'manifest-data-checksum',
          detail: `${counted.bytes} bytes but the manifest says ${opts.size}`,
          incomplete: true,
        }),
      },
    ];
  }
}

function toOutput(file: string, record: { fields: string[]; line: number; error?: string }): CsvOutput {
  return record.error === undefined ? { fields: record.fields, line: record.line } : { event: rowCoverage(file, record.line, record.error) };
}
