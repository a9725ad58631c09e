import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { pdqIndexOfReferences } from '../../src/identify/pdq/pdq-index.js';
import type { RegionFinder } from '../../src/identify/subimage/candidate.js';
import { type LowRes, lowRes } from '../../src/identify/subimage/low-res.js';
import { plainBorder } from '../../src/identify/subimage/plain-border.js';
import { SubImageSearch } from '../../src/identify/subimage/sub-image-search.js';
import { bridge, decoded, reference, straightened, unrelated } from './support/perceptual.js';

/** The bridge at 60% of a 1000 x 640 viewer: title bar, toolbar and side list in three light greys, a dark canvas. */
async function viewer(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="640"><rect width="1000" height="640" fill="#2b2b2b"/><rect width="1000" height="30" fill="#ddd"/><rect y="30" width="1000" height="40" fill="#f3f3f3"/><rect y="70" width="150" height="570" fill="#fafafa"/></svg>`;
  const shown = await sharp(bridge).resize(600).toBuffer();
  return sharp(Buffer.from(svg))
    .composite([{ input: shown, left: 250, top: 140 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** A plane whose ring is `share` one grey level (spread over the ring), its other pixels a ramp of levels. */
function ring(width: number, height: number, share: number): LowRes {
  const luma = new Float32Array(width * height);
  for (let i = 0; i < luma.length; i++) luma[i] = (i * 37) % 256;
  const at: number[] = [];
  for (let x = 0; x < width; x++) at.push(x, (height - 1) * width + x);
  for (let y = 1; y < height - 1; y++) at.push(y * width, y * width + width - 1);
  at.forEach((i, k) => {
    if ((k * 7919) % at.length < share * at.length) luma[i] = 128;
  });
  return { luma, width, height, scaleX: 1, scaleY: 1 };
}

describe('plain border (the sub-image search gate)', () => {
  it('refuses camera photos and a straightened photo, whose scene runs to the frame', async () => {
    for (const bytes of [bridge, unrelated, await straightened(bridge, 4)]) expect(plainBorder(lowRes(await decoded(bytes)))).toBe(false);
  });

  it('passes a screenshot, a picture turned on a canvas and a contact sheet', async () => {
    const turned = await sharp(bridge).rotate(6, { background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();
    const cell = await sharp(bridge).resize(300, 200).toBuffer();
    const other = await sharp(unrelated).resize(300, 200).toBuffer();
    const sheet = await sharp({ create: { width: 648, height: 432, channels: 3, background: '#202020' } })
      .composite([
        { input: cell, left: 16, top: 16 },
        { input: other, left: 332, top: 16 },
        { input: other, left: 16, top: 216 },
        { input: cell, left: 332, top: 216 },
      ])
      .jpeg({ quality: 85 })
      .toBuffer();
    for (const bytes of [await viewer(), turned, sheet]) expect(plainBorder(lowRes(await decoded(bytes)))).toBe(true);
  });

  it('asks for 35% of the ring within 4 grey levels of one level', () => {
    expect(plainBorder(ring(120, 80, 0.36))).toBe(true);
    expect(plainBorder(ring(120, 80, 0.3))).toBe(false);
  });

  describe('in the search', () => {
    let whole: PerceptualMatcher;
    beforeAll(async () => {
      whole = new PerceptualMatcher(pdqIndexOfReferences([await reference('refs/bridge.jpg', bridge)]));
    });

    it('runs the region finders only for a query with a plain border, and still claims a straightened copy without one', async () => {
      const asked: string[] = [];
      const spy: RegionFinder = (image) => {
        asked.push(`${image.width}x${image.height}`);
        return [];
      };
      const search = new SubImageSearch(whole, whole.hamming, { finders: [spy] });
      const photo = await decoded(unrelated);
      expect(search.find(photo)).toBeUndefined();
      expect(asked).toEqual([]);
      const shot = await decoded(await viewer());
      search.find(shot);
      expect(asked).toEqual([`${shot.width}x${shot.height}`]);
      const found = search.find(await decoded(await straightened(bridge, -6)));
      expect(found?.method).toBe('turn-back');
      expect(found?.match.reference.id).toBe('refs/bridge.jpg');
      expect(asked).toHaveLength(1);
    });
  });
});
