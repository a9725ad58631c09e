import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/identify/image-decode.js';
import { anyCharacterRow, hasCharacterRow } from '../../src/identify/plate-reader/char-rows.js';
import { MAX_EXTRA_READS } from '../../src/identify/plate-reader/detector.js';
import { gatedRegions, type Luma, lumaOf, MAX_PLACES, MAX_REGIONS } from '../../src/identify/plate-reader/gate.js';
import { itemOf } from './support/perceptual.js';
import { AGENCY_PLATE_SVG, agencyPlateReader, checkBand } from './support/plate-photo.js';

/**
 * Photos with more text-like places than the gate's largest (MAX_REGIONS): the smaller places are
 * tested for a row one by one, so an image whose places hold none is complete, and a plate in a
 * small place is still read.
 */

const KEY = Buffer.from('plate-reader-test-key-0123456789');

const checks = (x: number, y: number, across = 50, down = 5) => checkBand(x, y, across, down);

/**
 * A grey PNG, 512 x 512 as the gate sees it (drawn at 1024, so the OCR reads the plate as sharp as
 * in a photo): six check bands above (the largest places), then `below`.
 */
async function picture(below: string): Promise<Buffer> {
  const bands = [0, 1, 2].flatMap((row) => [0, 1].map((col) => checks(20 + col * 260, 20 + row * 70))).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 512 512"><rect width="512" height="512" fill="#808080"/>${bands}${below}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
const plate = AGENCY_PLATE_SVG;

async function planeOf(bytes: Buffer): Promise<Luma> {
  const decoded = await decodeImage(bytes, { maxImagePixels: 1e8 });
  if (!decoded.ok) throw new Error(decoded.detail);
  return lumaOf(decoded.image.pixels, decoded.image.width, decoded.image.height, decoded.image.channels);
}

const item = (bytes: Buffer) => itemOf('share/street.png', bytes);

const detector = () => agencyPlateReader(KEY);

describe('the places past the largest six', () => {
  it('an image with more than six text-like places, none holding a row, is searched and clean (not incomplete)', async () => {
    const bytes = await picture(checks(20, 300) + checks(280, 300));
    const luma = await planeOf(bytes);
    const gated = gatedRegions(luma);
    expect(gated.blobs).toBeGreaterThan(MAX_REGIONS);
    expect(gated.extra.length).toBeGreaterThan(0);
    expect(anyCharacterRow(luma, [...gated.regions, ...gated.extra])).toBe(false);
    expect(await detector().detect(item(bytes), 'image/png')).toEqual({ identifications: [] });
  });

  it('reads a plate in the seventh place, when the six largest hold no row', async () => {
    const bytes = await picture(plate);
    const luma = await planeOf(bytes);
    const gated = gatedRegions(luma);
    expect(anyCharacterRow(luma, gated.regions)).toBe(false);
    expect(gated.extra.some((place) => hasCharacterRow(luma, place))).toBe(true);
    const result = await detector().detect(item(bytes), 'image/png');
    expect(result.coverage ?? []).toEqual([]);
    expect(result.identifications).toEqual([expect.objectContaining({ asset: 'plate-image', method: 'plate-in-image' })]);
  }, 60_000);

  it('leaves out of the smaller places those inside a larger one, already looked at', async () => {
    // One small patch of checks (8 x 4, a blob of its own): between the bands it lies inside their
    // grown region and is left out; far below them it is a smaller place of its own.
    const patch = (x: number, y: number) => checks(x, y, 8, 4);
    const between = gatedRegions(await planeOf(await picture(patch(240, 55))));
    expect(between.blobs).toBe(MAX_REGIONS + 1);
    expect(between.extra).toEqual([]);
    const apart = gatedRegions(await planeOf(await picture(patch(240, 440))));
    expect(apart.blobs).toBe(MAX_REGIONS + 1);
    expect(apart.extra).toHaveLength(1);
  });

  it(`reads ${MAX_EXTRA_READS} of the smaller places that hold a row, and says the image is incomplete when more do`, async () => {
    const labels: string[] = [];
    for (const y of [300, 360, 420, 480])
      for (const x of [40, 210, 380])
        labels.push(
          `<rect x="${x - 4}" y="${y - 16}" width="70" height="22" fill="#f4f4f0"/><text x="${x}" y="${y}" font-family="DejaVu Sans" font-weight="bold" font-size="16" fill="#111">KX72</text>`,
        );
    const bytes = await picture(labels.join(''));
    const luma = await planeOf(bytes);
    const gated = gatedRegions(luma);
    const passing = gated.extra.filter((place) => hasCharacterRow(luma, place)).length;
    expect(passing).toBeGreaterThan(MAX_EXTRA_READS);
    const result = await detector().detect(item(bytes), 'image/png');
    expect(result.identifications).toEqual([]);
    expect(result.coverage).toEqual([
      expect.objectContaining({
        reason: 'plates-in-image-limit',
        incomplete: true,
        detail: `${passing - MAX_EXTRA_READS} places holding a row past the first ${MAX_EXTRA_READS} were not read`,
      }),
    ]);
  }, 60_000);

  it(`counts the blobs past ${MAX_PLACES} as not looked at, and the detector reports them`, async () => {
    // A grid of small separate check patches, far more than the bound.
    const patches: string[] = [];
    for (let y = 4; y + 8 <= 512; y += 16)
      for (let x = 4; x + 24 <= 512; x += 40) patches.push(`<rect x="${x}" y="${y}" width="24" height="8" fill="url(#c)"/>`);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><defs><pattern id="c" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#141414"/><rect x="4" y="4" width="4" height="4" fill="#141414"/></pattern></defs><rect width="512" height="512" fill="#808080"/>${patches.join('')}</svg>`;
    const bytes = await sharp(Buffer.from(svg)).png().toBuffer();
    const gated = gatedRegions(await planeOf(bytes));
    expect(gated.blobs).toBeGreaterThan(MAX_PLACES);
    expect(gated.dropped).toBe(gated.blobs - MAX_PLACES);
    const result = await detector().detect(item(bytes), 'image/png');
    expect(result.coverage).toEqual([
      expect.objectContaining({ reason: 'plates-in-image-limit', incomplete: true, detail: expect.stringContaining(`past the first ${MAX_PLACES}`) }),
    ]);
  });
});
