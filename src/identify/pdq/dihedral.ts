import type { Hash256 } from './hash256.js';
import type { PdqHasher } from './pdq-hasher.js';

/**
 * The eight dihedral views of an image (rotations and flips), in the reference's order. PDQ derives
 * each from the 16x16 DCT by sign flips and transposes (`dct16OriginalTo*` in pdqhashing.cpp), so
 * a query's rotated and mirrored hashes cost no re-decode and no re-filter.
 */
export const DIHEDRAL = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'] as const;
export type Dihedral = (typeof DIHEDRAL)[number];

/** Whether cell (i, j) is negated, and whether the output is transposed, per transform. */
const RULES: Record<Dihedral, { transpose: boolean; negate: (i: number, j: number) => boolean }> = {
  original: { transpose: false, negate: () => false },
  rotate90: { transpose: true, negate: (_i, j) => (j & 1) === 0 },
  rotate180: { transpose: false, negate: (i, j) => ((i + j) & 1) === 1 },
  rotate270: { transpose: true, negate: (i) => (i & 1) === 0 },
  flipX: { transpose: false, negate: (i) => (i & 1) === 0 },
  flipY: { transpose: false, negate: (_i, j) => (j & 1) === 0 },
  flipPlus1: { transpose: true, negate: () => false },
  flipMinus1: { transpose: true, negate: (i, j) => ((i + j) & 1) === 1 },
};

/** Writes the DCT of dihedral view `which` of `dct` into `out` (both 16x16 row-major). */
export function transformDct(dct: Float32Array, which: Dihedral, out: Float32Array): void {
  const rule = RULES[which];
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const v = dct[i * 16 + j]!;
      const target = rule.transpose ? j * 16 + i : i * 16 + j;
      out[target] = rule.negate(i, j) ? -v : v;
    }
  }
}

/** All eight dihedral hashes of one DCT, in DIHEDRAL order (each with its own median). */
export function dihedralHashes(dct: Float32Array, hasher: PdqHasher): Hash256[] {
  const tmp = new Float32Array(256);
  return DIHEDRAL.map((which) => {
    transformDct(dct, which, tmp);
    return hasher.hashFromDct(tmp);
  });
}
