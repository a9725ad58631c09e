import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { lazy } from '../../util/lazy.js';
import { coverageEvent, failureCoverage } from '../archives/errors.js';
import type { Level, Walk } from '../archives/walk.js';
import type { SourceEvent } from '../item.js';
import type { RandomAccessInput } from './format.js';
import { guardedCompressors } from './parquet-codecs.js';
import { parquetAsyncBuffer, refuseGroup } from './parquet-file.js';
import { CsvParts, MemberBudget, ReadClock } from './table-members.js';

/** Reading time per file (checked between row groups): past it the rest is coverage, never a hang. */
export const PARQUET_READ_MS = 60_000;
/** Binary cells shorter than this cannot be an image or an archive: valid UTF-8 ones are CSV cells. */
const SMALL_BINARY_BYTES = 64;

const loadHyparquet = lazy(() => import('hyparquet'));
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens a Parquet file and yields its rows as CSV members (`x.parquet!/rows`, the top-level column
 * names as header; nested values as JSON) and each binary cell that is not text as a member
 * (`x.parquet!/rows/row-12/thumbnail`). Read one row group at a time; a row group whose declared
 * sizes break the ratio or buffer limits is coverage before anything of it is decoded.
 */
export async function* expandParquet(input: RandomAccessInput, level: Level, walk: Walk): AsyncGenerator<SourceEvent> {
  let source;
  try {
    source = await parquetAsyncBuffer(input);
  } catch (error) {
    return yield failureCoverage(level.location, error);
  }
  try {
    const hyparquet = await loadHyparquet();
    let metadata: FileMetaData;
    try {
      metadata = await hyparquet.parquetMetadataAsync(source.file);
    } catch (error) {
      return yield await unreadable(level, source.file, error);
    }
    const columns = hyparquet.parquetSchema(metadata).children.map((child) => child.element.name);
    const parts = new CsvParts('rows', columns, walk.options.maxMemberBufferBytes);
    const budget = new MemberBudget(level, walk);
    const clock = new ReadClock(PARQUET_READ_MS);
    const compressors = await guardedCompressors(level.location, walk.options);
    let rowStart = 0;
    for (const [index, group] of metadata.row_groups.entries()) {
      const rowEnd = rowStart + Number(group.num_rows);
      const refused = refuseGroup(group, index, level.location, walk.options);
      if (refused) {
        yield refused;
        break;
      }
      let rows: unknown[][] = [];
      try {
        await clock.timeAsync(() =>
          hyparquet.parquetRead({ file: source.file, metadata, rowStart, rowEnd, utf8: false, compressors, onComplete: (read) => (rows = read) }),
        );
      } catch (error) {
        yield describeFailure(level, error, index);
        break;
      }
      for (const [i, row] of rows.entries()) {
        const cells: string[] = [];
        for (const [c, value] of row.entries()) {
          const text = cellText(value);
          cells.push(text ?? '');
          if (text === undefined && value instanceof Uint8Array) yield* budget.member(`rows/row-${rowStart + i + 1}/${columns[c]}`, Buffer.from(value));
        }
        const full = parts.add(cells);
        if (full) yield* budget.member(full.name, full.bytes);
        if (budget.stopped || walk.stopped) return;
      }
      rowStart = rowEnd;
      if (clock.expired && index + 1 < metadata.row_groups.length) {
        const detail = `parquet: not read past row group ${index + 1} of ${metadata.row_groups.length}: reading took over ${PARQUET_READ_MS} ms`;
        yield coverageEvent({ location: level.location, reason: 'container-timeout', detail, incomplete: true });
        break;
      }
    }
    const last = parts.flush();
    if (last) yield* budget.member(last.name, last.bytes);
  } finally {
    await source.close();
  }
}

/** A cell as CSV text; undefined for binary that is a member of its own (or empty). */
function cellText(value: unknown): string | undefined {
  if (value === null || value === undefined) return '';
  if (value instanceof Uint8Array) {
    if (value.length === 0 || value.length >= SMALL_BINARY_BYTES) return value.length === 0 ? '' : undefined;
    try {
      return utf8.decode(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'object')
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? bytesText(v) : v));
  return String(value);
}

const bytesText = (bytes: Uint8Array): string => {
  try {
    return utf8.decode(bytes);
  } catch {
    return '';
  }
};

/** Why the footer could not be read: encrypted (footer magic PARE), or corrupt. */
async function unreadable(level: Level, file: AsyncBuffer, error: unknown): Promise<SourceEvent> {
  const tail = file.byteLength >= 4 ? Buffer.from(await file.slice(file.byteLength - 4)) : Buffer.alloc(0);
  if (tail.toString('latin1') === 'PARE') {
    return coverageEvent({
      location: level.location,
      reason: 'encrypted',
      detail: 'parquet: encrypted footer (modular encryption); not read',
      incomplete: true,
    });
  }
  return describeFailure(level, error);
}

function describeFailure(level: Level, error: unknown, group?: number): SourceEvent {
  if (!(error instanceof Error) || error.name === 'ArchiveLimitError') return failureCoverage(level.location, error);
  const where = group === undefined ? 'footer' : `row group ${group + 1}`;
  return coverageEvent({ location: level.location, reason: 'corrupt-archive', detail: `parquet: ${where} not read: ${error.message}`, incomplete: true });
}
