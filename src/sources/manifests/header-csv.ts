import type { SourceEvent } from '../item.js';
import { type CsvFileOptions, csvRecords } from './csv-records.js';
import { coverage } from './events.js';
import { isGzip } from './head.js';

/** Maps one data row to events (pushed on `out`); built once per file from its columns. */
export type HeaderRowMapper = (fields: string[], line: number, out: SourceEvent[]) => void;

export interface HeaderCsvOptions extends Omit<CsvFileOptions, 'gzip'> {
  /** True when a first record is a header row (checked on its cell names). */
  isHeader(record: string[]): boolean;
  /** Columns to assume when the file has no header row; without them a headerless file is refused. */
  defaultColumns?: readonly string[];
}

/**
 * Streams a CSV data file (plain or gzip, detected from its bytes) whose columns come from its
 * own header row, or from `defaultColumns` when the producer was configured without one.
 */
export async function* headerCsv(file: string, opts: HeaderCsvOptions, makeMapper: (columns: string[]) => HeaderRowMapper): AsyncGenerator<SourceEvent> {
  let mapRow: HeaderRowMapper | undefined;
  const out: SourceEvent[] = [];
  const { isHeader, defaultColumns, ...csvOpts } = opts;
  for await (const batch of csvRecords(file, { ...csvOpts, gzip: await isGzip(file) })) {
    for (const rec of batch) {
      if ('event' in rec) {
        out.push(rec.event);
        continue;
      }
      if (mapRow === undefined) {
        if (isHeader(rec.fields)) {
          mapRow = makeMapper(rec.fields.map((c) => c.trim()));
          continue;
        }
        if (defaultColumns === undefined) {
          yield* out;
          yield coverage({ location: file, reason: 'manifest-unreadable', detail: 'CSV has no header row naming its columns', incomplete: true });
          return;
        }
        mapRow = makeMapper([...defaultColumns]);
      }
      mapRow(rec.fields, rec.line, out);
    }
    yield* out;
    out.length = 0;
  }
}

/** Column index lookup by case-insensitive name, resolved once per file. */
export function columnIndex(columns: readonly string[]): (name: string) => number | undefined {
  const lower = columns.map((c) => c.toLowerCase());
  return (name) => {
    const i = lower.indexOf(name.toLowerCase());
    return i === -1 ? undefined : i;
  };
}
