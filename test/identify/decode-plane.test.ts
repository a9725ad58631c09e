import { describe, expect, it } from 'vitest';
import type { PixelImage } from '../../src/identify/pdq/borders.js';
import { cropRect } from '../../src/identify/pdq/crops.js';
import { FilteredPlane } from '../../src/identify/pdq/filtered-plane.js';
import { HammingIndex } from '../../src/identify/pdq/hamming-index.js';
import { newHash } from '../../src/identify/pdq/hash256.js';
import type { Rect } from '../../src/identify/pdq/pdq-hasher.js';
import { pdqKernels } from '../../src/identify/pdq/simd.js';

// A query's filtered plane stays in the kernels' memory and is sampled there, never copied out.
// These tests hold it to the copied plane it replaced (filteredLuma then sampleDct): the same DCT
// bits for every rectangle, also when another image's plane or another hash pool displaced it in
// between, which makes it filter the image's pixels again.

function image(seed: number, width: number, height: number, channels: number): PixelImage {
  const pixels = new Uint8Array(width * height * channels);
  let a = seed;
  for (let i = 0; i < pixels.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    // A smooth ramp plus noise, so the DCT has structure and the filter has something to smooth.
    pixels[i] = ((i / channels) % width) + (a >>> 27);
  }
  return { pixels, width, height, channels };
}

const RECTS = (img: PixelImage): Rect[] => {
  const whole = { x: 0, y: 0, width: img.width, height: img.height };
  return [whole, cropRect(whole, [5, 5, 5, 5]), cropRect(whole, [10, 0, 3, 8]), cropRect(whole, [0, 20, 0, 0])];
};

/** The DCT of `rect` as sampled from a plane copied out of the kernels (the way before). */
function copiedDct(img: PixelImage, rect: Rect): Float32Array {
  const plane = pdqKernels().filteredLuma(img.pixels, img.width, img.height, img.channels);
  const rows = Int32Array.from({ length: 64 }, (_, k) => rect.y + Math.trunc(((k + 0.5) * rect.height) / 64));
  const columns = Int32Array.from({ length: 64 }, (_, k) => rect.x + Math.trunc(((k + 0.5) * rect.width) / 64));
  const out = new Float32Array(256);
  pdqKernels().sampleDct(plane, img.width, rows, columns, new Float32Array(4096), out);
  return out;
}

function residentDct(plane: FilteredPlane, rect: Rect): Float32Array {
  const out = new Float32Array(256);
  plane.dctOf(rect, out);
  return out;
}

describe('resident filtered planes', () => {
  const images = [image(1, 512, 288, 3), image(2, 300, 417, 4), image(3, 97, 64, 1)];
  const expected = images.map((img) => RECTS(img).map((rect) => copiedDct(img, rect)));

  it('sample the same DCT as a copied plane', () => {
    images.forEach((img, i) => {
      const plane = new FilteredPlane(img);
      for (const [r, rect] of RECTS(img).entries()) expect(residentDct(plane, rect), `image ${i} rect ${r}`).toEqual(expected[i]![r]);
    });
  });

  it('are made again, to the same bits, after another plane or hash pool took their place', () => {
    const planes = images.map((img) => new FilteredPlane(img));
    // In turn: each plane displaces the one before, so every call after the first re-filters.
    for (let round = 0; round < 2; round++) {
      planes.forEach((plane, i) => {
        for (const [r, rect] of RECTS(images[i]!).entries()) expect(residentDct(plane, rect)).toEqual(expected[i]![r]);
      });
    }
    // A scan of a new hash pool moves where the plane lives; a copied plane sampled in between too.
    const first = planes[0]!;
    residentDct(first, RECTS(images[0]!)[0]!);
    new HammingIndex([newHash(), newHash()]).scan(newHash(), 0, () => undefined);
    expect(residentDct(first, RECTS(images[0]!)[1]!)).toEqual(expected[0]![1]);
    copiedDct(images[1]!, RECTS(images[1]!)[0]!);
    expect(residentDct(first, RECTS(images[0]!)[2]!)).toEqual(expected[0]![2]);
  });
});
