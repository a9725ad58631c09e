import { createHash } from 'node:crypto';
import { fingerprintDigest } from '../../../src/references/load.js';
import type { FingerprintFile, PlateSet, Reference } from '../../../src/references/schema.js';

const hex = (seed: string, bytes: number) =>
  createHash('sha256')
    .update(seed)
    .digest('hex')
    .repeat(2)
    .slice(0, bytes * 2);

const VARIANTS = ['full', 'crop:5,5,5,5', 'crop:10,10,10,10', 'crop:10,0,0,0', 'tile:0,0', 'tile:1,1', 'tile:2,2', 'tile:0,2', 'tile:2,0'];

/**
 * Reference `i` of a synthetic set: deterministic digests, every third one with 9 PDQ views and a
 * capture time, ids with non-ASCII characters, a few classes and media types.
 */
export function syntheticReference(i: number, views = i % 3 === 0 ? VARIANTS.length : 0): Reference {
  const reference: Reference = {
    id: `lane ${i % 7}/Zoë-${String(i).padStart(7, '0')}.jpg`,
    class: ['vehicle-image', 'traveler-image', 'agency-data'][i % 3]!,
    size: 1000 + ((i * 7919) % 5_000_000),
    sha256: hex(`sha${i}`, 32),
    md5: hex(`md5${i}`, 16),
    media: i % 3 === 2 ? 'text/plain' : 'image/jpeg',
  };
  if (views > 0) {
    reference.pdq = VARIANTS.slice(0, views).map((variant, v) => ({ hash: hex(`pdq${i}:${v}`, 32), quality: (i + v) % 101, variant }));
    reference.capturedAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  }
  return reference;
}

/** A v1 fingerprint file of `count` synthetic references, with a plate set, digest computed. */
export function syntheticFile(count: number): FingerprintFile {
  const references = Array.from({ length: count }, (_, i) => syntheticReference(i)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const plates: PlateSet = {
    algorithm: 'hmac-sha256',
    normalisation: 'v1',
    keyId: 'sha256:0123456789abcdef',
    digests: Array.from({ length: 5 }, (_, i) => hex(`plate${i}`, 32)).sort(),
    shapes: ['LLLDDDD'],
    sources: [{ id: 'reads/2026.csv', column: 'plate', rows: 5 }],
  };
  const body: Omit<FingerprintFile, 'digest'> = {
    format: 'custody-fingerprints',
    version: 1,
    tool: { name: 'custody', version: '0.1.0' },
    createdAt: '2026-12-01T10:00:00.000Z',
    roots: ['agency data'],
    references,
    plates,
  };
  return { ...body, digest: fingerprintDigest(body) };
}
