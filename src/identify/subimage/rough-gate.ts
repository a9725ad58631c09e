import type { PixelImage } from '../pdq/borders.js';
import type { Crop } from '../pdq/crops.js';
import type { Dihedral } from '../pdq/dihedral.js';
import { type ProbeDepth, samples } from '../pdq/hamming-chunks.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import { newHash } from '../pdq/hash256.js';
import type { LowBandIndex } from '../pdq/low-band.js';
import { MARGIN_PROBES, marginFlips } from '../pdq/low-band-probes.js';
import { halfDepths, QUALITY_GATE, searchPlan, WIDE_GRID_DEPTH } from '../pdq/match-settings.js';
import { OrientationHashes } from '../pdq/orientation-hashes.js';
import { PdqHasher, type Rect } from '../pdq/pdq-hasher.js';
import { pdqKernels } from '../pdq/simd.js';
import { trimRect } from '../pdq/views.js';

/**
 * A candidate region goes to the full matcher only when its rough hash has a stored hash this close
 * in some orientation. Unrelated content sits at 128 +- 8 bits; a framed copy's rough hash was
 * within 0-50 bits of its reference (robustness bench), the rough cut adding up to ~20 to what the
 * full matcher then finds.
 */
export const GATE_RADIUS = 70;

/**
 * The gate's radius for a region's trim views (a large set's index holds only core crops, so a
 * region cut on one side is met through them): a trim view assumes a 10% cut, and a region cut a
 * little otherwise lands further off. Measured (robustness bench, 3 references per kind, a million
 * distractors): a 42% plate screenshot's regions were 76-84 bits from every core crop and trim view,
 * and at 85 the matcher claims it at 10 bits; recall 0.968 -> 0.971, no negative claimed, and
 * match-ab.js at a million references 0 of 80 outcomes changed at x0.965 the CPU (noise).
 */
export const TRIM_GATE_RADIUS = 85;

/**
 * The probe depth of the gate's searches in the seven turned and flipped orientations, in a
 * sampled index (past 8,192 stored hashes, SAMPLED_ENTRIES; 1 bit deep is exact to 23 bits in the
 * 12 chunks past 2^20, 25-31 in the 13-16 chunks below); the upright orientation now too
 * (GATE_UPRIGHT_DEPTH). A gate search at that depth costs ~0.5 ms at 3 million hashes, a
 * cache miss per probe and per candidate, and an image with no agency content made ~35 of them, 8
 * per candidate region: 20 of its 57 ms at 1M references (scripts/bench/pdq-stages.js). Windows and
 * sheet cells show their pictures upright far more often than turned, so the turned orientations
 * are probed as the crop grid's searches are (WIDE_GRID_DEPTH: ~270 probes, a fifth of the cost):
 * exact to 23 bits and a sample beyond (p 0.96 at 35 bits, 0.85 at 40, 0.51 at 50, where the upright
 * depth meets 1.0, 0.995, 0.88). Measured at 1M references, 80 camera-roll images: 56.4 -> 39.6
 * ms per image, no outcome changed (scripts/bench/match-ab.js). Smaller indexes are scanned or
 * probed as before.
 */
export const GATE_TURNED_DEPTH = WIDE_GRID_DEPTH;

/**
 * The probe depth of the gate's upright search in a sampled index: the turned orientations' too.
 * The plan's depth (exact to the 31-bit match threshold, ~2,000 probes) made the upright search the
 * gate's costliest, 2 ms a search at a million references where a turned one took 0.26 (3.3 a
 * camera-roll image, none of which met anything: scripts/bench/gate-profile.js), yet the gate only
 * decides which regions the full matcher sees, at 70 bits: a true copy's region meets its
 * reference's core view within 0-50 bits and its neighbouring regions and trim views are further
 * chances, as the crop grid's crops are. Measured (scripts/bench/match-ab.js, 80 camera-roll
 * images): CPU per image x0.93 at 1M references, x0.88 at 10M, no outcome changed; the robustness
 * bench with a million distractors the same recall in every class (one copy met closer).
 */
export const GATE_UPRIGHT_DEPTH = WIDE_GRID_DEPTH;

