import { createHash } from 'node:crypto';
import { execa } from 'execa';
import exifr from 'exifr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type ApproxPdq, approxPdq, distance } from './pdq-approx.js';
import { repoRoot, scenes } from './synth-api.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const capture = (seed: number, plate = 'ABC1234', cameraId = 'L3-C07') => scenes.vehicleCapture({ seed, cameraId, plate, timestamp: '2026-10-14T08:31:07Z' });

/** Smallest pairwise distance in a set: the closest two hard negatives. */
function minPairDistance(hashes: ApproxPdq[]): number {
  let min = 256;
  for (let i = 0; i < hashes.length; i++) for (let j = i + 1; j < hashes.length; j++) min = Math.min(min, distance(hashes[i]!, hashes[j]!));
  return min;
}

describe('scenes', () => {
  it('is byte-deterministic for a seed, in this process and in a fresh one', async () => {
    const a = await capture(7);
    expect(sha(await capture(7))).toBe(sha(a));
    expect(sha(await scenes.plateCrop({ seed: 3, plate: 'AB12CDE' }))).toBe(sha(await scenes.plateCrop({ seed: 3, plate: 'AB12CDE' })));
    expect(sha(await scenes.travelerPortrait({ seed: 5 }))).toBe(sha(await scenes.travelerPortrait({ seed: 5 })));
    // A fresh process has no cached lane background: same bytes proves the cache changes nothing.
    const script = `import('./scripts/synth/scenes.js').then(async (s) => { const b = await s.vehicleCapture({ seed: 7, cameraId: 'L3-C07', plate: 'ABC1234', timestamp: '2026-10-14T08:31:07Z' }); process.stdout.write((await import('node:crypto')).createHash('sha256').update(b).digest('hex')); })`;
    const { stdout } = await execa('node', ['--input-type=module', '-e', script], { cwd: repoRoot });
    expect(stdout).toBe(sha(a));
  });

  it('renders the documented sizes and formats', async () => {
    const meta = async (b: Buffer) => sharp(b).metadata();
    expect(await meta(await capture(1))).toMatchObject({ format: 'jpeg', width: 1280, height: 720 });
    expect(await meta(await scenes.laneBackground('L3-C07', { format: 'png' }))).toMatchObject({ format: 'png', width: 1280, height: 720 });
    expect(await meta(await scenes.plateCrop({ seed: 1, plate: '1ABC234' }))).toMatchObject({ format: 'jpeg', width: 400, height: 120 });
    expect(await meta(await scenes.travelerPortrait({ seed: 1, format: 'png' }))).toMatchObject({ format: 'png', width: 600, height: 800 });
  });

  it('gives different seeds, plates and cameras different pictures with PDQ-usable quality', async () => {
    const cars = await Promise.all([1, 2, 3, 4, 5, 6].map((s) => capture(s, `ABC${1000 + s}`)));
    const faces = await Promise.all([1, 2, 3, 4, 5, 6].map((seed) => scenes.travelerPortrait({ seed })));
    const crops = await Promise.all(['ABC1234', 'ABC1235', 'XY34KLM', '7KRT552'].map((plate, i) => scenes.plateCrop({ seed: i, plate })));
    for (const set of [cars, faces, crops]) {
      const hashes = await Promise.all(set.map((b) => approxPdq(b)));
      expect(new Set(set.map(sha)).size).toBe(set.length);
      for (const h of hashes) expect(h.quality).toBeGreaterThanOrEqual(50);
      // Hard negatives must sit well beyond PDQ's match threshold (31), not just differ in bytes.
      expect(minPairDistance(hashes)).toBeGreaterThan(40);
    }
  });

  it('draws the plate: same vehicle, other plate is another image', async () => {
    const [a, b] = await Promise.all([capture(9, 'ABC1234'), capture(9, 'ABC1284')]);
    expect(sha(a)).not.toBe(sha(b));
    const crops = await Promise.all(['ABC1234', 'ABC1284'].map((plate) => scenes.plateCrop({ seed: 2, plate, format: 'png' })));
    const [ra, rb] = await Promise.all(crops.map((c) => sharp(c).greyscale().raw().toBuffer()));
    let changed = 0;
    for (let i = 0; i < ra!.length; i++) if (Math.abs(ra![i]! - rb![i]!) > 40) changed++;
    expect(changed).toBeGreaterThan(500);
  });

  it('keeps the camera background fixed between captures of one camera', async () => {
    const [a, b, other] = await Promise.all([capture(1), capture(2), capture(1, 'ABC1234', 'L4-C09')]);
    // The left edge of the frame (below the overlay box, above the shadows) is never covered by a
    // vehicle, so it differs between two captures only by grain and light.
    const strip = (img: Buffer) => sharp(img).extract({ left: 0, top: 60, width: 100, height: 500 }).greyscale().resize(10, 50).raw().toBuffer();
    const [sa, sb, so] = await Promise.all([strip(a), strip(b), strip(other)]);
    const corr = (x: Buffer, y: Buffer) => {
      const mx = x.reduce((s, v) => s + v, 0) / x.length;
      const my = y.reduce((s, v) => s + v, 0) / y.length;
      let num = 0,
        dx = 0,
        dy = 0;
      for (let i = 0; i < x.length; i++) {
        num += (x[i]! - mx) * (y[i]! - my);
        dx += (x[i]! - mx) ** 2;
        dy += (y[i]! - my) ** 2;
      }
      return num / Math.sqrt(dx * dy);
    };
    expect(corr(sa, sb)).toBeGreaterThan(corr(sa, so));
  });

  it('embeds the requested EXIF provenance', async () => {
    const image = await scenes.vehicleCapture({
      seed: 4,
      cameraId: 'L3-C07',
      plate: 'ABC1234',
      timestamp: '2026-10-14T08:31:07Z',
      exif: {
        Make: 'Synthetic Optics',
        Model: 'LaneCam X7',
        BodySerialNumber: 'SO-X7-L3-C07',
        Artist: 'Agency',
        Copyright: 'Agency property',
        ImageDescription: 'capture',
        DateTimeOriginal: new Date('2026-10-14T08:31:07Z'),
      },
    });
    const tags = await exifr.parse(image, { tiff: true, exif: true });
    expect(tags).toMatchObject({ Make: 'Synthetic Optics', Model: 'LaneCam X7', Artist: 'Agency', Copyright: 'Agency property', ImageDescription: 'capture' });
    // exifr names tag 0xA431 (BodySerialNumber) "SerialNumber".
    expect(tags.SerialNumber).toBe('SO-X7-L3-C07');
    expect((tags.DateTimeOriginal as Date).toISOString()).toBe('2026-10-14T08:31:07.000Z');
    expect(await exifr.parse(await capture(4))).toBeFalsy();
  });
});
