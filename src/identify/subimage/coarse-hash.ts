import type { HammingIndex } from '../pdq/hamming-index.js';
import { newHash } from '../pdq/hash256.js';
import { PdqHasher } from '../pdq/pdq-hasher.js';
import { COARSE_SIDE, pdqKernels } from '../pdq/simd.js';
import { type LowRes, sampleQuad } from './low-res.js';
import type { Quad } from './warp-homography.js';

/**
 * How much farther than the search's radius a coarse rough hash may be from a stored hash and still
 * call for the full rough hash: the coarse hash drifts from the full one (median 31 bits on
 * camera-roll photos, 42 on copies), but where the full hash comes near, the coarse one follows.
 * Measured (turn-back's sparse turns, 300 camera-roll photos and 240 copies of 12 references): of
 * the 77 images with a full rough hash within 70 bits, the coarse one was at most 74 (4 past 70); 15
 * of the 300 photos had a coarse one within 80 and 19 within 85, so the margin, almost four times
 * what was seen, costs a handful more full hashes. A miss here would silently drop turn-back's and
 * the quad search's turn candidates for the image (turn-back.ts `sparse`). A single turn's coarse hash was up to 22 bits further than its
 * full one; the nearest of the ten is what decides.
 */
export const COARSE_MARGIN = 15;

/** The low-resolution plane 2 x 2 box-averaged: what a coarse sample is taken from. */
export interface CoarsePlane {
  luma: Float32Array;
  width: number;
  height: number;
}

/**
 * The plane averaged over 2 x 2 boxes (the last row or column of an odd side dropped). Sampling
 * COARSE_SIDE points a side from it stands for sampling twice as many from the plane and averaging
 * pairs: the 16 lowest frequencies PDQ keeps are the same within a few percent, where sampling the
 * plane itself at COARSE_SIDE points aliases (37 bits from the full hash on average, session 19).
 */
export function coarsePlane(plane: LowRes): CoarsePlane {
  const { luma: src, width } = plane;
  const w = Math.max(1, plane.width >> 1);
  const h = Math.max(1, plane.height >> 1);
  const right = plane.width > 1 ? 1 : 0;
  const down = plane.height > 1 ? width : 0;
  const luma = new Float32Array(w * h);
  for (let y = 0, o = 0; y < h; y++) {
    for (let x = 0, i = 2 * y * width; x < w; x++, o++, i += 2) luma[o] = (src[i]! + src[i + right]! + src[i + down]! + src[i + down + right]!) * 0.25;
  }
  return { luma, width: w, height: h };
}

/**
 * The parallelogram of `quad` (plane pixels, a turned rectangle: its fourth corner follows from
 * the other three) sampled bilinearly from the coarse plane into a COARSE_SIDE square: sampleQuad
 * (low-res.ts) with the quad's corners halved, since coarse pixel j covers plane pixels 2j and 2j + 1.
 */
export function sampleCoarse(coarse: CoarsePlane, quad: Quad, out: Float32Array): void {
  const half = quad.map((p) => ({ x: p.x / 2, y: p.y / 2 })) as unknown as Quad;
  sampleQuad(coarse, half, out, COARSE_SIDE);
}

/**
 * A cheap first look at a quad's rough hash: a COARSE_SIDE sample of the coarse plane, its DCT in
 * the PDQ kernels (simd.ts dct32To16) and PDQ's bits, searched upright. A quarter of the samples
 * and of the DCT's work of the full rough hash, for a test that only says whether the full one is
 * worth making.
 */
export class CoarseHash {
  private readonly hasher = new PdqHasher();
  private readonly bits = newHash();
  private readonly block = new Float32Array(COARSE_SIDE * COARSE_SIDE);
  private readonly dct = new Float32Array(256);

  constructor(private readonly index: HammingIndex) {}

  /** Whether the coarse rough hash of `quad` has a stored hash within `radius` (upright; an index small enough to scan). */
  near(coarse: CoarsePlane, quad: Quad, radius: number): boolean {
    sampleCoarse(coarse, quad, this.block);
    pdqKernels().dct32To16(this.block, this.dct);
    let hit = false;
    this.index.search(this.hasher.hashFromDct(this.dct, this.bits), radius, () => (hit = true));
    return hit;
  }
}
