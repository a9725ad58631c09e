import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keepDecodedPlane, keepDecodeFailure, takeDecodedPlane } from '../../src/identify/decoded-planes.js';
import { DEFAULT_DETECT_LIMITS } from '../../src/identify/detector.js';
import { plateImageDetector } from '../../src/identify/plate-reader/detector.js';
import { buildPlateSet } from '../../src/identify/plates/agency.js';
import type { ContentSource, Item } from '../../src/sources/item.js';
import { plateOnlyIndex } from './support/fingerprint-index.js';
import { platePhoto } from './support/plate-photo.js';

// The plate reader reads the 512 px plane the perceptual stage already decoded for the item, instead
// of decoding the image a second time (a second decode was most of --read-plates' cost on images
// without plates).
const KEY = Buffer.from('plate-reader-test-key-0123456789');

function detector() {
  const fingerprints = plateOnlyIndex(buildPlateSet(['QRT4821'], KEY, [{ id: 'reads.csv', column: 'plate', rows: 1 }]));
  return plateImageDetector.create({ fingerprints, markers: [], limits: DEFAULT_DETECT_LIMITS, readPlates: true, plateKey: KEY, notice: () => {} })!;
}

/** An item whose reads are counted. */
function countedItem(bytes: Buffer): { item: Item; reads: () => number } {
  let reads = 0;
  const content: ContentSource = {
    head: async (n) => bytes.subarray(0, n),
    readAll: async () => {
      reads++;
      return bytes;
    },
    stream: () => Readable.from([bytes]),
  };
  return { item: { location: 'share/photo.jpg', origin: 'filesystem', size: bytes.length, content }, reads: () => reads };
}

describe('the plate reader and the perceptual stage share one decode', () => {
  it('gates on the kept plane without reading the file, and takes the plane out', async () => {
    const { item, reads } = countedItem(await platePhoto('QRT 4821'));
    // A flat plane: nothing text-like, so the gate stops before any larger decode.
    const flat = { pixels: new Uint8Array(512 * 384 * 3).fill(128), width: 512, height: 384, channels: 3, media: 'image/jpeg' as const };
    keepDecodedPlane(item.content!, flat);
    expect(await detector().detect(item, 'image/jpeg')).toEqual({ identifications: [] });
    expect(reads()).toBe(0);
    expect(takeDecodedPlane(item.content!)).toBeUndefined();
  });

  it('takes the plane out of an image a fingerprint already claimed, too', async () => {
    const { item } = countedItem(await platePhoto('QRT 4821'));
    keepDecodedPlane(item.content!, { pixels: new Uint8Array(12), width: 2, height: 2, channels: 3, media: 'image/jpeg' });
    await detector().detect(item, 'image/jpeg', [{ asset: 'vehicle-image', method: 'exact', evidence: {} }]);
    expect(takeDecodedPlane(item.content!)).toBeUndefined();
  });

  it('does not decode again an image whose decode failed before it, unless that decode ran out of time', async () => {
    const { item, reads } = countedItem(await platePhoto('QRT 4821'));
    keepDecodeFailure(item.content!, { ok: false, reason: 'corrupt', detail: 'premature end of JPEG image', media: 'image/jpeg' });
    const result = await detector().detect(item, 'image/jpeg');
    expect(reads()).toBe(0);
    expect(result.identifications).toEqual([]);
    expect(result.coverage?.map((c) => c.detail)).toEqual(['premature end of JPEG image']);
    // A timeout is not kept: the reader decodes the photo itself, and finds its plate.
    keepDecodeFailure(item.content!, { ok: false, reason: 'timeout', detail: 'decode timed out', media: 'image/jpeg' });
    expect((await detector().detect(item, 'image/jpeg')).identifications.map((i) => i.method)).toEqual(['plate-in-image']);
    expect(reads()).toBe(1);
  });

  it('decodes the image itself when no plane was kept (no perceptual references)', async () => {
    const { item, reads } = countedItem(await platePhoto('QRT 4821'));
    const result = await detector().detect(item, 'image/jpeg');
    expect(reads()).toBe(1);
    expect(result.identifications.map((i) => i.method)).toEqual(['plate-in-image']);
  });
});
