import { describe, expect, it } from 'vitest';
import { COARSE_SIDE, pdqKernels } from '../../src/identify/pdq/simd.js';
import { coarsePlane, sampleCoarse } from '../../src/identify/subimage/coarse-hash.js';
import type { LowRes } from '../../src/identify/subimage/low-res.js';

/**
 * The coarse rough hash's parts (coarse-hash.ts): the 2 x 2 plane, the sample of a quad from it, and
 * the kernel's 32-point DCT against PDQ's DCT definition over 32 samples, computed here in doubles.
 */

function noise(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32) * 255);
}

describe('coarse rough hash', () => {
  it("makes PDQ's 16 x 16 DCT of a 32 x 32 sample (frequencies 1-16 over 32 points)", () => {
    const n = COARSE_SIDE;
    const d = (i: number, j: number) => Math.sqrt(2 / n) * Math.cos((Math.PI / 2 / n) * (i + 1) * (2 * j + 1));
    for (const seed of [1, 2, 3]) {
      const block = noise(n * n, seed);
      const got = new Float32Array(256);
      pdqKernels().dct32To16(block, got);
      for (let i = 0; i < 16; i++)
        for (let j = 0; j < 16; j++) {
          let want = 0;
          for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) want += d(i, r) * block[r * n + c]! * d(j, c);
          expect(got[i * 16 + j]!).toBeCloseTo(want, 1);
        }
    }
  });

  it('averages the plane over 2 x 2 boxes, and samples an upright quad from it at box centres', () => {
    const w = 2 * COARSE_SIDE + 1;
    const h = 2 * COARSE_SIDE;
    const plane: LowRes = { luma: noise(w * h, 9), width: w, height: h, scaleX: 1, scaleY: 1 };
    const coarse = coarsePlane(plane);
    expect([coarse.width, coarse.height]).toEqual([COARSE_SIDE, COARSE_SIDE]);
    const at = (x: number, y: number) => plane.luma[y * w + x]!;
    expect(coarse.luma[3 * COARSE_SIDE + 5]).toBeCloseTo((at(10, 6) + at(11, 6) + at(10, 7) + at(11, 7)) / 4, 4);
    // The quad over the plane's first 2 * COARSE_SIDE columns: each sample falls on a box's centre.
    const out = new Float32Array(COARSE_SIDE * COARSE_SIDE);
    const side = 2 * COARSE_SIDE;
    sampleCoarse(
      coarse,
      [
        { x: 0, y: 0 },
        { x: side, y: 0 },
        { x: side, y: side },
        { x: 0, y: side },
      ],
      out,
    );
    for (let k = 0; k < out.length; k += 37) expect(out[k]).toBeCloseTo(coarse.luma[k]!, 3);
  });
});
