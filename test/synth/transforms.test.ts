import exifr from 'exifr';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { approxPdq, distance } from './pdq-approx.js';
import { scenes, transformsModule } from './synth-api.js';

const { transforms, ROBUSTNESS_CASES, applyCase } = transformsModule;

/** The classes issue 3 §6 lists; the benchmark must cover every one. */
const ISSUE_CLASSES = [
  'reencode',
  'resize',
  'thumbnail',
  'format',
  'greyscale',
  'brightness-contrast',
  'blur',
  'mirror',
  'rotate',
  'watermark',
  'metadata-stripped',
  'crop',
  'border',
  'combination',
];

let capture: Buffer;
beforeAll(async () => {
  capture = await scenes.vehicleCapture({
    seed: 11,
    cameraId: 'L3-C07',
    plate: 'ABC1234',
    timestamp: '2026-10-14T08:31:07Z',
    exif: { Make: 'Synthetic Optics', DateTimeOriginal: '2026-10-14T08:31:07Z' },
  });
}, 120_000);

describe('transforms', () => {
  it('covers every robustness class, and every case names a registered transform', () => {
    expect(new Set(ROBUSTNESS_CASES.map((c) => c.class))).toEqual(new Set(ISSUE_CLASSES));
    for (const c of ROBUSTNESS_CASES) expect(Object.keys(transforms)).toContain(c.transform);
    expect(new Set(ROBUSTNESS_CASES.map((c) => c.name)).size).toBe(ROBUSTNESS_CASES.length);
  });

  it('produces decodable images of the expected format, size and orientation', async () => {
    const expected: Record<string, { format: string; width: number; height: number }> = {
      'reencode-q50': { format: 'jpeg', width: 1280, height: 720 },
      'resize-50': { format: 'jpeg', width: 640, height: 360 },
      'thumbnail-160': { format: 'jpeg', width: 160, height: 90 },
      'thumbnail-200': { format: 'jpeg', width: 200, height: 113 },
      png: { format: 'png', width: 1280, height: 720 },
      webp: { format: 'webp', width: 1280, height: 720 },
      'rotate-90': { format: 'jpeg', width: 720, height: 1280 },
      'rotate-180': { format: 'jpeg', width: 1280, height: 720 },
      'rotate-270': { format: 'jpeg', width: 720, height: 1280 },
      'crop-10': { format: 'jpeg', width: 1024, height: 576 },
      'crop-10-left-top': { format: 'jpeg', width: 1152, height: 648 },
      'crop-10-right': { format: 'jpeg', width: 1152, height: 720 },
      'border-5': { format: 'jpeg', width: 1408, height: 792 },
      'letterbox-10': { format: 'jpeg', width: 1280, height: 864 },
      'pillarbox-10-white': { format: 'jpeg', width: 1536, height: 720 },
      'crop-resize-reencode': { format: 'jpeg', width: 576, height: 324 },
      'border-watermark-webp': { format: 'webp', width: 1280, height: 836 },
    };
    for (const c of ROBUSTNESS_CASES) {
      const out = await applyCase(c, capture);
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      expect(data.length, c.name).toBeGreaterThan(0);
      const want = expected[c.name];
      if (want) expect({ format: (await sharp(out).metadata()).format, width: info.width, height: info.height }, c.name).toEqual(want);
      else expect([info.width, info.height], c.name).not.toEqual([0, 0]);
    }
  }, 180_000);

  it('rotates and mirrors the pixels, not just the header', async () => {
    const small = await sharp(capture).resize(64, 36).png().toBuffer();
    const px = async (b: Buffer, x: number, y: number) => {
      const { data, info } = await sharp(b).raw().toBuffer({ resolveWithObject: true });
      return [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    };
    expect(await px(await transforms['rotate-90']!(small), 35, 0)).toEqual(await px(small, 0, 0));
    expect(await px(await transforms['rotate-180']!(small), 63, 35)).toEqual(await px(small, 0, 0));
    expect(await px(await transforms.mirror!(small), 63, 0)).toEqual(await px(small, 0, 0));
  });

  it('strips metadata without touching the pixels', async () => {
    expect(await exifr.parse(capture)).toBeTruthy();
    const stripped = await transforms['strip-metadata']!(capture);
    expect(await exifr.parse(stripped)).toBeFalsy();
    expect(stripped.length).toBeLessThan(capture.length);
    const [a, b] = await Promise.all([sharp(capture).raw().toBuffer(), sharp(stripped).raw().toBuffer()]);
    expect(a.equals(b)).toBe(true);
    const png = await scenes.plateCrop({ seed: 1, plate: 'ABC1234', format: 'png', exif: { Artist: 'Agency' } });
    // exifr also reports PNG header fields, so look for the marker itself.
    expect((await exifr.parse(png))?.Artist).toBe('Agency');
    expect((await exifr.parse(await transforms['strip-metadata']!(png)))?.Artist).toBeUndefined();
  });

  it('keeps photometric copies perceptually close and rejects bad parameters', async () => {
    const reference = await approxPdq(capture);
    for (const name of ['reencode-q50', 'resize-50', 'png', 'webp', 'greyscale', 'blur', 'strip-metadata']) {
      const d = distance(reference, await approxPdq(await transforms[name]!(capture)));
      expect(d, name).toBeLessThanOrEqual(31);
    }
    await expect(transforms.crop!(capture, { percent: 60 })).rejects.toThrow(RangeError);
  });
});
