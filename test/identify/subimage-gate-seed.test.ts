import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { buildPdqIndex } from '../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { findRectangles, inQuery } from '../../src/identify/subimage/rectangles.js';
import { RoughGate } from '../../src/identify/subimage/rough-gate.js';
import { columnsFromReferences, referenceId, referenceOfView } from '../../src/references/columns.js';
import { bridge, decoded, reference, unrelated } from './support/perceptual.js';

// The sub-image search hands the stored hash that let a region through the rough gate to the
// region's matcher, which aligns the region to it (robustness bench, a million unrelated
// distractors: screenshot-wallpaper's plate, whose region the large index's own crop searches met
// nowhere near while aligning it to the stored view the gate met reached 16 bits).
async function bridgeSet() {
  const { columns, tables } = columnsFromReferences([await reference('refs/bridge.jpg', bridge), await reference('refs/other.jpg', unrelated)]);
  return buildPdqIndex(columns, tables, undefined, 0);
}

/** The bridge shrunk to 360 px wide on a photo (no plain surround: the whole query meets nothing). */
async function bridgeOnPhoto() {
  const shown = await sharp(bridge).resize(360).toBuffer();
  const photo = await sharp(unrelated).resize(640, 480, { fit: 'fill' }).flop().negate().png().toBuffer();
  return decoded(
    await sharp(photo)
      .composite([{ input: shown, left: 200, top: 150 }])
      .png()
      .toBuffer(),
  );
}

describe('alignment seeds from the rough gate', () => {
  it('aligns a query to a seeded stored view its own searches do not meet', async () => {
    const index = await bridgeSet();
    const matcher = new PerceptualMatcher(index);
    const image = await bridgeOnPhoto();
    expect(matcher.match(image).kind).toBe('no-match');
    // The bridge's full view, from a rectangle a few percent off the picture (the decoder shrinks the
    // query to 512x384: the picture is 288x181 at 160,120).
    const entry = index.entryView.findIndex(
      (v) =>
        index.tables.variants[index.columns.viewVariant[v]!] === 'full' && referenceId(index.columns, referenceOfView(index.columns, v)) === 'refs/bridge.jpg',
    );
    const outcome = matcher.match(image, [{ entry, dihedral: 'original', rect: { x: 152, y: 112, width: 306, height: 196 } }]);
    expect(outcome.kind).toBe('match');
    if (outcome.kind === 'match') {
      expect(outcome.match.reference.id).toBe('refs/bridge.jpg');
      expect(outcome.match.transform).toMatch(/\/aligned:/);
    }
    // A seed at an unrelated stored view aligns to nothing.
    const other = index.entryView.findIndex((v) => referenceId(index.columns, referenceOfView(index.columns, v)) === 'refs/other.jpg');
    expect(matcher.match(image, [{ entry: other, dihedral: 'original', rect: { x: 152, y: 112, width: 306, height: 196 } }]).kind).toBe('no-match');
  }, 60_000);

  it('reports the stored hash a region passed the gate by, and none for a region it drops', async () => {
    const index = await bridgeSet();
    const matcher = new PerceptualMatcher(index);
    const gate = new RoughGate(new HammingIndex(index.hamming));
    const shown = await sharp(bridge).resize(500).toBuffer();
    const canvas = sharp({ create: { width: 1000, height: 700, channels: 3, background: '#c8c8c8' } }).composite([{ input: shown, left: 300, top: 120 }]);
    const image = await decoded(await canvas.png().toBuffer());
    matcher.match(image);
    const plane = lowRes(image);
    const regions = findRectangles(plane).map((r) => inQuery(r, plane));
    const passed = regions.filter((r) => gate.near(image, r));
    expect(passed.length).toBeGreaterThan(0);
    gate.near(image, passed[0]!);
    const hit = gate.lastHit!;
    expect(referenceId(index.columns, referenceOfView(index.columns, index.entryView[hit.entry]!))).toBe('refs/bridge.jpg');
    expect(hit.dihedral).toBe('original');
    const dropped = regions.find((r) => !gate.near(image, r));
    if (dropped) expect(gate.lastHit).toBeUndefined();
  }, 60_000);
});
