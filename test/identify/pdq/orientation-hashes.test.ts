import { describe, expect, it } from 'vitest';
import { DIHEDRAL, transformDct } from '../../../src/identify/pdq/dihedral.js';
import { OrientationHashes } from '../../../src/identify/pdq/orientation-hashes.js';
import { PdqHasher } from '../../../src/identify/pdq/pdq-hasher.js';

/**
 * The quad search's eight orientations (orientation-hashes.ts) against the hashes the hasher makes
 * of transformDct's views one by one, as the search made them before: every bit must be the same,
 * or a quad's rough distance (and so what is matched) would move.
 */
function dcts(count: number, seed: number): Float32Array[] {
  let s = seed;
  const rand = () => (s = (s * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, (_, n) =>
    Float32Array.from({ length: 256 }, (_, k) => {
      // Ties and zeros (a flat quad's DCT), a few cells only, and plain noise.
      if (n % 4 === 0) return Math.round((rand() - 0.5) * 6);
      if (n % 4 === 1) return k % 9 === 0 ? (rand() - 0.5) * 100 : 0;
      return (rand() - 0.5) * 200 + (k === 0 ? 4000 : 0);
    }),
  );
}

describe('orientation hashes', () => {
  it('makes each orientation the hash of its transformed DCT, in DIHEDRAL order', () => {
    const hasher = new PdqHasher();
    const view = new Float32Array(256);
    const hashes = new OrientationHashes();
    for (const dct of dcts(64, 5)) {
      const want = DIHEDRAL.map((d) => {
        transformDct(dct, d, view);
        return [d, Array.from(hasher.hashFromDct(view))];
      });
      const got: [string, number[]][] = [];
      hashes.walk(dct, (hash, d) => {
        got.push([d, Array.from(hash)]);
        return false;
      });
      expect(got).toEqual(want);
    }
  });

  it('stops where the caller says', () => {
    const seen: string[] = [];
    new OrientationHashes().walk(dcts(1, 9)[0]!, (_, d) => {
      seen.push(d);
      return d === 'rotate180';
    });
    expect(seen).toEqual(['original', 'rotate90', 'rotate180']);
  });
});
