import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { decodeImage } from '../../src/identify/image-decode.js';
import * as rows from '../../src/identify/plate-reader/char-rows.js';
import { gatedRegions, lumaOf, MAX_REGIONS } from '../../src/identify/plate-reader/gate.js';
import { itemOf } from './support/perceptual.js';
import { AGENCY_PLATE_SVG, agencyPlateReader, checkBand } from './support/plate-photo.js';

/**
 * The places past the gate's largest are tested for a row only when the largest give no plate:
 * a plate photo whose plate the largest places hold has its outcome without them. The real row
 * test is watched (not replaced) to count the places it is asked about.
 */
vi.mock('../../src/identify/plate-reader/char-rows.js', async (actual) => {
  const real = await actual<typeof import('../../src/identify/plate-reader/char-rows.js')>();
  return { ...real, hasCharacterRow: vi.fn(real.hasCharacterRow) };
});

const KEY = Buffer.from('plate-reader-test-key-0123456789');

/** A small band of checks: strokes to the gate (a blob smaller than the plate's), no row. */
const checks = (x: number, y: number) => checkBand(x, y, 12, 3);

/** A grey PNG, 512 x 512 to the gate (drawn at 1024): eight small bands of checks above, the agency's plate below. */
async function picture(): Promise<Buffer> {
  const bands = [0, 1, 2, 3].flatMap((col) => [0, 1].map((row) => checks(10 + col * 130, 20 + row * 110))).join('');
  const plate = AGENCY_PLATE_SVG;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 512 512"><rect width="512" height="512" fill="#808080"/>${bands}${plate}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const item = (bytes: Buffer) => itemOf('share/street.png', bytes);

describe('the smaller places, after the largest', () => {
  it('are not tested when the largest places hold the agency plate', async () => {
    const bytes = await picture();
    const decoded = await decodeImage(bytes, { maxImagePixels: 1e8 });
    if (!decoded.ok) throw new Error(decoded.detail);
    const luma = lumaOf(decoded.image.pixels, decoded.image.width, decoded.image.height, decoded.image.channels);
    const gated = gatedRegions(luma);
    // The plate is among the largest places, and there are smaller ones past them.
    expect(gated.blobs).toBeGreaterThan(MAX_REGIONS);
    expect(gated.extra.length).toBeGreaterThan(0);
    expect(rows.anyCharacterRow(luma, gated.regions)).toBe(true);
    vi.mocked(rows.hasCharacterRow).mockClear();
    const result = await agencyPlateReader(KEY).detect(item(bytes), 'image/png');
    expect(result.identifications).toEqual([expect.objectContaining({ asset: 'plate-image', method: 'plate-in-image' })]);
    expect(rows.hasCharacterRow).not.toHaveBeenCalled();
  }, 60_000);
});
