import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_LIMITS } from '../../src/identify/detector.js';
import { type DecodedImage, decodeImage } from '../../src/identify/image-decode.js';
import { FilteredPlane } from '../../src/identify/pdq/filtered-plane.js';
import { hamming } from '../../src/identify/pdq/hash256.js';
import { PerceptualMatcher } from '../../src/identify/pdq/matcher.js';
import { PdqHasher } from '../../src/identify/pdq/pdq-hasher.js';
import { checkTiles, storedTiles, TILE_GRID, TILE_THRESHOLD } from '../../src/identify/pdq/tiles.js';
import type { Reference } from '../../src/references/schema.js';
import { scenes } from '../synth/synth-api.js';
import { reference } from './support/perceptual.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'pdq');
const bridge = readFileSync(path.join(fixtures, 'bridge-640.jpg'));

async function decode(bytes: Buffer): Promise<DecodedImage> {
  const decoded = await decodeImage(bytes, { maxImagePixels: DEFAULT_DETECT_LIMITS.maxImagePixels });
  if (!decoded.ok) throw new Error(decoded.detail);
  return decoded.image;
}

describe('one filtered plane per image', () => {
  it('gives the bit-exact PDQ hash of the whole image, at any size', async () => {
    const hasher = new PdqHasher();
    const images = [await decode(bridge)];
    for (const [width, height] of [
      [64, 64],
      [97, 31],
      [5, 5],
      [300, 1200],
    ] as const) {
      const pixels = new Uint8Array(width * height * 3);
      for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
      images.push({ pixels, width, height, channels: 3, media: 'image/png' });
    }
    for (const image of images) {
      const exact = hasher.hashPixels(image.pixels, image.width, image.height, image.channels);
      const plane = new FilteredPlane(image);
      const dct = new Float32Array(256);
      plane.dctOf({ x: 0, y: 0, width: image.width, height: image.height }, dct);
      const quality = plane.quality();
      expect(hamming(plane.bits(dct, new Uint32Array(8)), exact.hash)).toBe(0);
      expect(quality).toBe(exact.quality);
    }
  });
});

describe('tile verification', () => {
  let bridgeRef: Reference;
  let matcher: PerceptualMatcher;

  beforeAll(async () => {
    bridgeRef = await reference('refs/bridge.jpg', bridge);
    matcher = new PerceptualMatcher([bridgeRef]);
  });

  it(`stores a ${TILE_GRID}x${TILE_GRID} grid of tile hashes with every reference`, () => {
    const tiles = storedTiles(bridgeRef.pdq!);
    expect(tiles).toHaveLength(TILE_GRID * TILE_GRID);
    expect(new Set(tiles.map((t) => `${t.row},${t.col}`)).size).toBe(TILE_GRID * TILE_GRID);
  });

  // Each physical rotation or flip must map the stored tiles onto the same content in the query:
  // a wrong mapping for any of the eight transforms would put textured tiles far apart.
  const TRANSFORMS: Array<[string, (s: Sharp) => Sharp]> = [
    ['as is', (s) => s],
    ['rotated 90', (s) => s.rotate(90)],
    ['rotated 180', (s) => s.rotate(180)],
    ['rotated 270', (s) => s.rotate(270)],
    ['mirrored left-right', (s) => s.flop()],
    ['mirrored top-bottom', (s) => s.flip()],
    ['transposed', (s) => s.rotate(90).flop()],
    ['anti-transposed', (s) => s.rotate(90).flip()],
  ];
  for (const [name, transform] of TRANSFORMS) {
    it(`maps every tile through the match geometry when ${name}`, async () => {
      const query = await transform(sharp(bridge)).jpeg({ quality: 85 }).toBuffer();
      const outcome = matcher.match(await decode(query));
      expect(outcome.kind).toBe('match');
      if (outcome.kind !== 'match') return;
      expect(outcome.match.tiles).toBeDefined();
      expect(outcome.match.tiles!.checked).toBeGreaterThanOrEqual(6);
      expect(outcome.match.tiles!.agreeing).toBe(outcome.match.tiles!.checked);
    });
  }

  it('finds the tiles of a cropped copy at the aligned rectangle', async () => {
    const query = await sharp(bridge).extract({ left: 26, top: 24, width: 602, height: 342 }).jpeg().toBuffer();
    const outcome = matcher.match(await decode(query));
    expect(outcome.kind).toBe('match');
    if (outcome.kind !== 'match') return;
    expect(outcome.match.tiles!.checked).toBeGreaterThanOrEqual(6);
    expect(outcome.match.tiles!.passed).toBe(true);
  });

  it('rejects another vehicle photographed by the same fixed camera, which the whole hash cannot tell apart', async () => {
    const timestamp = '2026-10-03T08:15:00Z';
    const a = await scenes.vehicleCapture({ seed: 11, cameraId: 'L3-C07', plate: 'KXR4471', timestamp });
    const b = await scenes.vehicleCapture({ seed: 12, cameraId: 'L3-C07', plate: 'PMT2093', timestamp });
    const refA = await reference('refs/a.jpg', a);
    const imageB = await decode(b);
    const planeB = new FilteredPlane(imageB);
    const check = checkTiles(planeB, storedTiles(refA.pdq!), {
      crop: [0, 0, 0, 0],
      rect: { x: 0, y: 0, width: imageB.width, height: imageB.height },
      dihedral: 'original',
    });
    expect(check.passed).toBe(false);
    expect(check.worst).toBeGreaterThan(TILE_THRESHOLD);
    // And the matcher, with any first-stage threshold, never claims B for A.
    const loose = new PerceptualMatcher([refA], { threshold: 63 });
    expect(loose.match(imageB).kind).toBe('no-match');
    // Whereas a re-encoded copy of A passes with every textured tile.
    const copy = await sharp(a).jpeg({ quality: 50 }).toBuffer();
    const outcome = loose.match(await decode(copy));
    expect(outcome.kind).toBe('match');
  });
});
