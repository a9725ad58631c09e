import { describe, expect, it } from 'vitest';
import { decide, nearest, type QueryMeasurement } from '../../src/calibrate/measure.js';
import { type LabelledMeasurement, summarise } from '../../src/calibrate/summarise.js';

const hit = (reference: string, distance: number) => ({ reference, distance });
const measured = (direct?: [string, number], aligned?: [string, number]): QueryMeasurement => ({
  outcome: 'measured',
  quality: 90,
  ...(direct && { direct: hit(...direct) }),
  ...(aligned && { aligned: hit(...aligned) }),
});

/** A small labelled set with every kind of row: found near and far, aligned-only, wrong, missed, negatives. */
const rows: LabelledMeasurement[] = [
  { class: 'reencode', expected: 'a', measurement: measured(['a', 2]) },
  { class: 'thumbnail', expected: 'b', measurement: measured(['b', 20]) },
  { class: 'crop', expected: 'c', measurement: measured(['c', 40], ['c', 12]) },
  { class: 'crop', expected: 'a', measurement: measured(undefined, ['a', 28]) },
  { class: 'crop', expected: 'b', measurement: measured(['x', 30]) },
  { class: 'crop', expected: 'c', measurement: measured() },
  { class: 'blur', expected: 'a', measurement: { outcome: 'low-quality', quality: 20 } },
  { class: 'negative', measurement: measured(['a', 45]) },
  { class: 'negative', measurement: measured(undefined, ['b', 26]) },
  { class: 'negative', measurement: measured() },
  { class: 'negative', measurement: { outcome: 'undecodable', quality: 0, detail: 'corrupt' } },
];

describe('decide and nearest', () => {
  it('replays the audit: the direct hit when within the threshold, else the aligned one', () => {
    const m = measured(['c', 40], ['d', 12]);
    expect(decide(m, 47)).toEqual(hit('c', 40));
    expect(decide(m, 31)).toEqual(hit('d', 12));
    expect(decide(m, 11)).toBeUndefined();
    expect(nearest(m)).toEqual(hit('d', 12));
  });
});

describe('summarise', () => {
  const result = summarise(rows);

  it('band counts and the beyond row add up to every query', () => {
    const inBands = result.bands.reduce((s, b) => s + b.correct + b.wrong + b.negatives, 0);
    expect(inBands + result.beyond.positives + result.beyond.negatives).toBe(rows.length);
    expect(result.bands.reduce((s, b) => s + b.correct + b.wrong, 0) + result.beyond.positives).toBe(result.totals.positives);
    expect(result.bands.map((b) => `${b.from}-${b.to}`)).toEqual(['0-7', '8-15', '16-23', '24-31', '32-39', '40-47']);
    expect(result.bands.map((b) => [b.correct, b.wrong, b.negatives])).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [1, 0, 0],
      [1, 1, 1],
      [0, 0, 0],
      [0, 0, 1],
    ]);
  });

  it('gives recall and precision at each band top, cumulatively', () => {
    expect(result.bands.map((b) => b.atTop.recall)).toEqual([1 / 7, 2 / 7, 3 / 7, 4 / 7, 4 / 7, 4 / 7]);
    expect(result.bands[3]!.atTop).toEqual({ recall: 4 / 7, precision: 4 / 6, falseClaims: 2 });
    expect(result.bands[5]!.atTop.falseClaims).toBe(3);
  });

  it('reports the headline and per-class figures at the default threshold 31', () => {
    expect(result.threshold).toBe(31);
    expect(result.totals).toEqual({ queries: 11, positives: 7, negatives: 4, lowQuality: 1, failed: 1 });
    expect(result.recall).toBe(4 / 7);
    expect(result.precision).toBe(4 / 6);
    expect(result.falseMatchRate).toBe(1 / 4);
    expect(result.classes.map((c) => c.class)).toEqual(['blur', 'crop', 'negative', 'reencode', 'thumbnail']);
    const crop = result.classes.find((c) => c.class === 'crop')!;
    expect(crop).toMatchObject({ positives: 4, found: 2, wrongReference: 1, recall: 0.5 });
    expect(result.classes.find((c) => c.class === 'negative')).toMatchObject({ negatives: 4, falseMatches: 1, failed: 1, recall: null });
  });

  it('honours a custom threshold and bands, and rejects unordered bands', () => {
    const strict = summarise(rows, { threshold: 15, bandTops: [15, 31] });
    expect(strict.recall).toBe(2 / 7);
    expect(strict.falseMatchRate).toBe(0);
    expect(strict.bands.map((b) => [b.from, b.to])).toEqual([
      [0, 15],
      [16, 31],
    ]);
    expect(() => summarise(rows, { bandTops: [15, 7] })).toThrow(RangeError);
  });
});
