import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECT_LIMITS, type DetectorSetup } from '../../src/identify/detector.js';
import { plateImageDetector } from '../../src/identify/plate-reader/detector.js';
import { buildPlateSet } from '../../src/identify/plates/agency.js';
import type { Item, Notice } from '../../src/sources/item.js';
import { plateOnlyIndex } from './support/fingerprint-index.js';
import { itemOf } from './support/perceptual.js';
import { platePhoto } from './support/plate-photo.js';

const KEY = Buffer.from('plate-reader-test-key-0123456789');

function setup(options: { readPlates?: boolean; plateKey?: Buffer }): { value: DetectorSetup; notices: Notice[] } {
  const notices: Notice[] = [];
  const value: DetectorSetup = {
    fingerprints: plateOnlyIndex(buildPlateSet(['QRT4821'], KEY, [{ id: 'reads.csv', column: 'plate', rows: 1 }])),
    markers: [],
    limits: DEFAULT_DETECT_LIMITS,
    ...options,
    notice: (n) => notices.push(n),
  };
  return { value, notices };
}

async function photoItem(): Promise<Item> {
  return itemOf('share/car.jpg', await platePhoto('QRT 4821'));
}

describe('plateImageDetector', () => {
  it('is off unless asked for', () => {
    expect(plateImageDetector.create(setup({ plateKey: KEY }).value)).toBeUndefined();
  });

  it('without a key: a notice once, and each image is recorded as unchecked, incomplete', async () => {
    const { value, notices } = setup({ readPlates: true });
    const detector = plateImageDetector.create(value)!;
    expect(notices.map((n) => n.message)).toEqual([expect.stringContaining('no plate key given')]);
    const result = await detector.detect(await photoItem(), 'image/jpeg');
    expect(result.coverage).toEqual([expect.objectContaining({ reason: 'plates-in-image-unchecked', incomplete: true })]);
  });

  it('with a key of other digests: the same gap, named', async () => {
    const { value, notices } = setup({ readPlates: true, plateKey: Buffer.from('another-key-0123456789abcdef') });
    const detector = plateImageDetector.create(value)!;
    expect(notices[0]?.message).toContain('no agency plate digests were made under this plate key');
    expect((await detector.detect(await photoItem(), 'image/jpeg')).coverage?.[0]?.reason).toBe('plates-in-image-unchecked');
  });

  it('leaves images a fingerprint already claims alone', async () => {
    const detector = plateImageDetector.create(setup({ readPlates: true, plateKey: KEY }).value)!;
    const earlier = [{ asset: 'vehicle-image', method: 'perceptual' as const, evidence: {} }];
    expect(await detector.detect(await photoItem(), 'image/jpeg', earlier)).toEqual({ identifications: [] });
  });

  it('names the key and the reader in its cache settings, never the key', () => {
    const detector = plateImageDetector.create(setup({ readPlates: true, plateKey: KEY }).value)!;
    expect(JSON.stringify(detector.settings)).not.toContain(KEY.toString());
    expect(detector.settings).toMatchObject({ plateKeyId: expect.stringMatching(/^hmac-sha256:/), reader: expect.any(String) });
  });
});
