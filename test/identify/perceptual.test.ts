import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_LIMITS, type Detector } from '../../src/identify/detector.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import type { Reference } from '../../src/references/schema.js';
import { bridge, COPIES, detect, fixtures, reference, setupFor, unrelated } from './support/perceptual.js';

describe('perceptual detector', () => {
  let detector: Detector;
  let bridgeRef: Reference;

  beforeAll(async () => {
    bridgeRef = await reference('refs/bridge.jpg', bridge);
    const other = await reference('refs/q2821.jpg', readFileSync(path.join(fixtures, 'q2821.jpg')));
    detector = perceptualDetector.create(setupFor([other, bridgeRef]))!;
    expect(detector).toBeDefined();
  });

  it('stores the full view and crop variants for a reference', () => {
    const variants = bridgeRef.pdq!.map((e) => e.variant);
    expect(variants[0]).toBe('full');
    expect(variants).toContain('crop:10,10,10,10');
    expect(bridgeRef.pdq!.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    expect(bridgeRef.pdq!.filter((e) => !e.variant.startsWith('tile:')).every((e) => e.quality === 100)).toBe(true);
    expect(variants.filter((v) => v.startsWith('tile:'))).toHaveLength(9);
  });

  for (const [name, make] of COPIES) {
    it(`matches a copy ${name}`, async () => {
      const result = await detect(detector, `share/${name}.img`, await make());
      expect(result.coverage).toBeUndefined();
      expect(result.identifications).toHaveLength(1);
      const [id] = result.identifications;
      expect(id).toMatchObject({ asset: 'vehicle-image', method: 'perceptual', reference: 'refs/bridge.jpg' });
      const evidence = id!.evidence as { distance: number; threshold: number; quality: number; variant: string; transform: string };
      expect(evidence.distance).toBeLessThanOrEqual(evidence.threshold);
      expect(evidence.quality).toBeGreaterThanOrEqual(50);
      expect(typeof evidence.variant).toBe('string');
      expect(typeof evidence.transform).toBe('string');
    }, 30_000);
  }

  it('does not match an unrelated image', async () => {
    const result = await detect(detector, 'share/other.jpg', unrelated);
    expect(result.identifications).toEqual([]);
    expect(result.facts?.media).toBe('image/jpeg');
  });

  it('records a corrupt image in coverage instead of throwing', async () => {
    const result = await detect(detector, 'share/broken.jpg', bridge.subarray(0, 3000));
    expect(result.identifications).toEqual([]);
    expect(result.coverage).toEqual([expect.objectContaining({ location: 'share/broken.jpg', reason: 'corrupt-image', incomplete: true })]);
  });

  it('never claims a match from a low-quality hash, and says so', async () => {
    const flat = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const result = await detect(detector, 'share/flat.jpg', flat);
    expect(result.identifications).toEqual([]);
    expect(result.coverage).toEqual([expect.objectContaining({ reason: 'low-quality-hash', incomplete: false })]);
  });

  it('skips files over the byte limit with a decode-limit coverage entry', async () => {
    const limited = perceptualDetector.create({ ...setupFor([bridgeRef]), limits: { ...DEFAULT_DETECT_LIMITS, maxImageBytes: 1000 } })!;
    const result = await detect(limited, 'share/big.jpg', bridge);
    expect(result.coverage).toEqual([expect.objectContaining({ reason: 'decode-limit', incomplete: true })]);
  });

  it('warns when references carry no tile hashes (an older fingerprint file), and still matches them', async () => {
    const notices: string[] = [];
    const untiled = { ...bridgeRef, pdq: bridgeRef.pdq!.filter((e) => !e.variant.startsWith('tile:')) };
    const older = perceptualDetector.create(setupFor([untiled], notices))!;
    expect(notices).toEqual([expect.stringMatching(/^1 perceptual reference\(s\) carry no tile hashes/)]);
    const result = await detect(older, 'share/q40.jpg', await sharp(bridge).jpeg({ quality: 40 }).toBuffer());
    expect(result.identifications[0]?.evidence).toMatchObject({ tiles: 'not in the fingerprint set' });
    expect(notices.length).toBe(1);
  });

  it('is not created without perceptual references', () => {
    expect(perceptualDetector.create(setupFor([{ ...bridgeRef, pdq: undefined }]))).toBeUndefined();
    const notices: string[] = [];
    const lowOnly = { ...bridgeRef, pdq: bridgeRef.pdq!.map((e) => ({ ...e, quality: 10 })) };
    expect(perceptualDetector.create(setupFor([lowOnly], notices))).toBeUndefined();
    expect(notices).toHaveLength(1);
  });
});

describe('perceptual matching on worker threads', () => {
  it('gives exactly the in-thread results, with images in flight at once, and closes', async () => {
    const refs = [await reference('refs/bridge.jpg', bridge), await reference('refs/q2821.jpg', readFileSync(path.join(fixtures, 'q2821.jpg')))];
    const inThread = perceptualDetector.create(setupFor(refs))!;
    const threaded = perceptualDetector.create({ ...setupFor(refs), threads: 2 })!;
    const queries: Array<[string, Buffer]> = [
      ['unrelated', unrelated],
      ['corrupt', bridge.subarray(0, 3000)],
    ];
    for (const [name, make] of COPIES) queries.push([name, await make()]);
    const expected = [];
    for (const [name, bytes] of queries) expected.push(await detect(inThread, `share/${name}`, bytes));
    // All at once: the pool queues what its two threads cannot take yet.
    const actual = await Promise.all(queries.map(([name, bytes]) => detect(threaded, `share/${name}`, bytes)));
    expect(actual).toEqual(expected);
    expect(actual.filter((r) => r.identifications.length === 1)).toHaveLength(COPIES.length);
    await threaded.close!();
    await expect(detect(threaded, 'share/after-close', bridge)).rejects.toThrow(/closed/);
  }, 120_000);
});
