import { describe, expect, it } from 'vitest';
import { DCT_MATRIX, qualityOf64x64 } from '../../src/identify/pdq/dct.js';
import { fillLuma } from '../../src/identify/pdq/pdq-hasher.js';
import { pdqKernels } from '../../src/identify/pdq/simd.js';

// The WebAssembly kernels (src/identify/pdq/wasm/kernels.ts) against plain JavaScript ports of the
// C++ they replace, written as literally as possible: every float32 operation rounded with
// Math.fround. The kernels must agree to the bit, on every size's remainder of four.

const fr = Math.fround;

/** `box1DFloat` of ThreatExchange downscaling.cpp, one line. */
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

/** `jaroszFilterFloat`: rows then columns, twice, windows ceil(dimension / 128). */
function referenceJarosz(plane: Float32Array, width: number, height: number): void {
  const tmp = new Float32Array(width * height);
  const winRows = Math.trunc((width + 127) / 128);
  const winCols = Math.trunc((height + 127) / 128);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < height; i++) referenceBox(plane, tmp, i * width, width, 1, winRows);
    for (let j = 0; j < width; j++) referenceBox(tmp, plane, j, height, width, winCols);
  }
}

/** `dct64To16` of pdqhashing.cpp: B = D A Dt, float sums in k order. */
function referenceDct(a: Float32Array): Float32Array {
  const d = DCT_MATRIX;
  const t = new Float32Array(16 * 64);
  const out = new Float32Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fr(sum + fr(d[i * 64 + k]! * a[k * 64 + j]!));
      t[i * 64 + j] = sum;
    }
  }
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fr(sum + fr(t[i * 64 + k]! * d[j * 64 + k]!));
      out[i * 16 + j] = sum;
    }
  }
  return out;
}

/**
 * Where two planes first differ in their bit patterns (so -0 and 0 are told apart), or 'none'. A
 * deep equality over a million elements would take the test runner half a minute.
 */
function firstDifference(got: Float32Array, expected: Float32Array): string {
  const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return `at ${i}: ${got[i]} instead of ${expected[i]}`;
  return got.length === expected.length ? 'none' : `length ${got.length} instead of ${expected.length}`;
}

function random(seed: number): () => number {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed / 2 ** 32);
}

