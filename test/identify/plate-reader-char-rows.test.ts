import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/identify/image-decode.js';
import { anyCharacterRow, hasCharacterRow, hasPanel, hasRow, LOOKS, look } from '../../src/identify/plate-reader/char-rows.js';
import { gatedRegions, type Luma, lumaOf } from '../../src/identify/plate-reader/gate.js';
import { platePhoto } from './support/plate-photo.js';

/** The 512 px plane the audit hands the reader, as luma. */
async function planeOf(bytes: Buffer): Promise<Luma> {
  const decoded = await decodeImage(bytes, { maxImagePixels: 1e8 });
  if (!decoded.ok) throw new Error(decoded.detail);
  const { pixels, width, height, channels } = decoded.image;
  return lumaOf(pixels, width, height, channels);
}

/** A grey 512 x 256 picture with the given SVG drawn on it. */
async function picture(body: string): Promise<Luma> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="256"><rect width="512" height="256" fill="#6a6a6a"/>${body}</svg>`;
  return planeOf(await sharp(Buffer.from(svg)).png().toBuffer());
}

const whole = { x: 0, y: 0, width: 512, height: 256 };
const glyph = (x: number, y: number, size: number, char: string) =>
  `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-weight="bold" font-size="${size}" fill="#111">${char}</text>`;

describe('hasCharacterRow', () => {
  it('finds the plate of the test photo in a place the gate gives', async () => {
    const luma = await planeOf(await platePhoto('QRT 4821'));
    const { regions } = gatedRegions(luma);
    expect(regions.some((region) => hasCharacterRow(luma, region))).toBe(true);
  });

  it('finds a row of characters on a light plate, and one of light characters on a dark plate', async () => {
    const dark = await picture(`<rect x="150" y="100" width="180" height="48" fill="#eeeeea"/>${glyph(162, 138, 30, 'KX7 2049')}`);
    expect(hasCharacterRow(dark, whole)).toBe(true);
    const light = await picture(`<rect x="150" y="100" width="180" height="48" fill="#181818"/>${glyph(162, 138, 30, 'KX7 2049').replace('#111', '#f0f0f0')}`);
    expect(hasCharacterRow(light, whole)).toBe(true);
  });

  it('finds a tilted row, and not characters that step up and down', async () => {
    const plate = `<rect x="150" y="100" width="180" height="48" fill="#eeeeea"/>${glyph(162, 138, 30, 'KX7 2049')}`;
    expect(hasCharacterRow(await picture(`<g transform="rotate(5 240 124)">${plate}</g>`), whole)).toBe(true);
    const zigzag = ['K', 'X', '7', '2', '0', '4'].map((c, i) => glyph(162 + i * 24, 138 + (i % 2) * 12, 30, c)).join('');
    // On the bare background: a plate panel holding them would pass, level or not.
    expect(hasCharacterRow(await picture(zigzag), whole)).toBe(false);
    expect(hasCharacterRow(await picture(zigzag.replaceAll(/y="1(38|50)"/g, 'y="138"')), whole)).toBe(true);
  });

  it('finds a plate too small for its characters to stand apart, by its panel', async () => {
    // About a US plate's size at 512 pixels in the openalpr photos (32 x 13), characters 4-5 high.
    const characters = ['6', 'H', 'P', '9', '9', '5'].map((c, i) => glyph(202 + i * 4.5, 110, 6, c)).join('');
    expect(look(await picture(`<rect x="200" y="100" width="32" height="13" fill="#efefe8"/>${characters}`), whole, LOOKS[0]!)).toBe(true);
    // The same characters with no plate around them are too small to be a row at the first look
    // (the finer look, at twice the size, can find them as one).
    expect(look(await picture(characters.replaceAll('#111', '#e0e0e0')), whole, LOOKS[0]!)).toBe(false);
  });

  it('finds small dim touching characters only in the doubled look, and only five or more of them', async () => {
    // Characters about 6 pixels high, 20 grey levels darker than the ground, a stroke apart: the
    // first look sees them merge; drawn at twice the size they stand apart.
    const doubledLook = LOOKS.find((how) => how.scale === 2)!;
    const row = (chars: string[]) => chars.map((c, i) => glyph(200 + i * 5.6, 130, 8, c).replace('#111', '#555')).join('');
    // A place about them, as the gate gives: the doubled look leaves places of the whole frame alone.
    const place = { x: 120, y: 80, width: 200, height: 80 };
    const seven = await picture(row(['K', 'X', '7', '2', '0', '4', '9']));
    expect(look(seven, place, LOOKS[0]!)).toBe(false);
    expect(look(seven, place, doubledLook)).toBe(true);
    expect(hasCharacterRow(seven, place)).toBe(true);
    expect(look(await picture(row(['K', 'X', '7', '2'])), place, doubledLook)).toBe(false);
  });

  it('does not look at a place of the whole frame doubled', async () => {
    // The same small characters: found in a place the size of a car, not in one the size of the picture.
    const seven = await picture(['K', 'X', '7', '2', '0', '4', '9'].map((c, i) => glyph(200 + i * 5.6, 130, 8, c).replace('#111', '#555')).join(''));
    const doubledLook = LOOKS.find((how) => how.scale === 2)!;
    expect(look(seven, { x: 0, y: 0, width: 512, height: 200 }, doubledLook)).toBe(true);
    expect(look(seven, { x: 0, y: 0, width: 512, height: 240 }, doubledLook)).toBe(false);
    expect(look(seven, whole, doubledLook)).toBe(false);
    expect(hasCharacterRow(seven, whole)).toBe(false);
  });

  it('finds a grey plate on a white car only at a higher contrast, and only five or more characters', async () => {
    // Its characters join the panel at the first look's contrast of 10. (Drawn 8.7 pixels apart
    // they merged in pairs, and only a pair's holes inside it passed, as a panel of uneven marks.)
    const plate = (n: number) =>
      `<rect width="512" height="256" fill="#e8e8e8"/><rect x="200" y="97" width="85" height="20" fill="#909090"/>${['J', 'Q', 'S', '5', '6', '8', '3']
        .slice(0, n)
        .map((c, i) => glyph(204 + i * 11, 112, 14, c).replace('#111', '#606060'))
        .join('')}`;
    const seven = await picture(plate(7));
    expect(look(seven, whole, LOOKS[0]!)).toBe(false);
    expect(look(seven, whole, LOOKS.find((how) => how.contrast === 20)!)).toBe(true);
    expect(hasCharacterRow(await picture(plate(4)), whole)).toBe(false);
  });

  it('finds a row in any of the places it is given', async () => {
    const luma = await picture(`<rect x="150" y="100" width="180" height="48" fill="#eeeeea"/>${glyph(162, 138, 30, 'KX7 2049')}`);
    const empty = { x: 0, y: 0, width: 140, height: 256 };
    expect(anyCharacterRow(luma, [empty, { x: 140, y: 90, width: 200, height: 70 }])).toBe(true);
    expect(anyCharacterRow(luma, [empty])).toBe(false);
  });

  it('does not take the same characters for a row when they are not level or not close', async () => {
    const scattered = ['K', 'X', '7', '2', '0', '4'].map((c, i) => glyph(40 + i * 75, 60 + ((i * 97) % 150), 18 + ((i * 7) % 3) * 10, c)).join('');
    expect(hasCharacterRow(await picture(scattered), whole)).toBe(false);
  });

  it('passes nothing in noise, and nothing in a plain picture', async () => {
    let state = 7;
    const noise = new Uint8Array(512 * 256).map(() => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
    expect(hasCharacterRow({ pixels: noise, width: 512, height: 256 }, whole)).toBe(false);
    expect(hasCharacterRow(await picture(''), whole)).toBe(false);
  });

  it('reads only inside the region it is given', async () => {
    const luma = await picture(`<rect x="150" y="100" width="180" height="48" fill="#eeeeea"/>${glyph(162, 138, 30, 'KX7 2049')}`);
    expect(hasCharacterRow(luma, { x: 0, y: 0, width: 140, height: 256 })).toBe(false);
    expect(hasCharacterRow(luma, { x: 140, y: 90, width: 200, height: 70 })).toBe(true);
  });
});

describe('hasRow on a place crafted against it', () => {
  // Marks 10 and 20 px high within 50 px of the left edge, each 25 px below the one before (never
  // level with another), under a first mark 200 px high: none makes a row, and each is compared
  // with every one after it.
  const crafted = (count: number) => [
    { x: 0, y: 0, width: 10, height: 200, pixels: 1000 },
    ...Array.from({ length: count }, (_, i) => ({ x: 1 + (i % 50), y: 25 * i, width: 4, height: i % 2 ? 10 : 20, pixels: 20 })),
  ];

  it('finds no row among marks that never line up', () => {
    expect(hasRow(crafted(300), 4)).toBe(false);
  });

  it('gives up past its budget of compared pairs and lets the place be read (a crafted place costs the square of its marks)', () => {
    // 4,000 marks are 8 million pairs; the budget is a million, about ten times what photos reach.
    expect(hasRow(crafted(4000), 4)).toBe(true);
  });

  it('gives up on panels past the same budget: thousands of filled wide marks, each with thousands of marks outside it', () => {
    const panels = (count: number) => Array.from({ length: count }, (_, i) => ({ x: 30 * i, y: 0, width: 24, height: 10, pixels: 240 }));
    const outside = (count: number) => Array.from({ length: count }, (_, i) => ({ x: 2 * i, y: 50, width: 1, height: 5, pixels: 5 }));
    expect(hasPanel(panels(30), outside(300))).toBe(false);
    expect(hasPanel(panels(2000), outside(2000))).toBe(true); // 4 million pairs
    // Marks one pixel high are not listed (marks.ts) but still count against the budget.
    expect(hasPanel(panels(2000), outside(20))).toBe(false);
    expect(hasPanel(panels(2000), outside(20), 2000)).toBe(true);
  });
});

describe('hasPanel', () => {
  const panel = { x: 100, y: 50, width: 60, height: 20, pixels: 1000 };
  const marks = (heights: number[]) => heights.map((height, i) => ({ x: 104 + 8 * i, y: 60 - height / 2, width: 5, height, pixels: 3 * height }));

  it('takes a filled plate-shaped mark with even characters across it for a plate', () => {
    expect(hasPanel([panel], marks([12, 12, 11, 12, 12, 12]))).toBe(true);
  });

  it('does not take marks of mixed heights for its characters (texture on a filled patch)', () => {
    // Heights 5 and 14 by turns: their spread is 0.47 of their mean.
    expect(hasPanel([panel], marks([5, 14, 5, 14, 5, 14]))).toBe(false);
  });

  it('does not take marks that reach past its sides', () => {
    // A last mark centred on the panel, 6 pixels (0.3 of the panel's height) past its right side;
    // 2 pixels past (0.1) is allowed.
    const last = (width: number) => [...marks([12, 12, 12, 12]), { x: 152, y: 54, width, height: 12, pixels: 36 }];
    expect(hasPanel([panel], last(14))).toBe(false);
    expect(hasPanel([panel], last(10))).toBe(true);
  });
});
