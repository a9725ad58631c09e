import { describe, expect, it } from 'vitest';
import type { Luma } from '../../src/identify/plate-reader/gate.js';
import { doubled, doubledMarksOf, type Mark, marksOf } from '../../src/identify/plate-reader/marks.js';

/** A plane of deterministic noise with a few flat blocks (marks of every size). */
function noise(width: number, height: number, seed: number): Luma {
  const pixels = new Uint8Array(width * height);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const x = i % width;
    const y = (i - x) / width;
    pixels[i] = (x >> 3) % 3 === 0 && (y >> 2) % 2 === 0 ? 20 : state >>> 24;
  }
  return { pixels, width, height };
}

/** The bilinear doubling written plainly, in floating point, as it was before the integer form. */
function doubledReference(luma: Luma, x0: number, y0: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(4 * w * h);
  const at = (x: number, y: number) => luma.pixels[(y0 + y) * luma.width + x0 + x]!;
  for (let y = 0; y < 2 * h; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y - 0.5) / 2));
    const top = Math.floor(sy);
    const fy = sy - top;
    for (let x = 0; x < 2 * w; x++) {
      const sx = Math.min(w - 1, Math.max(0, (x - 0.5) / 2));
      const left = Math.floor(sx);
      const fx = sx - left;
      const right = Math.min(w - 1, left + 1);
      const bottom = Math.min(h - 1, top + 1);
      const upper = at(left, top) * (1 - fx) + at(right, top) * fx;
      const lower = at(left, bottom) * (1 - fx) + at(right, bottom) * fx;
      out[y * 2 * w + x] = Math.round(upper * (1 - fy) + lower * fy);
    }
  }
  return out;
}

/**
 * The marks as the JavaScript row test found them before the loops moved to WebAssembly, written
 * plainly: each pixel against its clipped window's mean, then a flood fill from each unvisited marked
 * pixel in raster order (so marks come in the order of their first pixel).
 */
function marksReference(luma: Luma, x0: number, y0: number, w: number, h: number, window: number, contrast: number): [Mark[], Mark[], number, number] {
  const at = (x: number, y: number) => luma.pixels[(y0 + y) * luma.width + x0 + x]!;
  const state = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let total = 0;
      let area = 0;
      for (let wy = Math.max(0, y - window); wy < Math.min(h, y + window + 1); wy++) {
        for (let wx = Math.max(0, x - window); wx < Math.min(w, x + window + 1); wx++) {
          total += at(wx, wy);
          area++;
        }
      }
      const scaled = at(x, y) * area;
      state[y * w + x] = total - scaled >= contrast * area ? 1 : scaled - total >= contrast * area ? 2 : 0;
    }
  }
  const dark: Mark[] = [];
  const light: Mark[] = [];
  for (let start = 0; start < w * h; start++) {
    const kind = state[start]!;
    if (kind === 0) continue;
    state[start] = 0;
    const stack = [start];
    let [minX, minY, maxX, maxY, pixels] = [w, h, -1, -1, 0];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      pixels++;
      [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
      for (const [nx, ny] of [
        [x - 1, y],
        [x + 1, y],
        [x, y - 1],
        [x, y + 1],
      ] as const) {
        if (nx < 0 || nx >= w || ny < 0 || ny >= h || state[ny * w + nx] !== kind) continue;
        state[ny * w + nx] = 0;
        stack.push(ny * w + nx);
      }
    }
    (kind === 1 ? dark : light).push({ x: x0 + minX, y: y0 + minY, width: maxX - minX + 1, height: maxY - minY + 1, pixels });
  }
  // Marks one pixel high are counted, not listed.
  const tall = (marks: Mark[]) => marks.filter((m) => m.height >= 2);
  return [tall(dark), tall(light), dark.length - tall(dark).length, light.length - tall(light).length];
}

describe('doubled', () => {
  it('gives the bytes of the plain bilinear doubling, edges included', () => {
    const luma = noise(97, 61, 7);
    for (const [x0, y0, w, h] of [
      [0, 0, 97, 61],
      [13, 5, 40, 31],
      [96, 60, 1, 1],
      [50, 0, 2, 61],
    ] as const) {
      expect(Buffer.from(doubled(luma, x0, y0, w, h).pixels).equals(Buffer.from(doubledReference(luma, x0, y0, w, h)))).toBe(true);
    }
  });
});

describe('marksOf', () => {
  it('gives the marks of the plain binarisation and flood fill, in their order, edges and clipped windows included', () => {
    const luma = noise(90, 57, 5);
    for (const [x0, y0, w, h, window, contrast] of [
      [0, 0, 90, 57, 7, 10],
      [13, 5, 40, 31, 12, 10],
      [3, 2, 20, 9, 10, 30],
      [0, 0, 90, 57, 7, 0],
      [80, 50, 10, 7, 7, 6],
      [50, 0, 1, 57, 7, 6],
    ] as const) {
      expect(marksOf(luma, x0, y0, w, h, window, contrast)).toEqual(marksReference(luma, x0, y0, w, h, window, contrast));
    }
  });

  it('gives the doubled place the marks of its doubled plane', () => {
    const luma = noise(97, 61, 9);
    const plane = doubled(luma, 13, 5, 40, 31);
    expect(doubledMarksOf(luma, 13, 5, 40, 31, 7, 6)).toEqual(marksReference(plane, 0, 0, 80, 62, 7, 6));
  });

  it('gives the same marks whatever larger or smaller place was binarised before (its working arrays are reused)', () => {
    const small = noise(64, 40, 3);
    const large = noise(300, 200, 11);
    const first = marksOf(small, 4, 2, 50, 30, 7, 10);
    expect(first[0].length + first[1].length).toBeGreaterThan(10);
    marksOf(large, 0, 0, 300, 200, 12, 6);
    expect(marksOf(small, 4, 2, 50, 30, 7, 10)).toEqual(first);
    // A smaller place after a larger one: nothing of the larger one's states or sums is left behind.
    expect(marksOf(small, 0, 0, 64, 40, 7, 10)).toEqual(marksOf(small, 0, 0, 64, 40, 7, 10));
    const again = marksOf(large, 0, 0, 300, 200, 12, 6);
    marksOf(small, 0, 0, 64, 40, 3, 40);
    expect(marksOf(large, 0, 0, 300, 200, 12, 6)).toEqual(again);
  });

  it('finds a flat block as one mark with its box and pixel count', () => {
    const pixels = new Uint8Array(40 * 20).fill(200);
    for (let y = 5; y < 12; y++) for (let x = 10; x < 14; x++) pixels[y * 40 + x] = 30;
    const [dark, light] = marksOf({ pixels, width: 40, height: 20 }, 0, 0, 40, 20, 7, 10);
    expect(dark).toEqual([{ x: 10, y: 5, width: 4, height: 7, pixels: 28 }]);
    // The white around it is lighter than its window's mean (which takes in the block): one light halo.
    expect(light).toHaveLength(1);
    expect(light[0]!.x).toBeLessThan(10);
    expect(light[0]!.x + light[0]!.width).toBeGreaterThan(14);
  });
});
