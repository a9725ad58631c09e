/** What the perceptual detector tests share: fixtures, references made from them, a detector setup and the copies. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { expect } from 'vitest';
import { DEFAULT_DETECT_LIMITS, type Detector, type DetectorSetup } from '../../../src/identify/detector.js';
import { decodeImage } from '../../../src/identify/image-decode.js';
import type { PixelImage } from '../../../src/identify/pdq/borders.js';
import { referenceHashes } from '../../../src/identify/pdq/views.js';
import { FingerprintIndex } from '../../../src/references/index-set.js';
import { loadedSet } from '../../../src/references/load.js';
import type { Reference } from '../../../src/references/schema.js';
import type { Item } from '../../../src/sources/item.js';
import { sniff } from '../../../src/sources/sniff.js';

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'pdq');
export const bridge = readFileSync(path.join(fixtures, 'bridge-640.jpg'));
export const unrelated = readFileSync(path.join(fixtures, 'q1050.jpg'));

export async function reference(id: string, bytes: Buffer): Promise<Reference> {
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

export function setupFor(references: Reference[], notices: string[] = []): DetectorSetup {
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

export function itemOf(location: string, bytes: Buffer): Item {
  return {
    location,
    origin: 'filesystem',
    size: bytes.length,
    content: { head: async (n) => bytes.subarray(0, n), readAll: async () => bytes, stream: () => Readable.from([bytes]) },
  };
}

export async function detect(detector: Detector, location: string, bytes: Buffer) {
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

export const COPIES: Array<[string, () => Promise<Buffer>]> = [
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

/** `picture` at (left, top), `width` px wide, on a flat grey canvas of 1000x700: a viewer window's picture in a screenshot. */
export async function onCanvas(picture: Buffer, width: number, left: number, top: number): Promise<Buffer> {
  const shown = await sharp(picture).resize(width).toBuffer();
  return sharp({ create: { width: 1000, height: 700, channels: 3, background: '#c8c8c8' } })
    .composite([{ input: shown, left, top }])
    .png()
    .toBuffer();
}

/** The pixels the audit would decode from `bytes` (a test fails on an undecodable fixture). */
export async function decoded(bytes: Buffer): Promise<PixelImage> {
  const d = await decodeImage(bytes, { maxImagePixels: 1e8 });
  if (!d.ok) throw new Error(d.detail);
  return d.image;
}

/**
 * Turned by `angle` degrees and cropped to the largest rectangle of the original's shape inside,
 * less `margin` pixels a side (no canvas shows), scaled back to the original's size: a photo
 * editor's straighten.
 */
export async function straightened(bytes: Buffer, angle: number, margin = 0): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const turned = await sharp(bytes).rotate(angle).toBuffer({ resolveWithObject: true });
  const a = (Math.abs(angle) * Math.PI) / 180;
  const f = Math.min(width / (width * Math.cos(a) + height * Math.sin(a)), height / (width * Math.sin(a) + height * Math.cos(a)));
  const w = Math.floor(f * width) - margin;
  const h = Math.floor(f * height) - margin;
  const region = { left: Math.round((turned.info.width - w) / 2), top: Math.round((turned.info.height - h) / 2), width: w, height: h };
  return sharp(turned.data).extract(region).resize(width, height).jpeg({ quality: 85 }).toBuffer();
}
