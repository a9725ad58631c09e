import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/identify/detector.js';
import { decodeImage } from '../../src/identify/image-decode.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import { lowRes } from '../../src/identify/subimage/low-res.js';
import { cut, REGION_FINDERS } from '../../src/identify/subimage/sub-image-search.js';
import { bridge, detect, fixtures, reference, setupFor, unrelated } from './support/perceptual.js';

const other = readFileSync(path.join(fixtures, 'q2821.jpg'));

/** A 3x3 contact sheet (cells 380x285, gutters 16 px of `gutter`), `picture` in cell `at`, the others from `fillers`. */
async function sheet(picture: Buffer, at: number, fillers: Buffer[], gutter: string): Promise<Buffer> {
  const cells = [];
  for (let i = 0; i < 9; i++) {
    const input = i === at ? picture : fillers[i % fillers.length]!;
    // Fitted to the cell on the gutter's colour, as sheet makers do: a wide picture is letterboxed.
    const fitted = await sharp(input).resize(380, 285, { fit: 'contain', background: gutter }).toBuffer();
    cells.push({ input: fitted, left: 16 + (i % 3) * 396, top: 16 + Math.floor(i / 3) * 301 });
  }
  return sharp({ create: { width: 1204, height: 919, channels: 3, background: gutter } })
    .composite(cells)
    .jpeg({ quality: 85 })
    .toBuffer();
}

describe('contact sheets (sub-image search, grid cells)', () => {
  let detector: Detector;
  const fillers: Buffer[] = [];

  beforeAll(async () => {
    detector = perceptualDetector.create(setupFor([await reference('refs/bridge.jpg', bridge), await reference('refs/q2821.jpg', other)]))!;
    // Non-agency pictures: the unrelated fixture cut four ways and turned, so no cell repeats another.
    for (const [i, angle] of [0, 90, 180, 270].entries()) {
      const position = ['north', 'south', 'east', 'west'][i]!;
      fillers.push(await sharp(unrelated).resize(300, 220, { fit: 'cover', position }).rotate(angle).toBuffer());
    }
  });

  it('proposes every cell of a 3x3 sheet, trimmed of the gutter around its picture', async () => {
    const bytes = await sheet(bridge, 4, fillers, '#202020');
    const decoded = await decodeImage(bytes, { maxImagePixels: 1e8 });
    if (!decoded.ok) throw new Error(decoded.detail);
    const plane = lowRes(decoded.image);
    const cells = REGION_FINDERS.flatMap((find) => find(decoded.image, plane)).filter((c) => c.method === 'grid-cell');
    // The centre cell's picture (the bridge, 380 px wide, letterboxed) in query pixels.
    const s = decoded.image.width / 1204;
    const meta = await sharp(bridge).metadata();
    const h = (380 * meta.height!) / meta.width!;
    const expected = { x: 412 * s, y: (317 + (285 - h) / 2) * s, width: 380 * s, height: h * s };
    expect(cells.length).toBeGreaterThanOrEqual(9);
    const near = (a: number, b: number) => Math.abs(a - b) <= 4;
    expect(
      cells.some(({ region: r }) => near(r.x, expected.x) && near(r.y, expected.y) && near(r.width, expected.width) && near(r.height, expected.height)),
    ).toBe(true);
    // Each cell carries its own pixels, so the rough gate hashes it at its own size, not from the sheet's filtered plane.
    for (const c of cells) expect(c.pixels).toEqual(cut(decoded.image, c.region));
  }, 30_000);

  it('claims a reference in one cell of a 3x3 sheet, with the cell as its region', async () => {
    const result = await detect(detector, 'share/sheet.jpg', await sheet(bridge, 4, fillers, '#ffffff'));
    expect(result.identifications.map((i) => i.reference)).toEqual(['refs/bridge.jpg']);
    const evidence = result.identifications[0]!.evidence as { region: string; geometry: { method: string } };
    const [x, y] = evidence.region.split(',').map(Number);
    expect(x).toBeGreaterThan(30);
    expect(x).toBeLessThan(40);
    expect(y).toBeGreaterThan(33);
    expect(y).toBeLessThan(50);
  }, 30_000);

  it('claims nothing in a sheet of non-agency pictures', async () => {
    const result = await detect(detector, 'share/other-sheet.jpg', await sheet(fillers[0]!, 4, fillers, '#ffffff'));
    expect(result.identifications).toEqual([]);
  }, 30_000);
});
