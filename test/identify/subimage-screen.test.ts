import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { findContentRect } from '../../src/identify/pdq/borders.js';
import { searchPlan } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import type { LowRes } from '../../src/identify/subimage/low-res.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { quadCandidates } from '../../src/identify/subimage/quad-candidates.js';
import { contentOf, ScreenSearch } from '../../src/identify/subimage/screen-search.js';
import { mapPoint, type Quad, rectToQuad } from '../../src/identify/subimage/warp-homography.js';
import { warpPlane } from '../../src/identify/subimage/warp-image.js';
import { bridge, decoded, reference, unrelated } from './support/perceptual.js';

/** A wide strip of a picture (3:1), as a plate crop or a panorama is wide. */
const strip = (bytes: Buffer) => sharp(bytes).resize(600, 200, { fit: 'cover' }).jpeg({ quality: 92 }).toBuffer();

/**
 * `picture` fitted to a 16:10 screen (black bars above and below it) in a dark bezel on a wall,
 * the whole photographed turned by 3 degrees: the screen's sides are the only straight frame.
 */
async function monitorPhoto(picture: Buffer): Promise<Buffer> {
  const screen = await sharp(picture).resize(800, 500, { fit: 'contain', background: '#000000' }).toBuffer();
  const wall = await sharp({ create: { width: 1100, height: 760, channels: 3, background: '#c4bcac' } })
    .composite([
      {
        input: await sharp({ create: { width: 850, height: 550, channels: 3, background: '#141414' } })
          .png()
          .toBuffer(),
        left: 125,
        top: 80,
      },
      { input: screen, left: 150, top: 105 },
    ])
    .png()
    .toBuffer();
  return sharp(wall).rotate(3, { background: '#a09888' }).blur(0.8).jpeg({ quality: 85 }).toBuffer();
}

describe('pictures on a screen between bars (screen search)', () => {
  let screens: ScreenSearch;
  let whole: PerceptualMatcher;

  beforeAll(async () => {
    whole = new PerceptualMatcher(pdqIndexOfReferences([await reference('refs/strip.jpg', await strip(bridge))]));
    const plan = searchPlan(whole.size);
    const gated = { ...plan, radius: Math.min(plan.radius, 70) };
    screens = new ScreenSearch(whole, whole.hamming, gated);
  });

  it('claims a wide picture shown letterboxed on a turned screen, which the whole-image matcher misses, with its content as the region', async () => {
    const image = await decoded(await monitorPhoto(await strip(bridge)));
    const plane = lowRes(image);
    // before: the whole-image stages find nothing
    expect(whole.match(image).kind).not.toBe('match');
    const found = screens.find(image, plane);
    expect(found?.match.reference.id).toBe('refs/strip.jpg');
    expect(found!.method).toBe('screen');
    expect(Math.abs(found!.geometry.rotation - 3)).toBeLessThan(1);
    // The content only: the strip is 800x267 of the 1100x760 wall before the turn, about a quarter of the frame.
    expect(found!.geometry.scale).toBeGreaterThan(0.15);
    expect(found!.geometry.scale).toBeLessThan(0.35);
  }, 60_000);

  it('claims nothing on a screen showing an unrelated picture', async () => {
    const image = await decoded(await monitorPhoto(await strip(unrelated)));
    expect(screens.find(image, lowRes(image), true)).toBeUndefined();
  }, 30_000);

  it('warps only the outermost lines, or a band of lines, first, each pixel as the whole warp makes it', async () => {
    const plane = lowRes(await decoded(await monitorPhoto(await strip(bridge))));
    const quad = quadCandidates(plane).find((c) => c.method === 'quad')!.quad;
    const h = rectToQuad(quad, 128, 128)!;
    const whole = warpPlane(plane, h, 128);
    for (const band of [1, 8]) {
      const frame = warpPlane(plane, h, 128, band);
      for (let y = 0; y < 128; y++)
        for (let x = 0; x < 128; x++) {
          const outer = Math.min(x, y, 127 - x, 127 - y) < band;
          expect(frame[y * 128 + x], `${band}: ${x},${y}`).toBe(outer ? whole[y * 128 + x] : 0);
        }
      // Into a buffer already written (the search's per-band scratch): the band as above, the rest as it was.
      const into = new Float32Array(128 * 128).fill(-1);
      expect(warpPlane(plane, h, 128, band, into)).toBe(into);
      for (let i = 0; i < 128 * 128; i++) {
        const x = i % 128;
        const y = Math.floor(i / 128);
        expect(into[i]).toBe(Math.min(x, y, 127 - x, 127 - y) < band ? whole[i] : -1);
      }
    }
  });

  it("finds a screen's content from its outermost lines as from the whole warp, and agrees on quads without bars", async () => {
    /** The content as the screen search found it before it looked at the outermost lines first. */
    const fromWholeWarp = (plane: LowRes, quad: Quad): Quad | undefined => {
      const h = rectToQuad(quad, 128, 128);
      if (!h) return undefined;
      const luma = warpPlane(plane, h, 128);
      const pixels = Uint8Array.from(luma, (v) => Math.max(0, Math.min(255, Math.round(v))));
      const r = findContentRect({ pixels, width: 128, height: 128, channels: 1 });
      return r && [mapPoint(h, r.x, r.y), mapPoint(h, r.x + r.width, r.y), mapPoint(h, r.x + r.width, r.y + r.height), mapPoint(h, r.x, r.y + r.height)];
    };
    const found = { content: 0, none: 0 };
    for (const bytes of [await monitorPhoto(await strip(bridge)), await monitorPhoto(await strip(unrelated)), bridge, unrelated]) {
      const plane = lowRes(await decoded(bytes));
      const quads = quadCandidates(plane).map((c) => c.quad);
      // And quads no finder proposes: turned and skewed boxes all over the plane.
      for (let k = 0; k < 40; k++) {
        const [w, h, a] = [plane.width, plane.height, ((k % 9) - 4) * 0.05];
        const [x0, y0, x1, y1] = [((k * 7) % 30) / 100, ((k * 11) % 30) / 100, 0.6 + ((k * 13) % 40) / 100, 0.6 + ((k * 3) % 40) / 100];
        quads.push([
          { x: x0 * w, y: (y0 + a) * h },
          { x: x1 * w, y: y0 * h },
          { x: (x1 - a) * w, y: y1 * h },
          { x: x0 * w, y: y1 * h },
        ]);
      }
      for (const quad of quads) {
        const expected = fromWholeWarp(plane, quad);
        expect(contentOf(plane, quad)).toEqual(expected);
        found[expected ? 'content' : 'none']++;
      }
    }
    // Both ways were taken: bars found (the screen's letterbox) and quads with none.
    expect(found.content).toBeGreaterThan(0);
    expect(found.none).toBeGreaterThan(0);
  }, 60_000);
});
