import { describe, expect, it } from 'vitest';
import type { Identification } from '../../src/identify/detector.js';
import { assetOf, mergeIdentifications } from '../../src/merge/identifications.js';
import { checkSplits } from '../../src/merge/split-checks.js';
import type { Asset, Report } from '../../src/report/model.js';

const exact = (reference: string, asset = 'traveler-image'): Identification => ({ asset, method: 'exact', reference, evidence: { sha256: 'ab', size: 10 } });
const perceptual = (reference: string, distance: number, transform = 'full/r0', asset = 'vehicle-image'): Identification => ({
  asset,
  method: 'perceptual',
  reference,
  evidence: { distance, threshold: 31, quality: 90, variant: 'full', transform, tiles: '9/9 within 40 bits' },
});
const record: Identification = { asset: 'plate-record', method: 'record', evidence: { records: 3, format: 'csv', where: ['plate'], keyId: 'k' } };
const unverifiable = (count: number, classes: string[]): Identification => ({
  asset: classes.length === 1 ? classes[0]! : 'unknown',
  method: 'unverifiable',
  evidence: { reason: 'multipart ETag', size: 10, sameSizeReferences: count, candidateClasses: classes },
});

/** The reduction of the splits' identifications at one location, by each detector's own rule. */
describe('merging reference splits: which match the single run would report', () => {
  it('exact: the lowest reference id, whatever split it came from', () => {
    expect(mergeIdentifications([[exact('b/2.jpg')], [], [exact('a/1.jpg')]])).toEqual([exact('a/1.jpg')]);
  });

  it('perceptual: a whole-image match beats a crop-aligned one even at a larger distance, then distance, then id', () => {
    const aligned = perceptual('a.jpg', 2, 'full/r0/aligned:10,10,5,5');
    expect(mergeIdentifications([[aligned], [perceptual('z.jpg', 20)]])).toEqual([perceptual('z.jpg', 20)]);
    expect(mergeIdentifications([[perceptual('a.jpg', 9)], [perceptual('z.jpg', 4)]])).toEqual([perceptual('z.jpg', 4)]);
    expect(mergeIdentifications([[perceptual('z.jpg', 4)], [perceptual('a.jpg', 4)]])).toEqual([perceptual('a.jpg', 4)]);
    expect(mergeIdentifications([[perceptual('c.jpg', 8, 'x/aligned:1')], [perceptual('d.jpg', 3, 'x/aligned:2')]])).toEqual([
      perceptual('d.jpg', 3, 'x/aligned:2'),
    ]);
  });

  it("keeps one match per detector, in detector order; plate records are every split's same", () => {
    const merged = mergeIdentifications([
      [record, perceptual('p.jpg', 6)],
      [exact('e.jpg'), perceptual('q.jpg', 1), record],
    ]);
    expect(merged).toEqual([exact('e.jpg'), perceptual('q.jpg', 1), record]);
  });

  it('unverifiable: one candidate over all splits (counts add, classes unite), never beside an exact match', () => {
    const merged = mergeIdentifications([[unverifiable(2, ['traveler-image'])], [unverifiable(1, ['vehicle-image'])]]);
    expect(merged).toEqual([unverifiable(3, ['traveler-image', 'vehicle-image'])]);
    expect(merged[0]!.asset).toBe('unknown');
    expect(mergeIdentifications([[unverifiable(2, ['traveler-image'])], [exact('x.jpg')]])).toEqual([exact('x.jpg')]);
  });

  it("builds the asset as a single run does: the strongest match, the others in alsoMatched, the item's own facts kept", () => {
    const seen: Asset = {
      location: 'share/a.jpg',
      origin: 'filesystem',
      asset: 'vehicle-image',
      method: 'perceptual',
      reference: 'q.jpg',
      size: 10,
      sha256: 'ab',
      evidence: { ...perceptual('q.jpg', 1).evidence, capturedAt: '2026-01-01T00:00:00.000Z', capturedAtField: 'DateTimeOriginal' },
    };
    const asset = assetOf([exact('e.jpg'), perceptual('q.jpg', 1)], seen);
    expect(asset).toEqual({
      location: 'share/a.jpg',
      origin: 'filesystem',
      asset: 'traveler-image',
      method: 'exact',
      reference: 'e.jpg',
      size: 10,
      sha256: 'ab',
      evidence: {
        sha256: 'ab',
        size: 10,
        capturedAt: '2026-01-01T00:00:00.000Z',
        capturedAtField: 'DateTimeOriginal',
        alsoMatched: [{ method: 'perceptual', asset: 'vehicle-image', reference: 'q.jpg' }],
      },
    });
  });
});

describe('merging reference splits: a damaged split field', () => {
  it('is refused in one line, never read as it is', () => {
    const damaged = (references: unknown) => ({ format: 'custody-report', version: 1, findings: [], assets: [], references }) as unknown as Report;
    const policy = { contract: {} };
    for (const references of [
      { index: 1, count: 1, now: 'x', policy, identified: 'nope' },
      { index: 2, count: 1, now: 'x', policy, identified: [] },
      { index: 1, count: 1, now: 'x', policy: null, identified: [] },
      { index: 1, count: 1, now: 'x', policy, identified: [{ location: 'a', identifications: [{ method: 'exact' }] }] },
    ]) {
      expect(() => checkSplits([damaged(references)])).toThrow(/^report 1 has a damaged reference-split field: not a report custody wrote$/);
    }
  });
});
