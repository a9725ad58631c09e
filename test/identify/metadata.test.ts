import { Readable } from 'node:stream';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_LIMITS, type Detector } from '../../src/identify/detector.js';
import { captureDate, matchMarker, metadataDetector, readImageTags } from '../../src/identify/metadata.js';
import type { MetadataMarker } from '../../src/policy/schema.js';
import type { Item } from '../../src/sources/item.js';

/** A small JPEG with the given IFD0 (Make, Copyright, ...) and Exif sub-IFD (DateTimeOriginal, ...) tags. */
async function jpegWith(ifd0: Record<string, string>, exif: Record<string, string> = {}): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
    .jpeg()
    .withExif({ IFD0: ifd0, IFD2: exif })
    .toBuffer();
}

const itemOf = (bytes: Buffer, location = 'x.jpg'): Item => ({
  location,
  origin: 'filesystem',
  size: bytes.length,
  content: { head: async (n) => bytes.subarray(0, n), readAll: async () => bytes, stream: () => Readable.from([bytes]) },
});

const MARKERS: MetadataMarker[] = [
  { field: 'Make', equals: 'BPA LaneCam', asset: 'vehicle-image' },
  { field: 'Copyright', matches: '^Border Protection Agency', asset: 'vehicle-image' },
  { field: 'Artist', oneOf: ['Booth 1', 'Booth 2'], asset: 'traveler-image' },
];

describe('metadata detector', () => {
  let detector: Detector;
  beforeAll(() => {
    detector = metadataDetector.create({ fingerprints: undefined as never, markers: MARKERS, limits: DEFAULT_DETECT_LIMITS, notice: () => undefined })!;
  });

  it('is not created without markers', () => {
    expect(metadataDetector.create({ fingerprints: undefined as never, markers: [], limits: DEFAULT_DETECT_LIMITS, notice: () => undefined })).toBeUndefined();
  });

  it('applies to images only', () => {
    const item = itemOf(Buffer.from('x'));
    expect(detector.applies(item, 'image/jpeg')).toBe(true);
    expect(detector.applies(item, 'text/plain')).toBe(false);
    expect(detector.applies(item, undefined)).toBe(false);
  });

  // tags | expected [asset, field, rule] or undefined
  const cases: [string, Record<string, string>, [string, string, string] | undefined][] = [
    ['equals', { Make: 'BPA LaneCam' }, ['vehicle-image', 'Make', 'equals']],
    ['equals after trimming', { Make: '  BPA LaneCam ' }, ['vehicle-image', 'Make', 'equals']],
    ['matches', { Copyright: 'Border Protection Agency 2026' }, ['vehicle-image', 'Copyright', 'matches']],
    ['oneOf', { Artist: 'Booth 2' }, ['traveler-image', 'Artist', 'oneOf']],
    ['no marker', { Make: 'Other Cam', Copyright: 'Someone else' }, undefined],
    ['a near miss (matches is anchored by the policy)', { Copyright: 'Not the Border Protection Agency' }, undefined],
  ];
  it.each(cases)('%s', async (_name, ifd0, expected) => {
    const result = await detector.detect(itemOf(await jpegWith(ifd0, { DateTimeOriginal: '2026:03:01 10:20:30' })), 'image/jpeg');
    if (!expected) {
      expect(result.identifications).toEqual([]);
    } else {
      expect(result.identifications).toHaveLength(1);
      const [hit] = result.identifications;
      expect([hit!.asset, hit!.evidence['field'], hit!.evidence['rule'], hit!.method]).toEqual([...expected, 'metadata']);
      expect(hit!.evidence['capturedAtField']).toBe('DateTimeOriginal');
    }
    // the capture date is a fact either way: retention uses it for exact copies too
    expect(result.facts?.capturedAtField).toBe('DateTimeOriginal');
  });

  it('treats an image without metadata, or with corrupt metadata, as having none', async () => {
    const plain = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    expect(await detector.detect(itemOf(plain), 'image/jpeg')).toEqual({ identifications: [] });
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x40]), Buffer.from('Exif\0\0MM\0*\0\0\0\x08\xff\xff'), Buffer.alloc(60, 0xee)]);
    await expect(detector.detect(itemOf(corrupt), 'image/jpeg')).resolves.toMatchObject({ identifications: [] });
  });
});

describe('captureDate', () => {
  it('prefers DateTimeOriginal over CreateDate and ModifyDate, and says which it used', async () => {
    const tags = await readImageTags(
      itemOf(await jpegWith({ DateTime: '2020:01:01 00:00:00' }, { DateTimeOriginal: '2026:03:01 10:20:30', DateTimeDigitized: '2025:01:01 00:00:00' })),
    );
    const { capturedAt, capturedAtField } = captureDate(tags);
    expect(capturedAtField).toBe('DateTimeOriginal');
    expect(capturedAt?.getFullYear()).toBe(2026);
  });

  it('returns nothing without a date', () => {
    expect(captureDate(undefined)).toEqual({});
    expect(captureDate({ DateTimeOriginal: 'not a date' })).toEqual({});
  });
});

describe('matchMarker', () => {
  it('matches any value of a multi-valued field, first marker first', () => {
    expect(matchMarker({ Artist: ['Someone', 'Booth 1'] }, MARKERS)?.value).toBe('Booth 1');
    expect(matchMarker({ Make: 'BPA LaneCam', Artist: 'Booth 1' }, MARKERS)?.marker.asset).toBe('vehicle-image');
    expect(matchMarker({ Rights: { value: 'x', lang: 'en' } }, [{ field: 'Rights', equals: 'x', asset: 'a' }])?.value).toBe('x');
  });
});
