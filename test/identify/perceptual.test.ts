import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_LIMITS, type Detector, type DetectorSetup } from '../../src/identify/detector.js';
import { decodeImage } from '../../src/identify/image-decode.js';
import { referenceHashes } from '../../src/identify/pdq/views.js';
import { perceptualDetector } from '../../src/identify/perceptual.js';
import { FingerprintIndex } from '../../src/references/index-set.js';
import { loadedSet } from '../../src/references/load.js';
import type { Reference } from '../../src/references/schema.js';
import type { Item } from '../../src/sources/item.js';
import { sniff } from '../../src/sources/sniff.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'pdq');
const bridge = readFileSync(path.join(fixtures, 'bridge-640.jpg'));
const unrelated = readFileSync(path.join(fixtures, 'q1050.jpg'));

async function reference(id: string, bytes: Buffer): Promise<Reference> {
  const decoded = await decodeImage(bytes, { maxImagePixels: DEFAULT_DETECT_LIMITS.maxImagePixels });
  if (!decoded.ok) throw new Error(decoded.detail);
  return {
    id,
    class: 'vehicle-image',
    size: bytes.length,
    sha256: '0'.repeat(64),
    md5: '0'.repeat(32),
    media: 'image/jpeg',
    pdq: referenceHashes(decoded.image),
  };
}

function setupFor(references: Reference[], notices: string[] = []): DetectorSetup {
  const file = {
    format: 'custody-fingerprints' as const,
    version: 1 as const,
    tool: { name: 'custody' as const, version: 'test' },
    createdAt: '2026-01-01T00:00:00Z',
    roots: ['refs'],
    references,
    digest: `sha256:${'0'.repeat(64)}`,
  };
  return {
    fingerprints: new FingerprintIndex([loadedSet('test.fp.json', file)]),
    markers: [],
    limits: DEFAULT_DETECT_LIMITS,
    notice: (n) => notices.push(n.message),
  };
}

function itemOf(location: string, bytes: Buffer): Item {
  return {
    location,
    origin: 'filesystem',
    size: bytes.length,
    content: { head: async (n) => bytes.subarray(0, n), readAll: async () => bytes, stream: () => Readable.from([bytes]) },
  };
}

async function detect(detector: Detector, location: string, bytes: Buffer) {
  const media = sniff(bytes.subarray(0, 512));
  expect(detector.applies(itemOf(location, bytes), media)).toBe(true);
  return detector.detect(itemOf(location, bytes), media);
}

const W = 640;
const H = 402;
const crop = (share: number) => ({
  left: Math.round(W * share),
  top: Math.round(H * share),
  width: Math.round(W * (1 - 2 * share)),
  height: Math.round(H * (1 - 2 * share)),
});
const border = (share: number, background: string) => ({
  top: Math.round(H * share),
  bottom: Math.round(H * share),
  left: Math.round(W * share),
  right: Math.round(W * share),
  background,
});

const COPIES: Array<[string, () => Promise<Buffer>]> = [
  ['re-encoded at q40', () => sharp(bridge).jpeg({ quality: 40 }).toBuffer()],
  ['converted to webp', () => sharp(bridge).webp({ quality: 60 }).toBuffer()],
  ['converted to png, greyscale', () => sharp(bridge).greyscale().png().toBuffer()],
  ['resized to 50%', () => sharp(bridge).resize({ width: 320 }).jpeg().toBuffer()],
  ['thumbnail 180 px', () => sharp(bridge).resize({ width: 180 }).jpeg().toBuffer()],
  ['mirrored', () => sharp(bridge).flop().jpeg().toBuffer()],
  ['rotated 90', () => sharp(bridge).rotate(90).jpeg().toBuffer()],
  ['rotated 180', () => sharp(bridge).rotate(180).jpeg().toBuffer()],
  ['cropped 8% per side', () => sharp(bridge).extract(crop(0.08)).jpeg().toBuffer()],
  ['cropped 3% per side', () => sharp(bridge).extract(crop(0.03)).jpeg().toBuffer()],
  ['cropped unevenly (t6 r2 b9 l4 %)', () => sharp(bridge).extract({ left: 26, top: 24, width: 602, height: 342 }).jpeg().toBuffer()],
  ['bordered 10% white', () => sharp(bridge).extend(border(0.1, '#ffffff')).jpeg().toBuffer()],
  ['letterboxed 10% black', () => sharp(bridge).extend({ top: 40, bottom: 40, background: '#000' }).jpeg().toBuffer()],
];

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