/**
 * The probe depths of the gate's seven turned orientations in an index past 2^20 stored hashes
 * (WIDE_ENTRIES; undefined below, where GATE_TURNED_DEPTH holds): 1 bit deep in every other chunk
 * and the chunk's own value alone in the others, half the probes of GATE_TURNED_DEPTH, exact to 17
 * bits (16 past 2^24) and a sample beyond (simulated for the 12 wide chunks: p 0.93 at 30 bits,
 * 0.81 at 35, 0.64 at 40, where 1 bit in every chunk meets 0.996, 0.96 and 0.85; past 2^24, 0.88,
 * 0.71 and 0.53). The turned searches were the gate's largest cost: about 31 of a camera-roll
 * image's 51 gate searches at 1M references, none meeting anything (scripts/bench/search-calls.js),
 * while windows and sheet cells show their pictures upright far more often than turned, and a
 * turned picture's neighbouring regions are further chances, as the crop grid's crops are. Measured
 * (scripts/bench/match-ab.js, 80 camera-roll images, against the commit before): CPU per image
 * x0.916 at 1M references and x0.953 at 10M, no outcome changed; the robustness bench with a
 * million distractors the same recall in every class, which says less than it seems: its
 * distractors are derived from its own references and lie within 70 bits of a true region's rough
 * hash, so they pass such a region whatever the sampling (review); the simulated rates above are
 * the measure. Since session 20 the region's four trim views are probed at these depths too (they
 * took 1 bit in every chunk). Measured at 1M references against the commit before (match-ab.js, 80
 * camera-roll images x 3, alternating): CPU per image x0.921, x0.883, x0.961, and with huge pages
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, as the audit relaunches) x0.970, x0.981, x0.957; 0 of 80
 * outcomes changed, nor of the share's 142 planted copies; the audit's matcher on 1,000 screenshot,
 * contact-sheet and warped copies of 50 agency images found the same 944 with the same references
 * (5 at another distance or region); the robustness bench with each million-reference distractor
 * store missed the same copies as before (precision 1.000).
 */
export function turnedGateDepths(entries: number): number[] | undefined {
  // The same pattern the whole-image matcher's shallow searches took from here (match-settings.ts).
  return halfDepths(entries);
}

