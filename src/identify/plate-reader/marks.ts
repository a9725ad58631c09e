import type { Luma } from './gate.js';
import type { Box } from './raster.js';

/**
 * The marks of a place for the character-row test (char-rows.ts): local binarisation and connected
 * components of a place of the 512 pixel plane, or of the place drawn at twice its size.
 */

/** A connected mark: its box and pixel count. */
export interface Mark extends Box {
  pixels: number;
}

/**
 * The dark and light marks of a crop of `luma`: pixels at least `contrast` below (above) the mean
 * of the square `window` pixels each side of them, joined 4-connected (8 would join neighbouring characters at their corners).
 */
export function marksOf(luma: Luma, x0: number, y0: number, w: number, h: number, window: number, contrast: number): [Mark[], Mark[]] {
  const { pixels, width } = luma;
  // Summed-area table, (w + 1) x (h + 1); a doubled 1024 x 1024 place of 255s fits in 32 bits.
  const stride = w + 1;
  const sums = new Int32Array(stride * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    const from = (y0 + y) * width + x0;
    for (let x = 0; x < w; x++) {
      row += pixels[from + x]!;
      sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1]! + row;
    }
  }
  // 1 = dark mark, 2 = light mark; compared as value * area against sum, without a division.
  const state = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const top = Math.max(0, y - window);
    const bottom = Math.min(h, y + window + 1);
    const from = (y0 + y) * width + x0;
    for (let x = 0; x < w; x++) {
      const left = Math.max(0, x - window);
      const right = Math.min(w, x + window + 1);
      const area = (bottom - top) * (right - left);
      const total = sums[bottom * stride + right]! - sums[top * stride + right]! - sums[bottom * stride + left]! + sums[top * stride + left]!;
      const scaled = pixels[from + x]! * area;
      if (total - scaled >= contrast * area) state[y * w + x] = 1;
      else if (scaled - total >= contrast * area) state[y * w + x] = 2;
    }
  }
  const dark: Mark[] = [];
  const light: Mark[] = [];
  const stack = new Int32Array(w * h);
  for (let start = 0; start < state.length; start++) {
    const kind = state[start]!;
    if (kind === 0) continue;
    state[start] = 0;
    let size = 0;
    stack[size++] = start;
    let minX = w;
    let minY = h;
    let maxX = -1;
    let maxY = -1;
    let count = 0;
    while (size > 0) {
      const at = stack[--size]!;
      const x = at % w;
      const y = (at - x) / w;
      count++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (x > 0 && state[at - 1] === kind) (state[at - 1] = 0), (stack[size++] = at - 1);
      if (x < w - 1 && state[at + 1] === kind) (state[at + 1] = 0), (stack[size++] = at + 1);
      if (y > 0 && state[at - w] === kind) (state[at - w] = 0), (stack[size++] = at - w);
      if (y < h - 1 && state[at + w] === kind) (state[at + w] = 0), (stack[size++] = at + w);
    }
    (kind === 1 ? dark : light).push({ x: x0 + minX, y: y0 + minY, width: maxX - minX + 1, height: maxY - minY + 1, pixels: count });
  }
  return [dark, light];
}

/**
 * The crop drawn at twice its size, interpolated (bilinear): characters 5 or 6 pixels high at 512
 * touch their neighbours, and the halftones between them become gaps a window can split.
 */
export function doubled(luma: Luma, x0: number, y0: number, w: number, h: number): Luma {
  const { pixels, width } = luma;
  const out = new Uint8Array(4 * w * h);
  for (let y = 0; y < 2 * h; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y - 0.5) / 2));
    const top = Math.floor(sy);
    const fy = sy - top;
    const a = (y0 + top) * width + x0;
    const b = (y0 + Math.min(h - 1, top + 1)) * width + x0;
    for (let x = 0; x < 2 * w; x++) {
      const sx = Math.min(w - 1, Math.max(0, (x - 0.5) / 2));
      const left = Math.floor(sx);
      const fx = sx - left;
      const right = Math.min(w - 1, left + 1);
      const upper = pixels[a + left]! * (1 - fx) + pixels[a + right]! * fx;
      const lower = pixels[b + left]! * (1 - fx) + pixels[b + right]! * fx;
      out[y * 2 * w + x] = Math.round(upper * (1 - fy) + lower * fy);
    }
  }
  return { pixels: out, width: 2 * w, height: 2 * h };
}
