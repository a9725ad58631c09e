import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/identify/detector.js';
import { QUALITY_GATE } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { PdqHasher } from '../../src/identify/pdq/pdq-hasher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { quadCandidates } from '../../src/identify/subimage/quad-candidates.js';
import { roughDct, usable } from '../../src/identify/subimage/quad-geometry.js';
import { mapPoint, type Quad, rectToQuad } from '../../src/identify/subimage/warp-homography.js';
import { warpPlane } from '../../src/identify/subimage/warp-image.js';
import type { Reference } from '../../src/references/schema.js';
import { bridge, decoded, detect, reference, setupFor, straightened, unrelated } from './support/perceptual.js';

describe('turned and skewed pictures (quad search)', () => {
  let detector: Detector;
  let refs: Reference[];

  beforeAll(async () => {
    refs = [await reference('refs/bridge.jpg', bridge)];
    detector = perceptualDetector.create(setupFor(refs))!;
  });

  it('maps an output rectangle onto the quad it was given, corner to corner and projectively in between', () => {
    const quad: Quad = [
      { x: 10, y: 5 },
      { x: 90, y: 12 },
      { x: 95, y: 70 },
      { x: 4, y: 60 },
    ];
    const h = rectToQuad(quad, 64, 48)!;
    for (const [i, [u, v]] of [
      [0, 0],
      [64, 0],
      [64, 48],
      [0, 48],
    ].entries()) {
      expect(mapPoint(h, u!, v!).x).toBeCloseTo(quad[i]!.x, 6);
      expect(mapPoint(h, u!, v!).y).toBeCloseTo(quad[i]!.y, 6);
    }
  });

  it('finds the four sides of a picture turned 6 degrees on a grown canvas, with the turn', async () => {
    const turned = await decoded(await sharp(bridge).rotate(6, { background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer());
    const quads = quadCandidates(lowRes(turned)).filter((c) => c.method === 'quad');
    expect(quads.length).toBeGreaterThan(0);
    expect(quads[0]!.rotation).toBeGreaterThan(5);
    expect(quads[0]!.rotation).toBeLessThan(7);
  });

  it('claims a reference turned 6 degrees on a canvas, and one straightened by 3 degrees, where the whole-image matcher does not', async () => {
    const whole = new PerceptualMatcher(pdqIndexOfReferences(refs));
    for (const [name, bytes, angle] of [
      ['turned.jpg', await sharp(bridge).rotate(-6, { background: '#000000' }).jpeg({ quality: 85 }).toBuffer(), -6],
      ['straightened.jpg', await straightened(bridge, 3, 4), 3],
    ] as const) {
      // before: the whole-image stages find nothing
      expect(whole.match(await decoded(bytes)).kind, name).toBe('no-match');
      const result = await detect(detector, `share/${name}`, bytes);
      expect(
        result.identifications.map((i) => i.reference),
        name,
      ).toEqual(['refs/bridge.jpg']);
      const geometry = (result.identifications[0]!.evidence as { geometry: { method: string; rotation: number; skew: number } }).geometry;
      expect(['quad', 'turn']).toContain(geometry.method);
      expect(Math.abs(geometry.rotation - angle), name).toBeLessThan(1);
      expect(geometry.skew).toBeLessThan(0.02);
    }
  }, 60_000);

  it('claims nothing in turned or skewed copies of an unrelated picture', async () => {
    for (const bytes of [await sharp(unrelated).rotate(6, { background: '#ffffff' }).jpeg().toBuffer(), await straightened(unrelated, -4, 4)]) {
      const result = await detect(detector, 'share/other.jpg', bytes);
      expect(result.identifications).toEqual([]);
    }
  }, 30_000);

  it("gives a quad's rough DCT as PDQ hashes its warp, and leaves a flat one to be refused by usable", async () => {
    const hasher = new PdqHasher();
    const plane = lowRes(await decoded(await straightened(bridge, 4)));
    const { width: w, height: h } = plane;
    const quad: Quad = [
      { x: 0.1 * w, y: 0.12 * h },
      { x: 0.9 * w, y: 0.1 * h },
      { x: 0.88 * w, y: 0.9 * h },
      { x: 0.12 * w, y: 0.88 * h },
    ];
    const dct = new Float32Array(256);
    const sample = roughDct(plane, quad, dct)!;
    const pdq = hasher.hashLuma(warpPlane(plane, rectToQuad(quad, 64, 64)!, 64), 64, 64);
    expect([...dct]).toEqual([...pdq.dct]);
    expect(usable(sample)).toBe(pdq.quality >= QUALITY_GATE);
    expect(usable(sample)).toBe(true);
    const flat = { ...plane, luma: new Float32Array(plane.luma.length).fill(128) };
    expect(usable(roughDct(flat, quad, dct)!)).toBe(false);
  });
});