describe('PDQ kernels in WebAssembly SIMD', () => {
  /** Filters random planes of the given sizes with the kernel and with the reference port. */
  function expectFilterAsReference(seed: number, sizes: readonly (readonly [number, number])[]): void {
    const next = random(seed);
    for (const [width, height] of sizes) {
      const source = Float32Array.from({ length: width * height }, () => fr(next() * 255));
      const expected = source.slice();
      referenceJarosz(expected, width, height);
      const got = source.slice();
      pdqKernels().jaroszFilter(got, width, height);
      expect(firstDifference(got, expected), `${width}x${height}`).toBe('none');
    }
  }

  it('tent-filter bit for bit as downscaling.cpp, for every remainder of four and both window parities', () => {
    expectFilterAsReference(7, [
      [1, 1],
      [5, 5],
      [3, 9],
      [4, 4],
      [7, 6],
      [64, 64],
      [97, 31],
      [130, 259],
      [257, 129],
      [513, 390],
      [1023, 5],
    ]);
  });

  it('keeps filtering correctly after its memory grows for a larger plane, and back down', () => {
    expectFilterAsReference(11, [
      [40, 30],
      [1600, 1200],
      [41, 29],
    ]);
  });

  it('computes the 64x64 -> 16x16 DCT bit for bit as pdqhashing.cpp, on pixels, extremes and flat blocks', () => {
    const next = random(3);
    const blocks = [
      ...Array.from({ length: 40 }, () => Float32Array.from({ length: 4096 }, () => fr(next() * 255))),
      Float32Array.from({ length: 4096 }, () => fr((next() - 0.5) * 1e6)),
      Float32Array.from({ length: 4096 }, (_, i) => (((i >> 6) + (i & 63)) % 2 === 0 ? 255 : 0)),
      new Float32Array(4096).fill(128),
      new Float32Array(4096),
    ];
    const out = new Float32Array(256);
    for (const block of blocks) {
      pdqKernels().dct64To16(block, out);
      expect(firstDifference(out, referenceDct(block))).toBe('none');
    }
  });

  it('computes luma and filters it as fillLuma and downscaling.cpp do, for 1 to 4 channels', () => {
    const next = random(5);
    for (const channels of [1, 2, 3, 4]) {
      for (const [width, height] of [
        [5, 5],
        [67, 45],
        [300, 201],
      ] as const) {
        const pixels = Uint8Array.from({ length: width * height * channels }, () => Math.floor(next() * 256));
        const expected = new Float32Array(width * height);
        fillLuma(pixels, width, channels, { x: 0, y: 0, width, height }, expected);
        referenceJarosz(expected, width, height);
        const filtered = pdqKernels().filteredLuma(pixels, width, height, channels);
        expect(firstDifference(filtered, expected), `${channels} channels, ${width}x${height}`).toBe('none');
        // The filtered plane stays in the kernels' memory as the plane sampled next.
        const centres = Int32Array.from({ length: 64 }, (_, k) => Math.trunc(((k + 0.5) * Math.min(width, height)) / 64));
        const block = new Float32Array(4096);
        pdqKernels().sampleDct(filtered, width, centres, centres, block, new Float32Array(256));
        const expectedBlock = Float32Array.from({ length: 4096 }, (_, i) => expected[centres[i >> 6]! * width + centres[i & 63]!]!);
        expect(firstDifference(block, expectedBlock)).toBe('none');
      }
    }
  });

  it('samples and transforms blocks of two planes used in turn (one stays resident) as the reference would', () => {
    const next = random(9);
    const planes = [
      [90, 70],
      [200, 130],
    ].map(([width, height]) => ({ width: width!, height: height!, plane: Float32Array.from({ length: width! * height! }, () => fr(next() * 255)) }));
    const rows = new Int32Array(64);
    const columns = new Int32Array(64);
    const block = new Float32Array(4096);
    const out = new Float32Array(256);
    for (let round = 0; round < 6; round++) {
      const { width, height, plane } = planes[round % 2]!;
      for (let k = 0; k < 64; k++) {
        rows[k] = Math.floor(next() * height);
        columns[k] = Math.floor(next() * width);
      }
      const expectedBlock = new Float32Array(4096);
      for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) expectedBlock[i * 64 + j] = plane[rows[i]! * width + columns[j]!]!;
      pdqKernels().sampleDct(plane, width, rows, columns, block, out);
      expect(firstDifference(block, expectedBlock)).toBe('none');
      expect(firstDifference(out, referenceDct(expectedBlock))).toBe('none');
    }
  });
  it('judges quality as qualityOf64x64 (pdqhashing.cpp) does, from flat to busy blocks, at integer boundaries and in the last columns', () => {
    const next = random(11);
    const blocks: Float32Array[] = [];
    // Noise of growing amplitude: qualities from 0 up to the cap of 100.
    for (let amplitude = 0; amplitude <= 16; amplitude += 0.25) blocks.push(Float32Array.from({ length: 4096 }, () => fr(100 + next() * amplitude)));
    // Neighbours 2.55 k apart (a scaled difference of exactly k) and a few float steps either side, both signs.
    const steps = [-1, 0, 1];
    blocks.push(
      Float32Array.from({ length: 4096 }, (_, i) => {
        const level = fr(2.55 * (i % 7));
        const step = steps[i % 3]!;
        return step === 0 ? level : fr(level + step * 2 ** -18);
      }),
    );
    // Every row the same (no vertical pair scores) and flat but for columns 61-63: only the pairs
    // (60,61), (61,62) and (62,63) score, which the kernel's vectors leave to scalar code.
    const tail = Float32Array.from({ length: 4096 }, (_, i) => ((i & 63) >= 61 ? fr(128 + ((i & 63) - 60) * 12.75) : 128));
    blocks.push(tail);
    // Flat but for the last row.
    blocks.push(Float32Array.from({ length: 4096 }, (_, i) => (i >= 63 * 64 ? fr(next() * 255) : 128)));
    const qualities = blocks.map((block) => qualityOf64x64(block));
    expect(qualities[blocks.indexOf(tail)]).toBeGreaterThan(0);
    expect(qualities[blocks.indexOf(tail)]).toBeLessThan(100);
    expect(new Set(qualities).size).toBeGreaterThan(30);
    expect(qualities).toContain(0);
    expect(qualities).toContain(100);
    for (const [i, block] of blocks.entries()) expect(pdqKernels().quality(block), `block ${i}`).toBe(qualities[i]);
  });
});
