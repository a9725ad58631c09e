import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { boxesOf, DETECT_SIDE, detectorInput, detectText, textProbabilities } from '../../src/identify/plate-reader/detect-text.js';
import { loadOcrModels, type OcrModels } from '../../src/identify/plate-reader/models.js';
import type { Rgb } from '../../src/identify/plate-reader/raster.js';
import { platePhoto } from './support/plate-photo.js';

/** The real models, with the detector's input shapes recorded as it runs. */
async function watched(): Promise<{ models: OcrModels; shapes: number[][] }> {
  const models = await loadOcrModels();
  const shapes: number[][] = [];
  const detector = new Proxy(models.detector, {
    get(target, name) {
      if (name !== 'run') return Reflect.get(target, name);
      return (feeds: Record<string, { dims: readonly number[] }>) => {
        shapes.push([...(Object.values(feeds)[0]?.dims ?? [])]);
        return target.run(feeds as never);
      };
    },
  });
  return { models: { ...models, detector }, shapes };
}

async function photo(width: number, height: number): Promise<Rgb> {
  const { data, info } = await sharp(await platePhoto('QRT 4821'))
    .resize(width, height)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data), width: info.width, height: info.height };
}

describe('detectText', () => {
  it('draws a large region at 640 on its long side and still finds the plate', async () => {
    const { models, shapes } = await watched();
    const image = await photo(1600, 960);
    const boxes = await detectText(models, image, { x: 0, y: 0, width: 1600, height: 960 });
    expect(DETECT_SIDE).toBe(640);
    expect(shapes).toEqual([[1, 3, 384, 640]]);
    // The plate's text (drawn at 405, 344 of 800 x 480: about 810, 660 here) is one of the boxes.
    expect(boxes.some((b) => b.x < 810 && b.x + b.width > 810 && b.y < 660 && b.y + b.height > 640)).toBe(true);
  }, 30_000);

  it('enlarges a small region twice at most', async () => {
    const { models, shapes } = await watched();
    const image = await photo(800, 480);
    await detectText(models, image, { x: 280, y: 290, width: 250, height: 75 });
    expect(shapes).toEqual([[1, 3, 160, 512]]);
  }, 30_000);

  it('is its three steps, which a bench script runs apart (input, probabilities, boxes)', async () => {
    const models = await loadOcrModels();
    const image = await photo(800, 480);
    const region = { x: 200, y: 250, width: 400, height: 150 };
    const { input, width, height } = detectorInput(image, region);
    expect([width, height]).toEqual([640, 256]);
    const map = await textProbabilities(models, input, width, height);
    expect(map.length).toBe(width * height);
    const boxes = boxesOf(map, width, height, region, image);
    expect(boxes.length).toBeGreaterThan(0);
    expect(boxes).toEqual(await detectText(models, image, region));
  }, 30_000);
});
