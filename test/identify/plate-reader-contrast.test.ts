import { describe, expect, it } from 'vitest';
import { anyCharacterRow } from '../../src/identify/plate-reader/char-rows.js';
import { NARROW_RANGE, stretchedContrast } from '../../src/identify/plate-reader/contrast.js';
import { gatedRegions, type Luma, lumaOf } from '../../src/identify/plate-reader/gate.js';

/**
 * A dim frame (a smooth ramp from grey 100 to 139 across) with a plate whose characters are 25
 * levels off their panel: eight ring characters 5 x 12 (fill 0.6), 8 pixels apart, on a panel of
 * 150. At these levels no step reaches the gate's 32, so the plate gives no stroke; the frame spans
 * about 50 levels from its 1st to its 99th percentile, and stretched over 0-255 its characters
 * stand out as a printed plate's do.
 */
function dimPlate(): { pixels: Uint8Array; width: number; height: number } {
  const width = 256;
  const height = 128;
  const pixels = Uint8Array.from({ length: width * height }, (_, i) => 100 + Math.floor(((i % width) * 40) / width));
  for (let y = 50; y < 78; y++) for (let x = 60; x < 140; x++) pixels[y * width + x] = 150;
  for (let k = 0; k < 8; k++) {
    const left = 66 + 8 * k;
    for (let y = 58; y < 70; y++) {
      for (let x = left; x < left + 5; x++) {
        const hole = y > 59 && y < 68 && x > left && x < left + 4;
        if (!hole) pixels[y * width + x] = 125;
      }
    }
  }
  return { pixels, width, height };
}

describe('the contrast stretch of a dim frame', () => {
  it('lets the gate and the row test see a plate 25 levels off its panel', () => {
    const { pixels, width, height } = dimPlate();
    const plain: Luma = { pixels, width, height };
    expect(gatedRegions(plain).regions).toEqual([]);
    const luma = lumaOf(pixels, width, height, 1);
    const { regions } = gatedRegions(luma);
    expect(regions.length).toBe(1);
    const [place] = regions;
    // The place holds the plate's characters.
    expect(place!.x).toBeLessThanOrEqual(66);
    expect(place!.x + place!.width).toBeGreaterThanOrEqual(66 + 8 * 7 + 5);
    expect(anyCharacterRow(luma, regions)).toBe(true);
    // The caller's pixels are not changed.
    expect(pixels).toEqual(dimPlate().pixels);
  });

  it('leaves a flat canvas with a little ink as it is, however narrow its span', () => {
    const width = 100;
    const height = 100;
    const pixels = new Uint8Array(width * height).fill(128);
    for (let i = 0; i < 300; i++) pixels[i * 31] = 20;
    const luma = { pixels, width, height };
    expect(stretchedContrast(luma)).toBe(luma);
  });

  it('leaves a plane spanning the levels as it is', () => {
    const width = 64;
    const height = 64;
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => (i * 7) % 256);
    const luma = { pixels, width, height };
    expect(stretchedContrast(luma)).toBe(luma);
  });

  it('stretches spans under NARROW_RANGE levels from the 1st to the 99th percentile, and no wider ones', () => {
    const span = (range: number): Luma => {
      const pixels = Uint8Array.from({ length: 1000 }, (_, i) => 40 + Math.round((i * range) / 999));
      return { pixels, width: 1000, height: 1 };
    };
    // Levels 40 to 40 + range in even steps: the 1st and 99th percentiles lie a hundredth in.
    const wide = span(NARROW_RANGE + 4);
    expect(stretchedContrast(wide)).toBe(wide);
    const narrow = stretchedContrast(span(NARROW_RANGE - 4));
    expect(narrow.pixels[0]).toBe(0);
    expect(narrow.pixels[999]).toBe(255);
    expect(narrow.pixels[500]).toBeGreaterThan(120);
    expect(narrow.pixels[500]).toBeLessThan(136);
  });
});
