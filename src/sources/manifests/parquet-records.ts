import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lazy } from '../../util/lazy.js';
import { resolveArchiveOptions } from '../archives/options.js';
import { guardedCompressors } from '../containers/parquet-codecs.js';
import { parquetAsyncBuffer, refuseGroup } from '../containers/parquet-file.js';
import type { SourceEvent } from '../item.js';
import type { CsvOutput } from './csv-records.js';
import { coverage } from './events.js';
import { describe } from './guard.js';

const loadHyparquet = lazy(() => import('hyparquet'));

/** A Parquet data file's column names, and its rows as CSV-like records. */
export interface ParquetRecords {
  /** Top-level column names as the file writes them (`bucket`, `key`, `last_modified_date`). */
  columns: string[];
  records: AsyncGenerator<CsvOutput[]>;
}

/** `last_modified_date` -> `LastModifiedDate`, `e_tag` -> `ETag`: the CSV inventory's column names. */
export const csvColumnName = (name: string): string =>
  name
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/**
 * Reads an S3 Inventory data file delivered as Parquet, one row group at a time (each held to the
 * archive limits on declared sizes, as for any Parquet container), as the same records the CSV reader
 * gives: values as text (dates as ISO 8601, 64-bit sizes exactly), keys URL-encoded as CSV
 * inventories write them, `line` the 1-based row. The MD5 and size the manifest gives are checked
 * first; a mismatch is reported after the rows, as for CSV.
 */
export async function parquetRecords(file: string, opts: { md5?: string; size?: number }): Promise<ParquetRecords | { event: SourceEvent }> {
  const hyparquet = await loadHyparquet();
  let source: Awaited<ReturnType<typeof parquetAsyncBuffer>>;
  let metadata;
  try {
    source = await parquetAsyncBuffer({ path: file });
    metadata = await hyparquet.parquetMetadataAsync(source.file);
  } catch (error) {
    return { event: coverage({ location: file, reason: 'manifest-unreadable', detail: `not a readable Parquet file: ${describe(error)}`, incomplete: true }) };
  }
  const columns = hyparquet.parquetSchema(metadata).children.map((child) => child.element.name);
  const keyColumn = columns.findIndex((c) => c.toLowerCase() === 'key');
  const file_ = source.file;
  const meta = metadata;
  async function* records(): AsyncGenerator<CsvOutput[]> {
    const options = resolveArchiveOptions({});
    const check = await checksum(file);
    try {
      const compressors = await guardedCompressors(file, options);
      let rowStart = 0;
      for (const [index, group] of meta.row_groups.entries()) {
        const rowEnd = rowStart + Number(group.num_rows);
        const refused = refuseGroup(group, index, file, options);
        if (refused) {
          const detail = refused.kind === 'coverage' ? refused.entry.detail : undefined;
          yield [{ event: coverage({ location: file, reason: 'manifest-unreadable', detail: detail ?? 'row group refused', incomplete: true }) }];
          return;
        }
        let rows: unknown[][] = [];
        await hyparquet.parquetRead({ file: file_, metadata: meta, rowStart, rowEnd, compressors, onComplete: (read) => (rows = read) });
        yield rows.map((row, i) => ({ fields: row.map((value, c) => text(value, c === keyColumn)), line: rowStart + i + 1 }));
        rowStart = rowEnd;
      }
    } catch (error) {
      yield [{ event: coverage({ location: file, reason: 'manifest-unreadable', detail: describe(error), incomplete: true }) }];
      return;
    } finally {
      await source.close();
    }
    if (opts.md5 !== undefined && check.md5 !== opts.md5.toLowerCase()) {
      yield [
        {
          event: coverage({ location: file, reason: 'manifest-data-checksum', detail: `MD5 ${check.md5} but the manifest says ${opts.md5}`, incomplete: true }),
        },
      ];
    } else if (opts.size !== undefined && check.size !== opts.size) {
      yield [
        {
          event: coverage({
            location: file,
            reason: 'manifest-data-checksum',
            detail: `${check.size} bytes but the manifest says ${opts.size}`,
            incomplete: true,
          }),
        },
      ];
    }
  }
  return { columns, records: records() };
}

function text(value: unknown, key: boolean): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  // CSV inventories URL-encode keys and the row mapper decodes them; Parquet ones write them as they are.
  if (key) return encodeURIComponent(String(value));
  return String(value);
}

async function checksum(file: string): Promise<{ md5: string; size: number }> {
  const md5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    size += chunk.length;
  }
  return { md5: md5.digest('hex'), size };
}
