import { describe, expect, it } from 'vitest';
import { gatedRegions, type Luma, textCells } from '../../src/identify/plate-reader/gate.js';

/**
 * The gate's strong steps: a step between neighbours counts when it is at least 32 grey levels up
 * or down, and counts for the cell of its left pixel. A 96 x 32 plane of grey 100 with one spike (or
 * dip) of `delta` in every 8-pixel cell of a 32 x 8 band: two steps a row and cell, 8 a cell, which
 * makes the band text-like (6 to 24), so the gate finds one place only when |delta| >= 32.
 */
function plane(delta: number, at = 3): Luma {
  const width = 96;
  const height = 32;
  const pixels = new Uint8Array(width * height).fill(100);
  for (let y = 8; y < 16; y++) for (let x = 16; x < 48; x++) if (x % 8 === at) pixels[y * width + x] = 100 + delta;
  return { pixels, width, height };
}

describe('the stroke gate', () => {
  it('counts steps of 32 up or down, and not of 31', () => {
    for (const delta of [32, -32, 60, -90]) expect(gatedRegions(plane(delta)).blobs).toBe(1);
    for (const delta of [31, -31, 0]) expect(gatedRegions(plane(delta)).blobs).toBe(0);
  });

  it("counts a step across a cell's edge for the cell on its left", () => {
    // A spike on each cell's first pixel: its rising step belongs to the cell before, which holds
    // one step a row (4 a cell, too few) where the band ends, and so the blob ends a cell earlier.
    const edge = gatedRegions(plane(40, 0));
    const inside = gatedRegions(plane(40, 3));
    expect(edge.blobs).toBe(1);
    expect(edge.regions[0]).not.toEqual(inside.regions[0]);
  });

  it('gives its text-like cells: those of the band, and no other', () => {
    const { textLike, cols, rows, cellWidth, cellHeight } = textCells(plane(40));
    expect([cols, rows, cellWidth, cellHeight]).toEqual([12, 8, 8, 4]);
    const band = [...textLike.keys()].filter((i) => textLike[i]).map((i) => [i % cols, Math.floor(i / cols)]);
    // Columns 2-5 (x 16-47) and rows 2-3 (y 8-15).
    expect(band).toEqual([2, 3].flatMap((r) => [2, 3, 4, 5].map((c) => [c, r])));
    expect(textCells(plane(31)).textLike.every((v) => v === 0)).toBe(true);
  });
});
