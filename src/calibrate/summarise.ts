import { MATCH_THRESHOLD } from '../identify/pdq/match-settings.js';
import { compareStrings } from '../util/compare.js';
import { decide, nearest, type QueryMeasurement, type StageHit } from './measure.js';

/** Upper bounds (inclusive) of the default distance bands: 0-7, 8-15, ... 40-47. */
export const DEFAULT_BAND_TOPS: readonly number[] = [7, 15, 23, 31, 39, 47];

/** One measured query with its label. */
export interface LabelledMeasurement {
  /** Reference id the query is a copy of; undefined for a negative (it must match nothing). */
  expected?: string;
  /** Grouping for per-class figures (a robustness class, or a kind of negative). */
  class: string;
  measurement: QueryMeasurement;
}

/** Per-class figures at the chosen threshold. */
export interface ClassSummary {
  class: string;
  positives: number;
  negatives: number;
  /** Positives claimed for their own reference. */
  found: number;
  /** Positives claimed for some other reference (a false claim as well as a miss). */
  wrongReference: number;
  /** Negatives claimed for any reference. */
  falseMatches: number;
  lowQuality: number;
  /** Undecodable or unreadable queries. */
  failed: number;
  /** found / positives; null without positives. */
  recall: number | null;
}

/** One distance band: where queries' nearest hits fall, and the audit's figures at its top. */
export interface BandRow {
  from: number;
  to: number;
  /** Positives whose nearest hit, in this band, is their own reference. */
  correct: number;
  /** Positives whose nearest hit, in this band, is another reference. */
  wrong: number;
  /** Negatives whose nearest hit is in this band. */
  negatives: number;
  /** Recall and precision if the threshold were `to` (cumulative). */
  atTop: { recall: number | null; precision: number | null; falseClaims: number };
}

/** The whole calibration: headline at the chosen threshold, per class, and per band. */
export interface CalibrationResult {
  threshold: number;
  totals: { queries: number; positives: number; negatives: number; lowQuality: number; failed: number };
  /** Share of positives claimed for their own reference; null without positives. */
  recall: number | null;
  /** Correct claims / all claims; null when nothing was claimed. */
  precision: number | null;
  /** Share of negatives claimed for any reference; null without negatives. */
  falseMatchRate: number | null;
  classes: ClassSummary[];
  bands: BandRow[];
  /** Queries with no hit within the top band (or not measurable): positives and negatives. */
  beyond: { positives: number; negatives: number };
  /** Claims at the threshold by the matching stage that made them, with the distances it claimed at. */
  stages: StageRow[];
}

/** The claims one matching stage makes at the threshold: whole image, crop-aligned, or a region inside the query. */
export interface StageRow {
  stage: 'direct' | 'aligned' | 'subimage';
  /** Claims for the expected reference. */
  correct: number;
  /** Claims for a negative or for another reference. */
  false: number;
  /** Smallest and largest distance among the correct claims (null without any). */
  correctDistances: [number, number] | null;
  /** Smallest and largest distance among the false claims (null without any). */
  falseDistances: [number, number] | null;
}

/** Which stage's hit `decide` returned. */
function stageOf(m: QueryMeasurement, hit: StageHit): StageRow['stage'] {
  return hit === m.direct ? 'direct' : hit === m.aligned ? 'aligned' : 'subimage';
}

function stageRows(rows: readonly LabelledMeasurement[], threshold: number): StageRow[] {
  const out = (['direct', 'aligned', 'subimage'] as const).map(
    (stage): StageRow => ({ stage, correct: 0, false: 0, correctDistances: null, falseDistances: null }),
  );
  const widen = (range: [number, number] | null, d: number): [number, number] => (range ? [Math.min(range[0], d), Math.max(range[1], d)] : [d, d]);
  for (const row of rows) {
    const hit = decide(row.measurement, threshold);
    if (!hit) continue;
    const s = out.find((r) => r.stage === stageOf(row.measurement, hit))!;
    if (row.expected !== undefined && hit.reference === row.expected) {
      s.correct++;
      s.correctDistances = widen(s.correctDistances, hit.distance);
    } else {
      s.false++;
      s.falseDistances = widen(s.falseDistances, hit.distance);
    }
  }
  return out;
}

