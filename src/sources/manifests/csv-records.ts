import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
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

/**
 * Streams a (gzip) CSV file in batches of records (one batch per decompressed chunk, so the async
 * machinery costs per chunk, not per row) in constant memory: read -> MD5 -> gunzip -> tokenize.
 * The raw bytes are hashed as they are read, so the MD5 check costs no second pass; its verdict
 * (and a size mismatch) is reported after the last record: rows already read stand, and the entry
 * says the file cannot be trusted whole. Malformed records become row coverage and parsing goes on;
 * a truncated gzip or a read error ends the file with coverage.
 */
export async function* csvRecords(file: string, opts: CsvFileOptions): AsyncGenerator<CsvOutput[]> {
  const md5 = createHash('md5');
  let bytes = 0;
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  raw.on('data', (chunk: Buffer | string) => {
    md5.update(chunk);
    bytes += chunk.length;
  });
  let source: Readable = raw;
  if (opts.gzip) {
    const gunzip = createGunzip();
    raw.on('error', (err) => gunzip.destroy(err));
    source = raw.pipe(gunzip);
  }
  const decoder = new StringDecoder('utf8');
  const tokenizer = new CsvTokenizer(opts.delimiter ?? ',');
  let failure: unknown;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      yield tokenizer.push(decoder.write(chunk)).map((r) => toOutput(file, r));
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
  } else if (opts.size !== undefined && bytes !== opts.size) {
    yield [
      { event: coverage({ location: file, reason: 'manifest-data-checksum', detail: `${bytes} bytes but the manifest says ${opts.size}`, incomplete: true }) },
    ];
  }
}

function toOutput(file: string, record: { fields: string[]; line: number; error?: string }): CsvOutput {
  return record.error === undefined ? { fields: record.fields, line: record.line } : { event: rowCoverage(file, record.line, record.error) };
}
