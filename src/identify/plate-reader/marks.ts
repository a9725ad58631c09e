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
  // Summed-area table, (w + 1) x (h + 1); a doubled 1024 x 1024 place of 255s fits in 32 bits. Its
  // top row and left column are the zeros the loop below does not write.
  const stride = w + 1;
  const { sums, state, stack } = scratchFor(stride * (h + 1));
  sums.fill(0, 0, stride);
  for (let y = 1; y <= h; y++) sums[y * stride] = 0;
  for (let y = 0; y < h; y++) {
    let row = 0;
    const from = (y0 + y) * width + x0;
    for (let x = 0; x < w; x++) {
      row += pixels[from + x]!;
      sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1]! + row;
    }
  }
  // 1 = dark mark, 2 = light mark; compared as value * area against sum, without a division.
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
      else state[y * w + x] = 0;
    }
  }
  const dark: Mark[] = [];
  const light: Mark[] = [];
  for (let start = 0; start < w * h; start++) {
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
 * Working arrays of the last call, reused: the row test binarises every place at five looks (the
 * last over four times its pixels), and fresh arrays of that size cost more in allocation, zeroing
 * and page faults than the binarisation itself (profiled: about a third of marksOf's time). They
 * grow to the largest place seen, at most a doubled 1024 x 1024 (about 9 MB); the test is
 * synchronous, so no two calls share them at once.
 */
let scratch = { sums: new Int32Array(0), state: new Uint8Array(0), stack: new Int32Array(0) };

function scratchFor(size: number): typeof scratch {
  if (scratch.sums.length < size) scratch = { sums: new Int32Array(size), state: new Uint8Array(size), stack: new Int32Array(size) };
  return scratch;
}

/**
 * The crop drawn at twice its size, interpolated (bilinear): characters 5 or 6 pixels high at 512
 * touch their neighbours, and the halftones between them become gaps a window can split.
 */
export function doubled(luma: Luma, x0: number, y0: number, w: number, h: number): Luma {
  const { pixels, width } = luma;
  const out = new Uint8Array(4 * w * h);
  // Drawn at twice the size, each output pixel lies a quarter or three quarters of the way between
  // two source pixels (none at the edges), so the bilinear weights are 0, 1 or 3 quarters and the
  // value is an exact sixteenth: integer arithmetic rounds it as Math.round on the float did (the
  // same bytes), at a fraction of the cost. Each output column's sources and weight are found once.
  const lefts = new Int32Array(2 * w);
  const rights = new Int32Array(2 * w);
  const quarters = new Int32Array(2 * w);
  for (let x = 0; x < 2 * w; x++) {
    const sx = Math.min(w - 1, Math.max(0, (x - 0.5) / 2));
    const left = Math.floor(sx);
    lefts[x] = left;
    rights[x] = Math.min(w - 1, left + 1);
    quarters[x] = (sx - left) * 4;
  }
  for (let y = 0; y < 2 * h; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y - 0.5) / 2));
    const top = Math.floor(sy);
    const fy = (sy - top) * 4;
    const a = (y0 + top) * width + x0;
    const b = (y0 + Math.min(h - 1, top + 1)) * width + x0;
    const row = y * 2 * w;
    for (let x = 0; x < 2 * w; x++) {
      const left = lefts[x]!;
      const right = rights[x]!;
      const fx = quarters[x]!;
      const upper = pixels[a + left]! * (4 - fx) + pixels[a + right]! * fx;
      const lower = pixels[b + left]! * (4 - fx) + pixels[b + right]! * fx;
      out[row + x] = (upper * (4 - fy) + lower * fy + 8) >> 4;
    }
  }
  return { pixels: out, width: 2 * w, height: 2 * h };
}
