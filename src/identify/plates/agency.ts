import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PlateSet } from '../../references/schema.js';
import { lazy } from '../../util/lazy.js';
import { safeName } from './hits.js';
import { plateDigest, plateKeyId } from './key.js';
import { plateShapes } from './matcher.js';
import { normalisePlate, PLATE_NORMALISATION } from './normalise.js';

const loadCsvParse = lazy(() => import('csv-parse'));

/**
 * The fingerprint side: reading the agency's plate-read exports (CSV/TSV with a header) and turning
 * the plates into a {@link PlateSet} of keyed digests. Plates exist in clear only in memory here.
 */

/** Header names recognised as the plate column, compared case-insensitively after trimming. */
export const PLATE_COLUMN_NAMES = ['plate', 'plate_number', 'plate_no', 'lpn', 'license_plate', 'licence_plate', 'registration', 'tag', 'vrm'] as const;

/** An agency plate file that cannot be used. The CLI maps it to exit code 2 with its message. */
export class AgencyPlatesError extends Error {
  override readonly name = 'AgencyPlatesError';
  constructor(
    message: string,
    /** `no-plate-column`, `column-not-found`, `empty` or `malformed`. */
    readonly reason: 'no-plate-column' | 'column-not-found' | 'empty' | 'malformed',
  ) {
    super(message);
  }
}

/** Plates read from one agency file. */
export interface AgencyPlates {
  /** Distinct normalised plates (v1). Secret: never print or write these. */
  plates: Set<string>;
  /** The header name of the plate column, as written. */
  column: string;
  /** Data rows read (header excluded). */
  rows: number;
  /** Rows whose plate cell did not normalise to a valid plate (empty, too long, other symbols). */
  invalid: number;
}

export interface ReadAgencyPlatesOptions {
  /** The plate column's header name (case-insensitive); default: the first of {@link PLATE_COLUMN_NAMES}. */
  column?: string;
}

const DELIMITERS = ['\t', ';', '|'] as const;

/** Delimiter of the header line: tab, semicolon or pipe when the line has more of it than commas. */
function delimiterOf(headerLine: string): string {
  const count = (d: string): number => headerLine.split(d).length - 1;
  let best = ',';
  for (const d of DELIMITERS) if (count(d) > count(best)) best = d;
  return best;
}

/** Header names for messages: digits or plates never appear, so a header-less file leaks nothing. */
const describeHeader = (header: readonly string[]): string => header.map((name, i) => safeName(name, false) ?? `#${i + 1}`).join(', ');

/**
 * Reads an agency plate file (CSV or TSV with a header row, streamed through csv-parse) and returns
 * its distinct normalised plates. Throws {@link AgencyPlatesError} when no plate column is found (the
 * message lists the header) or the file is not valid CSV; messages never contain cell values.
 */
export async function readAgencyPlates(stream: Readable, options: ReadAgencyPlatesOptions = {}): Promise<AgencyPlates> {
  const source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let headText = '';
  let done = false;
  while (!headText.includes('\n') && headText.length < 1 << 20) {
    const next = await source.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    headText += chunk.toString('utf8');
  }
  const delimiter = delimiterOf(headText.split('\n', 1)[0] ?? '');
  async function* replay(): AsyncGenerator<Buffer> {
    yield* head;
    if (done) return;
    for (let next = await source.next(); !next.done; next = await source.next()) {
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  }

  const plates = new Set<string>();
  let columnIndex = -1;
  let column = '';
  let rows = 0;
  let invalid = 0;
  const { parse } = await loadCsvParse();
  const parser = parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1 << 20 });
  try {
    await pipeline(replay, parser, async (records: AsyncIterable<string[]>) => {
      for await (const record of records) {
        if (columnIndex < 0) {
          columnIndex = findColumn(record, options.column);
          column = (record[columnIndex] ?? '').trim();
          continue;
        }
        rows++;
        const plate = normalisePlate(record[columnIndex] ?? '');
        if (plate === undefined) invalid++;
        else plates.add(plate);
      }
    });
  } catch (error) {
    if (error instanceof AgencyPlatesError) throw error;
    const { code, lines } = error as { code?: string; lines?: number };
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      // csv-parse messages quote cell text; only the code and line may reach the user.
      throw new AgencyPlatesError(`agency plate file is not valid CSV (${code} near line ${lines ?? '?'})`, 'malformed');
    }
    throw error;
  }
  if (columnIndex < 0) throw new AgencyPlatesError('agency plate file is empty (no header row)', 'empty');
  return { plates, column, rows, invalid };
}

function findColumn(header: readonly string[], wanted: string | undefined): number {
  const names = header.map((name) => name.trim().toLowerCase());
  if (wanted !== undefined) {
    const index = names.indexOf(wanted.trim().toLowerCase());
    if (index < 0) {
      throw new AgencyPlatesError(`no column named "${wanted}" in the agency plate file (columns: ${describeHeader(header)})`, 'column-not-found');
    }
    return index;
  }
  for (const candidate of PLATE_COLUMN_NAMES) {
    const index = names.indexOf(candidate);
    if (index >= 0) return index;
  }
  throw new AgencyPlatesError(
    `no plate column in the agency plate file (columns: ${describeHeader(header)}); expected one of ${PLATE_COLUMN_NAMES.join(', ')}, or name it`,
    'no-plate-column',
  );
}

/**
 * The fingerprint's plate set: sorted distinct HMAC-SHA-256 digests of normalised plates under `key`,
 * the key's identifier and where the plates came from. Plates that are not valid v1 plates are skipped.
 */
export function buildPlateSet(plates: Iterable<string>, key: Buffer, sources: PlateSet['sources']): PlateSet {
  const digests = new Set<string>();
  const valid: string[] = [];
  for (const plate of plates) {
    const normalised = normalisePlate(plate);
    if (normalised === undefined) continue;
    digests.add(plateDigest(key, normalised));
    valid.push(normalised);
  }
  return {
    algorithm: 'hmac-sha256',
    normalisation: PLATE_NORMALISATION,
    keyId: plateKeyId(key),
    digests: [...digests].sort(),
    shapes: plateShapes(valid),
    sources: [...sources].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.column < b.column ? -1 : a.column > b.column ? 1 : 0)),
  };
}
