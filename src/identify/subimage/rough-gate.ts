import type { PixelImage } from '../pdq/borders.js';
import { qualityOf64x64 } from '../pdq/dct.js';
import { DIHEDRAL, transformDct } from '../pdq/dihedral.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import { newHash } from '../pdq/hash256.js';
import { QUALITY_GATE, type SearchPlan, searchPlan } from '../pdq/match-settings.js';
import { PdqHasher, type Rect } from '../pdq/pdq-hasher.js';
import { pdqKernels } from '../pdq/simd.js';

/**
 * A candidate region goes to the full matcher only when its rough hash has a stored hash this close
 * in some orientation. Unrelated content sits at 128 +- 8 bits; a framed copy's rough hash was
 * within 0-50 bits of its reference (robustness bench), the rough cut adding up to ~20 to what the
 * full matcher then finds.
 */
export const GATE_RADIUS = 70;

/**
 * The cheap test every candidate region passes before the full matcher sees it: one PDQ DCT of the
 * region sampled from the query's tent-filtered plane, searched in its eight orientations.
 *
 * The plane is the one the whole-image matcher has just made for the same query and left resident
 * in the kernels' memory: sampling it costs one decimation and one DCT per region, where filtering
 * the query again cost 0.6-1 ms (512x384), more than the rest of the sub-image search of an image
 * with no agency content. The filter window is the whole query's, wider than a small region's own,
 * which blurs the rough hash a little; the full matcher hashes each survivor properly.
 */
export class RoughGate {
  private readonly plan: SearchPlan;
  private readonly hasher = new PdqHasher();
  private readonly rows = new Int32Array(64);
  private readonly columns = new Int32Array(64);
  private readonly block = new Float32Array(64 * 64);
  private readonly dct = new Float32Array(256);
  private readonly turned = new Float32Array(256);
  private readonly bits = newHash();

  constructor(private readonly index: HammingIndex) {
    const plan = searchPlan(index.size);
    this.plan = { ...plan, radius: Math.min(plan.radius, GATE_RADIUS) };
  }

  /** Whether region `r` of `image` (query pixels) has a stored hash within the gate in some orientation. */
  near(image: PixelImage, r: Rect): boolean {
    // Bucket centres as PDQ's decimation places them (FilteredPlane.dctOf), on the resident plane;
    // the kernels filter the image again only when something displaced its plane.
    for (let k = 0; k < 64; k++) {
      this.rows[k] = r.y + Math.trunc(((k + 0.5) * r.height) / 64);
      this.columns[k] = r.x + Math.trunc(((k + 0.5) * r.width) / 64);
    }
    pdqKernels().sampleResident(image, this.rows, this.columns, this.block, this.dct);
    return qualityOf64x64(this.block) >= QUALITY_GATE && this.anyWithin(this.dct);
  }

  /** As {@link near}, for a region made into pixels of its own (a turned or unskewed quadrilateral). */
  nearPixels(pixels: PixelImage): boolean {
    const result = this.hasher.hashPixels(pixels.pixels, pixels.width, pixels.height, pixels.channels);
    return result.quality >= QUALITY_GATE && this.anyWithin(result.dct);
  }

  private anyWithin(dct: Float32Array): boolean {
    let hit = false;
    for (const d of DIHEDRAL) {
      if (d !== 'original') transformDct(dct, d, this.turned);
      this.index.search(this.hasher.hashFromDct(d === 'original' ? dct : this.turned, this.bits), this.plan.radius, () => (hit = true), this.plan.depth);
      if (hit) return true;
    }
    return false;
  }
}
