import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../util/errors.js';

/**
 * The labelled set for `custody calibrate <labels.csv>`: CSV with a header row and the columns
 *
 * | column      | required | meaning                                                                  |
 * |-------------|----------|--------------------------------------------------------------------------|
 * | `query`     | yes      | image path, relative to the CSV's folder (or absolute)                   |
 * | `reference` | yes      | the reference id (as in the fingerprint file) the image is a copy of; empty for a negative, an image that must match nothing |
 * | `class`     | no       | a label for per-class figures (`crop`, `thumbnail`, `negative-vehicle`); defaults to `copy` or `negative` |
 *
 * Column order is free, names are case-insensitive, extra columns are ignored, `#` starts a
 * comment line.
 */
export const LABEL_COLUMNS = ['query', 'reference', 'class'] as const;

/** One row of the labelled set. */
export interface LabelRow {
  /** As written in the CSV. */
  query: string;
  /** Absolute path of the query image. */
  path: string;
  expected?: string;
  class: string;
  /** 1-based line in the CSV, for messages. */
  line: number;
}

/** Default classes for rows without one. */
export const DEFAULT_POSITIVE_CLASS = 'copy';
export const DEFAULT_NEGATIVE_CLASS = 'negative';

/**
 * Parses labelled-set CSV text. `file` names the CSV in errors and anchors relative query paths.
 * Throws InputError (pointing at the line) for a missing column or an empty query; messages
 * quote no cell values beyond the header, since paths may be named after plates.
 */
export function parseLabels(text: string, file: string): LabelRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // `info` gives each record's line (the last line of a record with quoted newlines).
    records = parse(text, { bom: true, comment: '#', skip_empty_lines: true, relax_column_count: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number };
    throw new InputError(file, `labels are not valid CSV (${code ?? 'parse error'}${lines === undefined ? '' : ` near line ${lines}`})`);
  }
  const header = records[0]?.record;
  if (!header) throw new InputError(file, `labels file is empty (expected a header: ${LABEL_COLUMNS.join(',')})`);
  const names = header.map((h) => h.toLowerCase());
  const col = (name: string): number => names.indexOf(name);
  const [queryCol, referenceCol, classCol] = LABEL_COLUMNS.map(col) as [number, number, number];
  if (queryCol < 0 || referenceCol < 0) throw new InputError(file, `labels need the columns query and reference (found: ${names.join(', ')})`);
  const dir = path.dirname(path.resolve(file));
  return records.slice(1).map(({ record, info }) => {
    const line = info.lines;
    const query = record[queryCol] ?? '';
    if (query === '') throw new InputError(`${file}:${line}`, 'empty query path');
    const expected = record[referenceCol] ?? '';
    const label = classCol >= 0 ? (record[classCol] ?? '') : '';
    return {
      query,
      path: path.resolve(dir, query),
      ...(expected !== '' && { expected }),
      class: label !== '' ? label : expected !== '' ? DEFAULT_POSITIVE_CLASS : DEFAULT_NEGATIVE_CLASS,
      line,
    };
  });
}
