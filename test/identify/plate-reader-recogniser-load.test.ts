import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadOcrModels, type OcrModels } from '../../src/identify/plate-reader/models.js';
import type { Rgb } from '../../src/identify/plate-reader/raster.js';
import { readPlates } from '../../src/identify/plate-reader/read-plates.js';
import { platePhoto } from './support/plate-photo.js';

// The recogniser's session is created on first use (models.ts): a region in which the detector
// finds no text box never asks for it, so an audit of photos without text pays for the detector
// alone. These tests count what the reader asks of the real models.

/** The real models, with every request for the recogniser counted. */
async function counted(): Promise<{ models: OcrModels; asked: () => number }> {
  const models = await loadOcrModels();
  let asked = 0;
  return { models: { ...models, recogniser: () => (asked++, models.recogniser()) }, asked: () => asked };
}

const whole = (image: Rgb) => [{ x: 0, y: 0, width: image.width, height: image.height }];

describe('the recogniser is loaded on first use', () => {
  it('is not asked for when the detector finds no text', async () => {
    const { models, asked } = await counted();
    const image: Rgb = { pixels: new Uint8Array(640 * 384 * 3).fill(128), width: 640, height: 384 };
    const reading = await readPlates(models, image, whole(image), () => false);
    expect(reading.boxes).toBe(0);
    expect(asked()).toBe(0);
  }, 30_000);

  it('is asked for, and made once, when there is text to read', async () => {
    const { models, asked } = await counted();
    const { data, info } = await sharp(await platePhoto('QRT 4821'))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image: Rgb = { pixels: new Uint8Array(data), width: info.width, height: info.height };
    const reading = await readPlates(models, image, whole(image), () => false);
    expect(reading.boxes).toBeGreaterThan(0);
    expect(asked()).toBeGreaterThan(0);
    expect(await models.recogniser()).toBe(await models.recogniser());
  }, 30_000);
});
