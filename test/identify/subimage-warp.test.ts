import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/identify/detector.js';
import { decodeImage } from '../../src/identify/image-decode.js';
import type { PixelImage } from '../../src/identify/pdq/borders.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { quadCandidates } from '../../src/identify/subimage/quad-candidates.js';
import { mapPoint, rectToQuad } from '../../src/identify/subimage/warp-homography.js';
import type { Reference } from '../../src/references/schema.js';
import { bridge, detect, reference, setupFor, unrelated } from './support/perceptual.js';

async function decoded(bytes: Buffer): Promise<PixelImage> {
  const d = await decodeImage(bytes, { maxImagePixels: 1e8 });
  if (!d.ok) throw new Error(d.detail);
  return d.image;
}

/** Turned by `angle` degrees and cropped to the largest rectangle of the original's shape inside (no canvas shows). */
async function straightened(bytes: Buffer, angle: number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const turned = await sharp(bytes).rotate(angle).toBuffer({ resolveWithObject: true });
  const a = (Math.abs(angle) * Math.PI) / 180;
  const f = Math.min(width / (width * Math.cos(a) + height * Math.sin(a)), height / (width * Math.sin(a) + height * Math.cos(a)));
  const w = Math.floor(f * width) - 4;
  const h = Math.floor(f * height) - 4;
  const region = { left: Math.round((turned.info.width - w) / 2), top: Math.round((turned.info.height - h) / 2), width: w, height: h };
  return sharp(turned.data).extract(region).resize(width, height).jpeg({ quality: 85 }).toBuffer();
}

describe('turned and skewed pictures (quad search)', () => {
  let detector: Detector;
  let refs: Reference[];

  beforeAll(async () => {
    refs = [await reference('refs/bridge.jpg', bridge)];
    detector = perceptualDetector.create(setupFor(refs))!;
  });

  it('maps an output rectangle onto the quad it was given, corner to corner and projectively in between', () => {
    const quad = [
      { x: 10, y: 5 },
      { x: 90, y: 12 },
      { x: 95, y: 70 },
      { x: 4, y: 60 },
    ] as const;
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
      ['straightened.jpg', await straightened(bridge, 3), 3],
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
    for (const bytes of [await sharp(unrelated).rotate(6, { background: '#ffffff' }).jpeg().toBuffer(), await straightened(unrelated, -4)]) {
      const result = await detect(detector, 'share/other.jpg', bytes);
      expect(result.identifications).toEqual([]);
    }
  }, 30_000);
});
