import { describe, expect, it } from 'vitest';
import { boxFilterCols, boxFilterRows, jaroszWindow } from '../../src/identify/pdq/jarosz.js';

const fr = Math.fround;

/**
 * The box filter of ThreatExchange `downscaling.cpp` (`box1DFloat`), one line at a time, written
 * from the C++ as plainly as possible: the four-lane filter must agree with it to the bit.
 */
function referenceBox(src: Float32Array, dst: Float32Array, start: number, length: number, stride: number, window: number): void {
  const half = Math.trunc((window + 2) / 2);
  let sum = 0;
  let count = 0;
  let ri = start;
  let li = start;
  let oi = start;
  for (let i = 0; i < half - 1; i++, ri += stride) (sum = fr(sum + src[ri]!)), count++;
  for (let i = 0; i < window - half + 1; i++, ri += stride, oi += stride) (sum = fr(sum + src[ri]!)), count++, (dst[oi] = sum / count);
  for (let i = 0; i < length - window; i++, ri += stride, li += stride, oi += stride) {
    sum = fr(fr(sum + src[ri]!) - src[li]!);
    dst[oi] = sum / count;
  }
  for (let i = 0; i < half - 1; i++, li += stride, oi += stride) (sum = fr(sum - src[li]!)), count--, (dst[oi] = sum / count);
}

describe('Jarosz box filters', () => {
  it('agree bit for bit with the one-line reference, for every remainder of four and several windows', () => {
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed / 2 ** 32) * 255);
    for (const [rows, cols] of [[1, 1], [3, 5], [4, 4], [5, 9], [7, 6], [64, 64], [97, 31], [130, 259]] as const) {
      const src = Float32Array.from({ length: rows * cols }, next);
      for (const window of new Set([1, 2, 3, 4, jaroszWindow(cols), jaroszWindow(rows)])) {
        if (window > Math.min(rows, cols)) continue;
        const expectRows = new Float32Array(rows * cols);
        for (let i = 0; i < rows; i++) referenceBox(src, expectRows, i * cols, cols, 1, window);
        const gotRows = new Float32Array(rows * cols);
        boxFilterRows(src, gotRows, rows, cols, window);
        expect(gotRows).toEqual(expectRows);
        const expectCols = new Float32Array(rows * cols);
        for (let j = 0; j < cols; j++) referenceBox(src, expectCols, j, rows, cols, window);
        const gotCols = new Float32Array(rows * cols);
        boxFilterCols(src, gotCols, rows, cols, window);
        expect(gotCols).toEqual(expectCols);
      }
    }
  });
});
