import { readFile } from 'node:fs/promises';
import { loadFingerprints } from '../references/load.js';
import type { Reference } from '../references/schema.js';
import { describeError, errorCode, InputError } from '../util/errors.js';
import { parseLabels } from './labels.js';
import { CalibrationMatcher, type QueryMeasurement } from './measure.js';
import { type CalibrationResult, DEFAULT_BAND_TOPS, type LabelledMeasurement, type SummariseOptions, summarise } from './summarise.js';

/** One labelled query image. */
export interface LabelledQuery {
  /** The reference id this image is a copy of; undefined for a negative (must match nothing). */
  expected?: string;
  /** Grouping for per-class figures. */
  class: string;
  /** The image bytes, or a loader (so a large set is not held in memory at once). */
  content: Uint8Array | (() => Promise<Uint8Array>);
}

export interface CalibrateOptions extends SummariseOptions {
  /** Queries decoded at once; decoding runs on libuv threads while the previous query is matched. */
  concurrency?: number;
}

/**
 * Measures every labelled query through the audit's decode and match path against `references`
 * (fingerprint-file references, hashed by `referenceHashes`) and summarises recall, precision and
 * the distance-band table. A query that cannot be read or decoded counts as not found.
 */
export async function calibrate(
  labelled: readonly LabelledQuery[],
  references: readonly Reference[],
  options: CalibrateOptions = {},
): Promise<CalibrationResult> {
  const tops = options.bandTops ?? DEFAULT_BAND_TOPS;
  const matcher = new CalibrationMatcher(references, Math.max(tops.at(-1) ?? 0, options.threshold ?? 0), tops[0]);
  const measured: LabelledMeasurement[] = new Array(labelled.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < labelled.length; i = next++) {
      const query = labelled[i]!;
      measured[i] = { class: query.class, ...(query.expected !== undefined && { expected: query.expected }), measurement: await measureQuery(matcher, query) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return summarise(measured, options);
}

async function measureQuery(matcher: CalibrationMatcher, query: LabelledQuery): Promise<QueryMeasurement> {
  let bytes: Uint8Array;
  try {
    bytes = typeof query.content === 'function' ? await query.content() : query.content;
  } catch (error) {
    return { outcome: 'unreadable', quality: 0, detail: errorCode(error) ?? describeError(error) };
  }
  return matcher.measure(bytes);
}

/**
 * `custody calibrate <labels.csv> --fingerprints <file...>`: reads the labelled set (format in
 * labels.ts), loads the fingerprint files as an audit does, and calibrates. Throws InputError for an
 * unusable labels or fingerprint file, or a label naming a reference id the fingerprints lack.
 */
export async function runCalibration(labelsCsvPath: string, fingerprintFiles: readonly string[], options: CalibrateOptions = {}): Promise<CalibrationResult> {
  let text: string;
  try {
    text = await readFile(labelsCsvPath, 'utf8');
  } catch (error) {
    throw new InputError(labelsCsvPath, `cannot read labels (${errorCode(error) ?? describeError(error)})`);
  }
  const rows = parseLabels(text, labelsCsvPath);
  const index = await loadFingerprints(fingerprintFiles, { keepViews: true });
  const known = new Set(index.references.map((r) => r.id));
  for (const row of rows) {
    if (row.expected !== undefined && !known.has(row.expected))
      throw new InputError(`${labelsCsvPath}:${row.line}`, 'reference id not found in the fingerprint files');
  }
  const labelled = rows.map(
    (row): LabelledQuery => ({ class: row.class, ...(row.expected !== undefined && { expected: row.expected }), content: () => readFile(row.path) }),
  );
  return calibrate(labelled, index.references, options);
}
