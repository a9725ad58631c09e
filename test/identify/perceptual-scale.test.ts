import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_LIMITS, type Detector, type DetectorSetup } from '../../src/identify/detector.js';
import { decodeImage } from '../../src/identify/image-decode.js';
import { hashFromHex, hashToHex } from '../../src/identify/pdq/hash256.js';
import { searchPlan } from '../../src/identify/pdq/match-settings.js';
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

/** Seeded PRNG (xorshift32). */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
}

/**
 * Distractors as an agency-scale set holds them: consecutive captures of the real references' lanes
 * (every view flipped by the same 36-80 bits) and unrelated captures (uniform hashes).
 */
function distractors(real: readonly Reference[], count: number): Reference[] {
  const next = prng(2026);
  const out: Reference[] = [];
  for (let i = 0; i < count; i++) {
    const base = real[i % real.length]!;
    const derived = i % 2 === 0;
    const flips = new Set<number>();
    const want = 36 + (next() % 45);
    while (flips.size < want) flips.add(next() % 256);
    const pdq = base.pdq!.map((entry) => {
      const hash = derived ? hashFromHex(entry.hash)! : Uint32Array.from({ length: 8 }, next);
      if (derived) for (const bit of flips) hash[bit >>> 5] = (hash[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
      return { ...entry, hash: hashToHex(hash) };
    });
    out.push({ ...base, id: `lanes/${String(i).padStart(6, '0')}.jpg`, pdq });
  }
  return out;
}

describe('perceptual matching in a set past the scan size (radii follow the index size)', () => {
  let refs: Reference[];

  beforeAll(async () => {
    const real = [await reference('refs/bridge.jpg', bridge), await reference('refs/q2821.jpg', readFileSync(path.join(fixtures, 'q2821.jpg')))];
    refs = [...real, ...distractors(real, 6000)];
  }, 60_000);

  it('still finds every kind of copy, names the right reference, and claims nothing unrelated (threads share one index)', async () => {
    const setup = { ...setupFor(refs), threads: 2 };
    // 6,002 references x 3 claimable views: past the 8,192 a scan covers.
    expect(searchPlan(18_006)).toMatchObject({ depth: 3 });
    const detector = perceptualDetector.create(setup)!;
    try {
      for (const [name, make] of COPIES) {
        const result = await detect(detector, `share/${name}.img`, await make());
        expect(result.identifications, name).toHaveLength(1);
        expect(result.identifications[0], name).toMatchObject({ method: 'perceptual', reference: 'refs/bridge.jpg' });
      }
      const none = await detect(detector, 'share/other.jpg', unrelated);
      expect(none.identifications).toEqual([]);
    } finally {
      await detector.close!();
    }
  }, 180_000);
});
