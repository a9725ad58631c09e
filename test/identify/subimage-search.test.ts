import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/identify/detector.js';
import { decodeImage } from '../../src/identify/image-decode.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { findRectangles, inQuery } from '../../src/identify/subimage/rectangles.js';
import { TOO_SMALL_SIDE } from '../../src/identify/subimage/too-small.js';
import type { Reference } from '../../src/references/schema.js';
import { bridge, detect, fixtures, reference, setupFor, unrelated } from './support/perceptual.js';

const other = readFileSync(path.join(fixtures, 'q2821.jpg'));

/** A viewer window: title bar, toolbar of icons, a side list, a grey canvas with `picture` on it at (left, top). */
async function screenshot(picture: Buffer, width: number, left: number, top: number): Promise<Buffer> {
  const shown = await sharp(picture).resize(width).toBuffer();
  const icons = Array.from({ length: 10 }, (_, i) => `<rect x="${12 + i * 34}" y="38" width="22" height="22" fill="hsl(${i * 36},50%,45%)"/>`).join('');
  const list = Array.from({ length: 12 }, (_, i) => `<rect x="10" y="${84 + i * 30}" width="${70 + (i % 4) * 15}" height="7" fill="#555"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="640"><rect width="1000" height="640" fill="#c8c8c8"/><rect width="1000" height="30" fill="#ddd"/><rect y="30" width="1000" height="40" fill="#f3f3f3"/>${icons}<rect y="70" width="150" height="570" fill="#fafafa"/>${list}</svg>`;
  return sharp(Buffer.from(svg))
    .composite([{ input: shown, left, top }])
    .png()
    .toBuffer();
}

describe('sub-image search (pictures in pictures)', () => {
  let detector: Detector;
  let refs: Reference[];

  beforeAll(async () => {
    refs = [await reference('refs/bridge.jpg', bridge), await reference('refs/q2821.jpg', other)];
    detector = perceptualDetector.create(setupFor(refs))!;
  });

  it('finds the picture framed in a screenshot as a rectangle, within 2% of where it was put', async () => {
    const shot = await screenshot(bridge, 600, 250, 120);
    const decoded = await decodeImage(shot, { maxImagePixels: 1e8 });
    if (!decoded.ok) throw new Error(decoded.detail);
    const plane = lowRes(decoded.image);
    const s = decoded.image.width / 1000;
    const meta = await sharp(bridge).metadata();
    const expected = { x: 250 * s, y: 120 * s, width: 600 * s, height: ((600 * meta.height!) / meta.width!) * s };
    const near = findRectangles(plane)
      .map((r) => inQuery(r, plane))
      .some(
        (r) =>
          Math.abs(r.x - expected.x) <= 0.02 * decoded.image.width &&
          Math.abs(r.y - expected.y) <= 0.02 * decoded.image.height &&
          Math.abs(r.width - expected.width) <= 0.02 * decoded.image.width &&
          Math.abs(r.height - expected.height) <= 0.02 * decoded.image.height,
      );
    expect(near).toBe(true);
  });

  it('claims a reference shown in a screenshot, with its region and geometry (the whole-image stages alone do not)', async () => {
    const shot = await screenshot(bridge, 560, 300, 140);
    const decoded = await decodeImage(shot, { maxImagePixels: 1e8 });
    if (!decoded.ok) throw new Error(decoded.detail);
    // before: the whole-image matcher finds nothing in the screenshot
    expect(new PerceptualMatcher(pdqIndexOfReferences(refs)).match(decoded.image).kind).toBe('no-match');
    const result = await detect(detector, 'share/screenshot.png', shot);
    expect(result.identifications).toHaveLength(1);
    const [id] = result.identifications;
    expect(id).toMatchObject({ method: 'perceptual', reference: 'refs/bridge.jpg' });
    const evidence = id!.evidence as { region: string; geometry: { method: string; scale: number; rotation: number; skew: number }; tiles: string };
    const [x, y, w] = evidence.region.split(',').map(Number);
    expect(x).toBeCloseTo(30, -0.5);
    expect(y).toBeCloseTo(21.9, -0.5);
    expect(w).toBeCloseTo(56, -0.5);
    expect(evidence.geometry).toMatchObject({ method: 'rectangle', rotation: 0, skew: 0 });
    expect(evidence.geometry.scale).toBeGreaterThan(0.2);
    expect(evidence.tiles).toMatch(/^\d+\/\d+ within 84 bits$/);
  }, 30_000);

  it('claims nothing in a screenshot or sheet of unrelated pictures', async () => {
    const shot = await detect(detector, 'share/unrelated-shot.png', await screenshot(unrelated, 600, 250, 120));
    expect(shot.identifications).toEqual([]);
    expect(shot.coverage).toBeUndefined();
  }, 30_000);

  it(`records an unclaimed image under ${TOO_SMALL_SIDE} px as too small to match (incomplete), and still claims a small copy above it`, async () => {
    const tiny = await sharp(unrelated).resize(48).jpeg({ quality: 60 }).toBuffer();
    const result = await detect(detector, 'share/tiny.jpg', tiny);
    expect(result.identifications).toEqual([]);
    expect(result.coverage).toEqual([expect.objectContaining({ location: 'share/tiny.jpg', reason: 'too-small-to-match', incomplete: true })]);
    // A copy that small is still claimed when the matcher can (no coverage entry then).
    const small = await detect(detector, 'share/small.jpg', await sharp(bridge).resize(48).jpeg({ quality: 60 }).toBuffer());
    expect(small.identifications.map((i) => i.reference)).toEqual(['refs/bridge.jpg']);
    expect(small.coverage).toBeUndefined();
  }, 30_000);
});
