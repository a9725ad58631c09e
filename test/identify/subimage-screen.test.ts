import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { searchPlan } from '../../src/identify/pdq/match-settings.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { ScreenSearch } from '../../src/identify/subimage/screen-search.js';
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
});
