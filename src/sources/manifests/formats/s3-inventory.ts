import { basename } from 'node:path';
import type { SourceEvent } from '../../item.js';
import { type CsvOutput, type OpenCsv, openCsvRecords } from '../csv-records.js';
import { dataFileCoverage, resolveDataFile } from '../data-file.js';
import { coverage, notice, parseDate } from '../events.js';
import { guardedGroups, ungroup } from '../guard.js';
import { isGzip } from '../head.js';
import { field, headText, inventoryManifest, str } from '../json-file.js';
import { csvColumnName, parquetRecords } from '../parquet-records.js';
import { type RowMapper, type SkipCounts, s3RowMapper } from '../s3-inventory-row.js';
import type { ManifestFormat, ManifestOptions } from '../types.js';

/**
 * AWS S3 Inventory, read from its `manifest.json`: the `manifest.checksum` beside it is verified,
 * each CSV data file in `files[]` is found locally (see resolveDataFile), MD5-checked and streamed.
 * `creationTimestamp` becomes every item's `asOf`. Parquet data files are read with hyparquet (their
 * columns named by the file's own schema); ORC ones are reported as not inspected: no maintained
 * JavaScript ORC reader exists.
 */
export const s3Inventory: ManifestFormat = {
  id: 's3-inventory',
  title: 'AWS S3 Inventory (manifest.json + CSV or Parquet data files)',
  detect(head) {
    const text = headText(head);
    return text.includes('"sourceBucket"') && (text.includes('"fileSchema"') || text.includes('"files"'));
  },
  read: (path, opts) => ungroup(readGroups(path, opts)),
  readGroups,
};

function readGroups(path: string, opts: ManifestOptions): AsyncIterable<readonly SourceEvent[]> {
  return guardedGroups(path, 'manifest-unreadable', readInventory(path, opts), opts.signal);
}

/** CSV parts read ahead of the one being parsed: each holds at most 8 MiB decompressed while it waits. */
const PARTS_AHEAD = 2;

/** A data file of the manifest: not readable (its coverage), or found, its CSV reading started. */
type OpenedPart = { event: SourceEvent } | { local: string; expected: { md5?: string; size?: number }; csv: OpenCsv | undefined };

async function openPart(path: string, f: unknown, csv: boolean): Promise<OpenedPart> {
  const key = str(f, 'key');
  const found = key === undefined ? undefined : await resolveDataFile(path, key);
  if (found?.kind !== 'found') return { event: dataFileCoverage(key ?? path, found, `data file listed in ${basename(path)} not found locally`) };
  const md5 = str(f, 'MD5checksum');
  const size = field(f, 'size');
  const expected = { ...(md5 ? { md5 } : {}), ...(typeof size === 'number' ? { size } : {}) };
  return { local: found.file, expected, csv: csv ? openCsvRecords(found.file, { gzip: await isGzip(found.file), ...expected }) : undefined };
}

/** The inventory's events in groups: one per parsed slice of a data file, one for each other event. */
async function* readInventory(path: string, opts: ManifestOptions): AsyncGenerator<readonly SourceEvent[]> {
  const head = inventoryManifest(path, opts.maxJsonBytes, 'manifest.checksum');
  let step = await head.next();
  for (; !step.done; step = await head.next()) yield [step.value];
  const manifest = step.value;
  if (manifest === undefined) return;
  const created = str(manifest, 'creationTimestamp');
  const asOf = (created !== undefined && /^\d+$/.test(created) ? parseDate(Number(created)) : undefined) ?? opts.asOf;
  if (asOf === undefined) yield [notice(path, 'warning', 'S3 inventory has no creationTimestamp: retention cannot be measured')];
  const format = str(manifest, 'fileFormat') ?? 'CSV';
  const files = field(manifest, 'files');
  const schema = str(manifest, 'fileSchema');
  if (!Array.isArray(files)) {
    yield [coverage({ location: path, reason: 'manifest-unreadable', detail: 'no files[] list', incomplete: true })];
    return;
  }
  const parquet = format.toUpperCase() === 'PARQUET';
  if ((format.toUpperCase() !== 'CSV' && !parquet) || (schema === undefined && !parquet)) {
    for (const f of files) {
      const detail =
        schema === undefined
          ? 'manifest has no fileSchema, so the CSV columns are unknown'
          : `${format} inventory data files are not supported (no well-kept ${format} reader in custody's dependencies); configure the inventory as CSV`;
      yield [coverage({ location: str(f, 'key') ?? path, reason: 'manifest-unsupported', detail, incomplete: true })];
    }
    return;
  }
  const skips: SkipCounts = { deleteMarkers: 0, folderMarkers: 0 };
  const csvMapper =
    schema === undefined || parquet
      ? undefined
      : s3RowMapper(
          schema.split(',').map((c) => c.trim()),
          asOf,
          skips,
        );
  let objects = 0;
  // Parts are read in manifest order; the next PARTS_AHEAD CSV parts start reading and
  // decompressing (on the threadpool) while this one is parsed.
  const opened: Promise<OpenedPart>[] = [];
  const open = (i: number): void => {
    if (i >= files.length || opened[i] !== undefined) return;
    const part = openPart(path, files[i], csvMapper !== undefined);
    // A part opened ahead that fails is reported at its turn, not as an unhandled rejection now.
    part.catch(() => undefined);
    opened[i] = part;
  };
  try {
    for (let i = 0; i < files.length; i++) {
      for (let k = i; k <= i + PARTS_AHEAD; k++) open(k);
      const part = await opened[i]!;
      if ('event' in part) {
        yield [part.event];
        continue;
      }
      let mapRow: RowMapper;
      let records: AsyncGenerator<CsvOutput[]>;
      if (csvMapper && part.csv) {
        mapRow = csvMapper;
        records = part.csv.records;
      } else {
        const parquetPart = await parquetRecords(part.local, part.expected);
        if ('event' in parquetPart) {
          yield [parquetPart.event];
          continue;
        }
        mapRow = s3RowMapper(parquetPart.columns.map(csvColumnName), asOf, skips);
        records = parquetPart.records;
      }
      for await (const batch of records) {
        const out: SourceEvent[] = [];
        for (const rec of batch) {
          if ('event' in rec) out.push(rec.event);
          else mapRow(rec.fields, part.local, rec.line, out);
        }
        for (const event of out) if (event.kind === 'item') objects += 1;
        yield out;
      }
    }
  } finally {
    // Parts opened ahead and never reached (the reader stopped early) must not keep their files open.
    for (const part of opened) {
      part?.then(
        (p) => ('csv' in p ? p.csv?.close() : undefined),
        () => undefined,
      );
    }
  }
  const bucket = str(manifest, 'sourceBucket') ?? '?';
  const skipped =
    skips.deleteMarkers + skips.folderMarkers > 0 ? `; skipped ${skips.deleteMarkers} delete marker(s) and ${skips.folderMarkers} folder marker(s)` : '';
  yield [notice(path, 'info', `S3 inventory of bucket ${bucket}${asOf ? ` as of ${asOf.toISOString()}` : ''}: ${objects} object(s)${skipped}`)];
}