/** The stored hash that let a region through the gate: the region's matcher aligns the region to it (sub-image-search.ts). */
export interface GateHit {
  entry: number;
  /** The orientation the region met it in. */
  dihedral: Dihedral;
  /** The one-sided trim whose trim view met it (the view's part of the region: views.ts trimRect); none for the whole region. */
  trim?: Crop;
}

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
  /** The plan's radius, at most GATE_RADIUS. */
  private readonly radius: number;
  /** Probe depth of the seven turned orientations' and the trim views' searches of a region (turnedGateDepths past 2^20 hashes; GATE_TURNED_DEPTH in a smaller sampled index). */
  private readonly rotatedDepth: ProbeDepth | undefined;
  /** Probe depth in the original orientation (GATE_UPRIGHT_DEPTH in a sampled index). */
  private readonly uprightDepth: ProbeDepth | undefined;
  private readonly hasher = new PdqHasher();
  private readonly rows = new Int32Array(64);
  private readonly columns = new Int32Array(64);
  private readonly block = new Float32Array(64 * 64);
  private readonly dct = new Float32Array(256);
  /** A region's eight orientations' hashes (orientation-hashes.ts: the views' tables and four shared medians). */
  private readonly orientations = new OrientationHashes();
  private readonly bits = newHash();
  private readonly scratch = new Float32Array(256);
  /** The one-sided stored crops cut on a single side, whose trim views the gate searches. */
  private readonly trims: readonly Crop[];
  /** What let the last region that passed through (the nearest stored hash of the search that met one). */
  private hit: GateHit | undefined;

  /**
   * `trims`: the one-sided stored crops a large set leaves out of its index (PerceptualMatcher's
   * trimCrops). A region cut one-sidedly from its picture (a window's canvas edge, a sheet cell's
   * caption) was met by those crops; without them its rough hash is far from every core view, and
   * the region never reached the matcher (robustness bench at 1M references: screenshot-65 plate/0000
   * 42 bits from a one-sided crop, 104 from the core ones).
   */
  constructor(
    private readonly index: HammingIndex,
    trims: readonly Crop[] = [],
    private readonly lowBand?: LowBandIndex,
  ) {
    // Crops cut on one side only: the bench's lost regions each pass through one of them, and the four
    // cut on two sides would double the cost, 8 searches for every region an image with no agency
    // content proposes (+17% CPU per camera-roll image at 1M references with all 8, scripts/bench/match-ab.js).
    this.trims = trims.filter((crop) => crop.filter((side) => side > 0).length === 1);
    const plan = searchPlan(index.size);
    this.radius = Math.min(plan.radius, GATE_RADIUS);
    const sampled = samples(index.size);
    this.uprightDepth = sampled ? GATE_UPRIGHT_DEPTH : plan.depth;
    this.rotatedDepth = turnedGateDepths(index.size) ?? (sampled ? GATE_TURNED_DEPTH : plan.depth);
  }

  /**
   * Whether region `r` of `image` (query pixels) has a stored hash within the gate in some
   * orientation; with `byMargin`, its trim views' low-band lookups also read the wide keys their
   * least sure bits lead to (low-band-probes.ts; MARGIN_REGIONS says which regions).
   */
  near(image: PixelImage, r: Rect, byMargin = false): boolean {
    return this.kept(this.ownNear(image, r) || this.trimNear(image, r, byMargin));
  }

  /** The region's one-sided trim views, upright, met within TRIM_GATE_RADIUS (see {@link near}). */
  private trimNear(image: PixelImage, r: Rect, byMargin: boolean): boolean {
    // Trim views, upright only and at the turned orientations' depths: past 2^20 hashes half the
    // probes, as the whole-image matcher's trim views (match-settings.ts halfDepths). Every region
    // of an image with no agency content that meets nothing tries its four one-sided trim views (~8
    // searches per camera-roll image at 1M references, none meeting anything: search-calls.js); a
    // region cut a little off its picture is also met by its upright search, its low-band lookups and
    // its neighbouring regions (measured: turnedGateDepths).
    for (const crop of this.trims) {
      if (!this.sampled(image, trimRect(r, crop))) continue;
      const met = this.nearest('original', crop);
      const hash = this.hasher.hashFromDct(this.dct, this.bits);
      this.index.search(hash, TRIM_GATE_RADIUS, met.visit, this.rotatedDepth);
      // By margin (low-band-probes.ts): a view cut on one side of a rough plane drifts 3-4 bits in the wide key.
      if (!met.found() && this.lowBand) {
        const flips = byMargin ? marginFlips(this.dct, this.lowBand.wideBits, MARGIN_PROBES, this.scratch) : 1;
        this.lowBand.searchWide(hash, TRIM_GATE_RADIUS, flips, met.visit);
      }
      if (met.found()) return true;
    }
    return false;
  }

  /**
   * `passed`, with the gate's hit cleared when the region was dropped (a search may have met a
   * stored hash whose region then failed the quality test or a later view).
   */
  private kept(passed: boolean): boolean {
    if (!passed) this.hit = undefined;
    return passed;
  }

  /**
   * Whether region `r`'s own sample meets a stored hash in some orientation and is not too flat to
   * hash. The quality is judged only for a sample that met something: an image with no agency
   * content judged it for every region, and the answer is the same as judging it first (a search
   * has no effect but its answer). Judging it was most of the sampling's own time (the JavaScript
   * qualityOf64x64 inlined, before the kernels' quality: 368 of the search's 4,846 ms in a
   * --cpu-prof of 300 camera-roll photos x 5, twelve references); turn-back's and the quad
   * search's rough hashes judge it so already.
   */
  private ownNear(image: PixelImage, r: Rect): boolean {
    this.sample(image, r);
    return this.anyWithin(this.dct) && pdqKernels().quality(this.block) >= QUALITY_GATE;
  }

  /** What let the last region {@link near} or {@link nearPixels} passed through; undefined after a drop. */
  get lastHit(): GateHit | undefined {
    return this.hit;
  }

  /**
   * A search's visitor that keeps the nearest stored hash it met as the gate's hit (the search
   * that passes a region is the last to write it; {@link kept} clears it for a dropped one).
   */
  private nearest(dihedral: Dihedral, trim?: Crop) {
    let nearest = Infinity;
    return {
      visit: (entry: number, distance: number) => {
        if (distance >= nearest) return;
        nearest = distance;
        this.hit = { entry, dihedral, ...(trim && { trim }) };
      },
      found: () => nearest < Infinity,
    };
  }

  /** Samples region `r` of the resident plane into the DCT scratch; whether its quality passes. */
  private sampled(image: PixelImage, r: Rect): boolean {
    this.sample(image, r);
    return pdqKernels().quality(this.block) >= QUALITY_GATE;
  }

  /** Samples region `r` of the resident plane into the block and the DCT scratch. */
  private sample(image: PixelImage, r: Rect): void {
    // Bucket centres as PDQ's decimation places them (FilteredPlane.dctOf), on the resident plane;
    // the kernels filter the image again only when something displaced its plane.
    for (let k = 0; k < 64; k++) {
      this.rows[k] = r.y + Math.trunc(((k + 0.5) * r.height) / 64);
      this.columns[k] = r.x + Math.trunc(((k + 0.5) * r.width) / 64);
    }
    pdqKernels().sampleResident(image, this.rows, this.columns, this.block, this.dct);
  }

  /** As {@link near}, for a region made into pixels of its own (a turned or unskewed quadrilateral). */
  nearPixels(pixels: PixelImage): boolean {
    const result = this.hasher.hashPixels(pixels.pixels, pixels.width, pixels.height, pixels.channels);
    return this.kept(result.quality >= QUALITY_GATE && this.anyWithin(result.dct));
  }

  /**
   * Whether the region's hash has a stored hash within the radius in some orientation, in DIHEDRAL
   * order (the upright first, with its low-band lookup). The eight hashes come from
   * OrientationHashes, the same bits as transformDct's views hashed one by one (its test), with
   * four medians instead of eight: an image with no agency content walks all eight for every
   * candidate region.
   */
  private anyWithin(dct: Float32Array): boolean {
    let found = false;
    this.orientations.walk(dct, (hash, d) => {
      const depth = d === 'original' ? this.uprightDepth : this.rotatedDepth;
      const met = this.nearest(d);
      this.index.search(hash, this.radius, met.visit, depth);
      if (!met.found() && d === 'original') this.lowBand?.searchWide(hash, this.radius, 2, met.visit);
      found = met.found();
      return found;
    });
    return found;
  }
}