export interface SummariseOptions {
  /** Decision threshold for the headline and per-class figures (default MATCH_THRESHOLD). */
  threshold?: number;
  /** Inclusive band upper bounds, ascending (default DEFAULT_BAND_TOPS). */
  bandTops?: readonly number[];
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

interface Claims {
  correct: number;
  false: number;
}

/** Claims the audit would make at `threshold`: correct ones, and false ones (negatives or wrong reference). */
function claimsAt(rows: readonly LabelledMeasurement[], threshold: number): Claims {
  const claims: Claims = { correct: 0, false: 0 };
  for (const row of rows) {
    const hit = decide(row.measurement, threshold);
    if (!hit) continue;
    if (row.expected !== undefined && hit.reference === row.expected) claims.correct++;
    else claims.false++;
  }
  return claims;
}

/** Turns measurements into the calibration tables. Pure and deterministic (classes sorted by name). */
export function summarise(rows: readonly LabelledMeasurement[], options: SummariseOptions = {}): CalibrationResult {
  const threshold = options.threshold ?? MATCH_THRESHOLD;
  const tops = [...(options.bandTops ?? DEFAULT_BAND_TOPS)];
  if (tops.some((t, i) => !Number.isInteger(t) || t < 0 || (i > 0 && t <= tops[i - 1]!)))
    throw new RangeError('band tops must be ascending non-negative integers');
  const positives = rows.filter((r) => r.expected !== undefined).length;
  const negatives = rows.length - positives;
  const classes = new Map<string, ClassSummary>();
  for (const row of rows) {
    let c = classes.get(row.class);
    if (!c)
      classes.set(
        row.class,
        (c = { class: row.class, positives: 0, negatives: 0, found: 0, wrongReference: 0, falseMatches: 0, lowQuality: 0, failed: 0, recall: null }),
      );
    const m = row.measurement;
    if (row.expected !== undefined) c.positives++;
    else c.negatives++;
    if (m.outcome === 'low-quality') c.lowQuality++;
    if (m.outcome === 'undecodable' || m.outcome === 'unreadable') c.failed++;
    const hit = decide(m, threshold);
    if (!hit) continue;
    if (row.expected === undefined) c.falseMatches++;
    else if (hit.reference === row.expected) c.found++;
    else c.wrongReference++;
  }
  for (const c of classes.values()) c.recall = ratio(c.found, c.positives);

  const bands: BandRow[] = tops.map((to, i) => ({
    from: i === 0 ? 0 : tops[i - 1]! + 1,
    to,
    correct: 0,
    wrong: 0,
    negatives: 0,
    atTop: { recall: null, precision: null, falseClaims: 0 },
  }));
  const beyond = { positives: 0, negatives: 0 };
  for (const row of rows) {
    const hit = nearest(row.measurement);
    const band = hit ? bands.find((b) => hit.distance <= b.to) : undefined;
    if (!hit || !band) {
      if (row.expected === undefined) beyond.negatives++;
      else beyond.positives++;
    } else if (row.expected === undefined) band.negatives++;
    else if (hit.reference === row.expected) band.correct++;
    else band.wrong++;
  }
  for (const band of bands) {
    const at = claimsAt(rows, band.to);
    band.atTop = { recall: ratio(at.correct, positives), precision: ratio(at.correct, at.correct + at.false), falseClaims: at.false };
  }

  const headline = claimsAt(rows, threshold);
  const falseNegativeClaims = rows.filter((r) => r.expected === undefined && decide(r.measurement, threshold)).length;
  const all = [...classes.values()];
  return {
    threshold,
    totals: {
      queries: rows.length,
      positives,
      negatives,
      lowQuality: all.reduce((s, c) => s + c.lowQuality, 0),
      failed: all.reduce((s, c) => s + c.failed, 0),
    },
    recall: ratio(headline.correct, positives),
    precision: ratio(headline.correct, headline.correct + headline.false),
    falseMatchRate: ratio(falseNegativeClaims, negatives),
    classes: all.sort((a, b) => compareStrings(a.class, b.class)),
    bands,
    beyond,
    stages: stageRows(rows, threshold),
  };
}
