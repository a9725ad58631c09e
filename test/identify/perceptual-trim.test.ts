import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FilteredPlane } from '../../src/identify/pdq/filtered-plane.js';
import { HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { HASH_WORDS, hamming } from '../../src/identify/pdq/hash256.js';
import { MATCH_THRESHOLD } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { buildPdqIndex } from '../../src/identify/pdq/pdq-index.js';
import { queryViews, trimViews } from '../../src/identify/pdq/views.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { findRectangles, inQuery } from '../../src/identify/subimage/rectangles.js';
import { RoughGate } from '../../src/identify/subimage/rough-gate.js';
import { columnsFromReferences } from '../../src/references/columns.js';
import { bridge, decoded, fixtures, reference, unrelated } from './support/perceptual.js';

// A large set indexes only its core crops (pdq-index.ts); copies cut on one side are looked for
// through trim views. These are the three ways the robustness bench with a million distractors lost
// such copies (scripts/bench/robustness-1m-trace.js), each forced here with a core-only index.
async function coreOnly() {
  const real = [await reference('refs/bridge.jpg', bridge), await reference('refs/q2821.jpg', readFileSync(path.join(fixtures, 'q2821.jpg')))];
  const { columns, tables } = columnsFromReferences(real);
  const index = buildPdqIndex(columns, tables, undefined, 0);
  expect(index.core).toBe(true);
  return index;
}

/** The bridge with `left` pixels cut off its left side, in a flat frame of `frame` pixels. */
async function cutLeft(left: number, frame = 0): Promise<Buffer> {
  const cut = await sharp(bridge)
    .extract({ left, top: 0, width: 640 - left, height: 402 })
    .png()
    .toBuffer();
  if (frame === 0) return sharp(cut).jpeg().toBuffer();
  return sharp(cut).extend({ top: frame, bottom: frame, left: frame, right: frame, background: '#202020' }).jpeg().toBuffer();
}

describe('trim views of a set that indexes only its core crops', () => {
  it('fits a trim view that lands past the threshold to its stored crop: a copy cut 7.5% (not 10%) on one side', async () => {
    const index = await coreOnly();
    const matcher = new PerceptualMatcher(index);
    const image = await decoded(await cutLeft(48));
    // The raw trim views are all past the threshold: only fitting them finds the copy.
    const plane = new FilteredPlane(image);
    const raw = trimViews(plane, matcher.trimCrops, queryViews(image, plane)[0]!).map((v) =>
      Math.min(...index.entryView.map((_, e) => hamming(v.result.hash!, index.hamming.pool.subarray(e * HASH_WORDS, (e + 1) * HASH_WORDS)))),
    );
    expect(Math.min(...raw)).toBeGreaterThan(MATCH_THRESHOLD);
    const outcome = matcher.match(image);
    expect(outcome.kind).toBe('match');
    if (outcome.kind === 'match') {
      expect(outcome.match.reference.id).toBe('refs/bridge.jpg');
      expect(outcome.match.transform).toMatch(/^trim:/);
      expect(outcome.match.distance).toBeLessThanOrEqual(MATCH_THRESHOLD);
    }
  }, 60_000);

  it('takes trim views inside a frame too: a copy cut on one side with a border of its own', async () => {
    const matcher = new PerceptualMatcher(await coreOnly());
    const outcome = matcher.match(await decoded(await cutLeft(64, 40)));
    expect(outcome.kind).toBe('match');
    if (outcome.kind === 'match') {
      expect(outcome.match.reference.id).toBe('refs/bridge.jpg');
      expect(outcome.match.transform).toMatch(/^unbordered-trim:/);
    }
  }, 60_000);

  it("lets a one-sidedly cut picture through the sub-image search's rough gate, which the core views alone refuse", async () => {
    const index = await coreOnly();
    const matcher = new PerceptualMatcher(index);
    const withTrims = new RoughGate(new HammingIndex(index.hamming), matcher.trimCrops);
    const coreViews = new RoughGate(new HammingIndex(index.hamming));
    const onCanvas = async (picture: Buffer) => {
      const shown = await sharp(picture).resize(500).toBuffer();
      const canvas = sharp({ create: { width: 1000, height: 700, channels: 3, background: '#c8c8c8' } }).composite([{ input: shown, left: 300, top: 120 }]);
      const image = await decoded(await canvas.png().toBuffer());
      // The whole-image matcher runs first in the audit and leaves the plane the gate samples.
      matcher.match(image);
      const plane = lowRes(image);
      return { image, regions: findRectangles(plane).map((r) => inQuery(r, plane)) };
    };
    const copy = await onCanvas(await cutLeft(64));
    expect(copy.regions.some((r) => withTrims.near(copy.image, r))).toBe(true);
    expect(copy.regions.some((r) => coreViews.near(copy.image, r))).toBe(false);
    const other = await onCanvas(unrelated);
    expect(other.regions.some((r) => withTrims.near(other.image, r))).toBe(false);
  }, 60_000);
});
