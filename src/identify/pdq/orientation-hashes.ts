import { medianOf256 } from './dct.js';
import { DIHEDRAL, type Dihedral, transformDct } from './dihedral.js';
import { HASH_WORDS, type Hash256, newHash } from './hash256.js';

/**
 * The eight dihedral hashes of one 16x16 PDQ DCT, each the hash PdqHasher.hashFromDct makes of
 * transformDct's view in that orientation, with what the views share made once. Every quad's rough
 * hash is searched in all eight (quad-search.ts): transformDct's rule per cell and eight medians of
 * 256 values were 45 microseconds of every quad's 8-way search, more than its index scans.
 *
 * - Each view is a table (where each cell goes, and whether it is negated) read off transformDct
 *   itself, so the tables are its rules by construction.
 * - A view's values are the DCT's with its signs: a transpose only moves them. Views with the same
 *   signs per cell (original and flipPlus1, rotate180 and flipMinus1, rotate90 and flipY,
 *   rotate270 and flipX) hold the same values, so the same median: medianOf256 returns an order
 *   statistic, a value, and the bits compare each cell with it, so either view's median gives the
 *   other's bits exactly. Four medians, not eight.
 */
interface View {
  /** Where source cell k lands in the view. */
  target: Uint8Array;
  /** Whether source cell k is negated (1) or kept (0). */
  negate: Uint8Array;
  /** The first orientation (DIHEDRAL order) with the same signs: its median is this one's. */
  medianOf: number;
}

const VIEWS: readonly View[] = (() => {
  // Source cell k holds k + 1: where and with which sign it lands says the view's move and sign.
  const probe = Float32Array.from({ length: 256 }, (_, k) => k + 1);
  const out = new Float32Array(256);
  const views: View[] = [];
  const signs: string[] = [];
  for (const d of DIHEDRAL) {
    transformDct(probe, d, out);
    const target = new Uint8Array(256);
    const negate = new Uint8Array(256);
    for (let t = 0; t < 256; t++) {
      const k = Math.abs(out[t]!) - 1;
      target[k] = t;
      negate[k] = out[t]! < 0 ? 1 : 0;
    }
    const sign = negate.join('');
    const same = signs.indexOf(sign);
    signs.push(sign);
    views.push({ target, negate, medianOf: same >= 0 ? same : views.length });
  }
  return views;
})();

/** Makes the eight orientations' hashes of a DCT in turn, into one hash it reuses. */
export class OrientationHashes {
  private readonly view = new Float32Array(256);
  private readonly sortBuf = new Float32Array(256);
  private readonly medians = new Float64Array(DIHEDRAL.length);
  private readonly hash = newHash();

  /**
   * Calls `each` with the hash of every orientation in DIHEDRAL order (the same hash object,
   * overwritten by the next); `each` returning true stops the walk.
   */
  walk(dct: Float32Array, each: (hash: Hash256, orientation: Dihedral) => boolean | undefined): void {
    const { view, medians, hash } = this;
    for (let o = 0; o < VIEWS.length; o++) {
      const { target, negate, medianOf } = VIEWS[o]!;
      for (let k = 0; k < 256; k++) {
        const v = dct[k]!;
        view[target[k]!] = negate[k] ? -v : v;
      }
      if (medianOf === o) medians[o] = medianOf256(view, this.sortBuf);
      const median = medians[medianOf]!;
      // PdqHasher's bits: cell k set where it exceeds the median.
      hash.fill(0, 0, HASH_WORDS);
      for (let k = 0; k < 256; k++) if (view[k]! > median) hash[k >>> 5] = (hash[k >>> 5]! | (1 << (k & 31))) >>> 0;
      if (each(hash, DIHEDRAL[o]!)) return;
    }
  }
}
