import { describe, expect, it } from 'vitest';
import { findContentRect, type PixelImage } from '../../src/identify/pdq/borders.js';
import type { Rect } from '../../src/identify/pdq/pdq-hasher.js';

// The border scan runs on every query image, so it walks lines with strides and takes each line's
// median from a histogram. These tests hold it to the plain reading of its rule (below, written
// pixel by pixel with a sort, as the scan was before): the same content rectangle on images with
// and without borders, of every channel count, where lines are near the tolerance and the limit.

const MAX_BORDER_SHARE = 0.3;
const TOLERANCE = 28;
const OUTLIER_SHARE = 0.02;

function plainContentRect(image: PixelImage): Rect | undefined {
  const { width, height } = image;
  const top = plainUniform(image, 'top', Math.floor(height * MAX_BORDER_SHARE));
  const bottom = plainUniform(image, 'bottom', Math.floor(height * MAX_BORDER_SHARE));
  const left = plainUniform(image, 'left', Math.floor(width * MAX_BORDER_SHARE));
  const right = plainUniform(image, 'right', Math.floor(width * MAX_BORDER_SHARE));
  if (top + bottom + left + right === 0) return undefined;
  const [t, b, l, r] = [top, bottom, left, right].map((n) => (n > 0 ? n + 1 : 0)) as [number, number, number, number];
  const rect = { x: l, y: t, width: width - l - r, height: height - t - b };
  return rect.width >= 16 && rect.height >= 16 ? rect : undefined;
}

function plainUniform(image: PixelImage, side: 'top' | 'bottom' | 'left' | 'right', limit: number): number {
  const { pixels, width, height, channels } = image;
  const length = side === 'top' || side === 'bottom' ? width : height;
  const at = (line: number, k: number): number => {
    const y = side === 'top' ? line : side === 'bottom' ? height - 1 - line : k;
    const x = side === 'left' ? line : side === 'right' ? width - 1 - line : k;
    return (y * width + x) * channels;
  };
  const colour: number[] = [];
  for (let c = 0; c < Math.min(channels, 3); c++) {
    const values = Array.from({ length }, (_, k) => pixels[at(0, k) + c]!).sort((a, b) => a - b);
    colour.push(values[length >> 1]!);
  }
  let lines = 0;
  for (; lines < limit; lines++) {
    let outliers = 0;
    for (let k = 0; k < length; k++) {
      if (colour.some((v, c) => Math.abs(pixels[at(lines, k) + c]! - v) > TOLERANCE)) outliers++;
    }
    if (outliers > Math.floor(length * OUTLIER_SHARE)) break;
  }
  return lines;
}

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Noisy content inside bars of random widths and colours, with values near the tolerance and a few stray pixels. */
function borderedImage(seed: number, channels: number): PixelImage {
  const rnd = random(seed);
  const width = 16 + Math.floor(rnd() * 120);
  const height = 16 + Math.floor(rnd() * 90);
  const pixels = new Uint8Array(width * height * channels);
  const bar = () => Math.floor(rnd() * 0.4 * Math.min(width, height));
  const [top, bottom, left, right] = [bar(), bar(), bar(), bar()];
  const base = Array.from({ length: channels }, () => Math.floor(rnd() * 256));
  // Smooth content (a gradient with small noise) sometimes, so whole lines can sit within the tolerance.
  const smooth = rnd() < 0.5;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBar = y < top || y >= height - bottom || x < left || x >= width - right;
      for (let c = 0; c < channels; c++) {
        const jitter = Math.floor((rnd() - 0.5) * 2 * (TOLERANCE + 4));
        const stray = rnd() < 0.01 ? 200 : 0;
        const content = smooth ? base[c]! + (y * 3 + x) / 4 + jitter : Math.floor(rnd() * 256);
        const value = inBar ? base[c]! + (rnd() < 0.05 ? jitter : jitter >> 2) + stray : content;
        pixels[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  return { pixels, width, height, channels };
}

describe('border scan', () => {
  it('finds the same content rectangle as the plain per-pixel reading, for 1 to 4 channels', () => {
    let bordered = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const image = borderedImage(seed, 1 + (seed % 4));
      const expected = plainContentRect(image);
      if (expected) bordered++;
      expect(findContentRect(image), `seed ${seed}`).toEqual(expected);
    }
    // The generator must exercise both outcomes, or the comparison proves little.
    expect(bordered).toBeGreaterThan(100);
    expect(bordered).toBeLessThan(400);
  });

  it('strips a letterbox and keeps a borderless image whole', () => {
    const width = 100;
    const height = 60;
    const pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
    expect(findContentRect({ pixels, width, height, channels: 3 })).toBeUndefined();
    pixels.fill(0, 0, width * 3 * 8);
    pixels.fill(0, width * 3 * (height - 8));
    expect(findContentRect({ pixels, width, height, channels: 3 })).toEqual({ x: 0, y: 9, width, height: height - 18 });
  });
});
