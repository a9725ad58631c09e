import { FingerprintIndex } from '../../../src/references/index-set.js';
import { loadedSet } from '../../../src/references/load.js';
import type { FingerprintFile, PlateSet } from '../../../src/references/schema.js';

/** An index of one fingerprint file holding no references, only `plates` if given (plate detectors' tests). */
export function plateOnlyIndex(plates?: PlateSet): FingerprintIndex {
  const file: FingerprintFile = {
    format: 'custody-fingerprints',
    version: 1,
    tool: { name: 'custody', version: '0.0.0' },
    createdAt: '2026-01-01T00:00:00Z',
    roots: ['agency'],
    references: [],
    ...(plates ? { plates } : {}),
    digest: `sha256:${'0'.repeat(64)}`,
  };
  return new FingerprintIndex([loadedSet('agency.fp.json', file)]);
}
