import type { PixelImage } from '../pdq/borders.js';
import { samples } from '../pdq/hamming-chunks.js';
import type { HammingIndex } from '../pdq/hamming-index.js';
import { newHash } from '../pdq/hash256.js';
import { QUALITY_GATE, type SearchPlan } from '../pdq/match-settings.js';
import { PdqHasher } from '../pdq/pdq-hasher.js';
import { pdqKernels } from '../pdq/simd.js';
import { COARSE_MARGIN, CoarseHash, coarsePlane } from './coarse-hash.js';
import { CENTRE_MARGIN } from './inside-frame.js';
import { type LowRes, sampleQuad } from './low-res.js';
import { claimUpright } from './quad-geometry.js';
import type { SubImageMatch, WholeImageMatcher } from './sub-image-search.js';
import type { Point, Quad } from './warp-homography.js';

/**
 * Turns tried first, degrees either way: every degree from 1.5 to 10.5; the two nearest are then
 * tried half a degree either side. A straightened vehicle capture turned back 0.5 degrees off its
 * true turn was still within 4 bits of the exact turn's distance (robustness bench, rotate-crop-9),
 * so the half-degree grid this makes around the nearest misses nothing between its steps; under
 * 1.5 degrees the crop-alignment stage and the rectangles already find straightened copies.
 */
const COARSE_TURNS = Array.from({ length: 10 }, (_, i) => 1.5 + i).flatMap((t) => [t, -t]);
/**
 * The coarse turns tried first, two degrees apart (1.5, 3.5, ... either way): the others are tried
 * only when one of these came within the search's radius of a stored hash. A degree off the true
 * turn costs the rough hash ~26 bits, so a copy whose best turn is within TURN_GATE (50) of its
 * reference has a turn of this sparser grid, at most a degree away, within ~76, and in the
 * robustness bench's straightened copies (best turns 10-34 bits) within the radius (70); an
 * unrelated image, whose turns are all ~128 bits from everything, pays for half the turns.
 */
const SPARSE_TURNS = COARSE_TURNS.filter((_, i) => i % 4 < 2);
/** Coarse turns refined half a degree either side, nearest first. */
const REFINED = 2;
/** Side of the square a turn's rough hash is sampled at from the low-resolution plane. */
const ROUGH_SIDE = 64;
/** Share of each side the stored `crop:10,10,10,10` view keeps: the part of the picture reconstructed. */
const CENTRE = 1 - 2 * CENTRE_MARGIN;
/**
 * How much larger than the largest rectangle's crop a straighten's picture is also looked for at:
 * an editor's or a user's crop a little inside that rectangle (the bench's straighten trims 2 px
 * a side, 3.3% of a 120 px plate crop's height) makes the picture that much larger in the frame.
 * A plate crop's rough hash is that sensitive: at its true turn, 50-64 bits from its reference at
 * the rectangle's scale, 26-36 at 1.04 (robustness bench, rotate-crop-1, 4 plate crops).
 */
const TIGHTER = 1.04;
/**
 * A turn's picture is matched a second time, as much of it as the frame shows in full (f^2 of its
 * sides: the largest upright rectangle of the picture inside the frame), when that is this much
 * more than the centre view: the matcher's crop alignment then finds the stored view inside it,
 * where a centre view a few percent off in scale missed. A plate crop straightened by 1 degree
 * shows 0.89 of its sides in full; warped at 0.87 it matched at 8-12 bits, 4 of 4 (none at 0.8).
 */
const CLEAN_MARGIN = 1.03;
/**
 * The sparser grid's rough distances by turn, and whether any is within the search's radius; no
 * distances where no turn's coarse hash came within COARSE_MARGIN of the radius (near is false).
 */
export interface SparseTurns {
  distances: ReadonlyMap<number, number>;
  near: boolean;
}
/** A candidate turn (degrees), the scale it was rough-hashed at, and its rough distance. */
interface NearTurn {
  turn: number;
  scale: number;
  distance: number;
}
/** Turns whose rough hash came within TURN_GATE that go on to the full matcher, nearest first. */
const MAX_MATCHED = 2;
/**
 * Rough-hash radius a turn must be within to be warped and matched: as the quad search's gate
 * (quad-search.ts), where true copies' candidates came within 10-34 bits and unrelated images'
 * at 54-70.
 */
export const TURN_GATE = 50;
/**
 * Largest distance at which a turned-back picture is claimed, below the whole-image threshold:
 * turning a picture upright makes it more like every other upright picture of its template
 * (quad-search.ts). Measured (robustness bench --quick, 36 straightened copies and 660 hard
 * negatives, each negative also straightened by 1, 4 and 9 degrees): with the claim opened to 40
 * no negative was claimed at all, while straightened copies matched at 4-19 (21), 24-31 (3); a
 * straightened 640 px photo (fixtures/pdq/bridge-640.jpg) turned back matched at 10, 16, 28 and
 * 30 bits for turns of 4, 6, 8 and 10 degrees, the corners of the stored centre view falling
 * outside what the straighten kept.
 */
export const TURN_CLAIM_DISTANCE = 28;

/**
 * Looks for a picture turned by a few degrees and then cropped to the largest upright rectangle
 * of its shape inside it (a photo editor's straighten): no frame edge shows, so no quad finder can
 * see it. For each turn tried, the straightened frame is undone in the query's own geometry: the
 * part of the original picture a stored `crop:10,10,10,10` view shows lies, turned, around the
 * query's centre, at 1/f of the query's size (f the straighten's crop factor for that turn and
 * aspect). That quad is rough-hashed from the low-resolution plane and searched in the original
 * orientation only; the closest few turns are warped upright from the full-resolution pixels and
 * matched with the whole-image matcher, so the claim carries the matcher's views, crop alignment
 * and tile verification as a stand-alone copy would. An unrelated image pays one rough hash and
 * one index search for each of the 10 turns of the sparser grid (SPARSE_TURNS), not all 20: in an
 * index small enough to scan, a coarse hash each, and the full ones only where a coarse one came near.
 */
export class TurnBack {
  private readonly hasher = new PdqHasher();
  private readonly bits = newHash();
  private readonly block = new Float32Array(ROUGH_SIDE * ROUGH_SIDE);
  private readonly dct = new Float32Array(256);
  /**
   * The sparse turns' coarse first look, in an index that is scanned (up to SAMPLED_ENTRIES): there
   * a turn's cost is its samples. In a sampled index it is the probes (0.26-0.5 ms a search at a
   * million references, rough-gate.ts, against 36 us of samples), which a coarse search would add
   * to, and probes 1 bit deep meet a hash with odds falling past 23 bits (0.85 at 40, 0.45 at 52),
   * where a turn's coarse hash lay up to 22 bits further from the nearest stored hash than its full
   * one: there the full hashes are made as before.
   */
  private readonly coarse: CoarseHash | undefined;

  constructor(
    private readonly matcher: WholeImageMatcher,
    private readonly index: HammingIndex,
    private readonly plan: SearchPlan,
  ) {
    this.coarse = samples(index.size) ? undefined : new CoarseHash(index);
  }

  /**
   * The rough distances of the sparser grid's turns (SPARSE_TURNS), which every query the other
   * searches leave unmatched pays for (in a scanned index, ten coarse hashes first); `near` says
   * whether any came within the search's radius.
   */
  sparse(plane: LowRes): SparseTurns {
    // Coarse hashes first (coarse-hash.ts): where none comes within COARSE_MARGIN of the radius, no
    // full rough hash is made, and an unrelated photo pays a quarter of the samples. That the full
    // ones would not have come near is measured, not guaranteed (COARSE_MARGIN); `near` also decides
    // whether the quad search keeps its turn candidates and whether find searches at all.
    const { coarse } = this;
    if (coarse) {
      const half = coarsePlane(plane);
      const radius = this.plan.radius + COARSE_MARGIN;
      if (!SPARSE_TURNS.some((turn) => coarse.near(half, centreQuad(plane.width, plane.height, turn), radius))) return { distances: new Map(), near: false };
    }
    const distances = new Map<number, number>();
    for (const turn of SPARSE_TURNS) distances.set(turn, this.rough(plane, centreQuad(plane.width, plane.height, turn)));
    return { distances, near: [...distances.values()].some((d) => d <= this.plan.radius) };
  }

  /**
   * The first (or with `best` the closest) turn that matches within TURN_CLAIM_DISTANCE. `sparse`:
   * this plane's sparse turns, when the caller has hashed them already.
   */
  find(image: PixelImage, plane: LowRes, best = false, sparse = this.sparse(plane)): SubImageMatch | undefined {
    const distances = new Map(sparse.distances);
    const rough = (turn: number, scale = 1) => this.rough(plane, centreQuad(plane.width, plane.height, turn, scale));
    // Nothing of the sparse grid within the radius: a copy's best turn would have been within the gate
    // and its sparse neighbour within ~26 bits of that, so the other turns are not tried.
    if (!sparse.near) return undefined;
    // In COARSE_TURNS order, so that equal distances sort as they did when every turn was tried.
    const near: NearTurn[] = COARSE_TURNS.map((turn) => ({ turn, scale: 1, distance: distances.get(turn) ?? rough(turn) }));
    // Neighbouring turns refine to the same half-degree (3.5 + 0.5 and 4.5 - 0.5): each turn and
    // scale is hashed and listed once, so a repeat cannot take a matched slot (reviewer).
    const tried = (turn: number, scale: number) => {
      if (!near.some((n) => n.turn === turn && n.scale === scale)) near.push({ turn, scale, distance: rough(turn, scale) });
    };
    near.sort((a, b) => a.distance - b.distance);
    // An unrelated image's turns all come back Infinity (nothing within the gate): nothing to refine.
    for (const { turn, distance } of near.slice(0, REFINED)) {
      if (distance > TURN_GATE) continue;
      for (const t of [turn - 0.5, turn + 0.5]) tried(t, 1);
      for (const t of [turn - 0.5, turn, turn + 0.5]) tried(t, TIGHTER);
    }
    near.sort((a, b) => a.distance - b.distance);
    // Nearest first: the gate ends the list where a turn is too far. Each turn's centre view first,
    // then, where the frame shows more of the picture than that view, all of it the frame shows.
    const chosen = near.slice(0, MAX_MATCHED).filter(({ distance }) => distance <= TURN_GATE);
    const at = (turn: number, quad: Quad) => ({
      quad,
      geometry: () => ({ region: { x: 0, y: 0, width: 100, height: 100 }, scale: 1, rotation: turn, skew: 0 }),
      method: 'turn-back',
    });
    const tries = chosen.map(({ turn, scale }) => at(turn, centreQuad(image.width, image.height, turn, scale)));
    for (const { turn, scale } of chosen) {
      const f = cropFactor(image.width, image.height, turn);
      // The share of the picture's sides the frame shows in full, against the centre view's.
      if ((f * f) / scale >= CENTRE * CLEAN_MARGIN) tries.push(at(turn, centreQuad(image.width, image.height, turn, (f * f) / CENTRE)));
    }
    return claimUpright(this.matcher, image, tries, TURN_CLAIM_DISTANCE, best);
  }

  /**
   * The nearest stored hash to the quad's rough hash, upright only; Infinity when none is within the
   * plan's radius or the sample is too flat to hash. The quality is judged only for a hash that
   * found something: in JavaScript it cost twice the DCT, hash and search together (~28 of ~41
   * microseconds in session 16's profile; the kernels' SIMD quality now takes ~3).
   * Distances past TURN_GATE are returned too (the sparse grid's test); find never matches them.
   */
  private rough(plane: LowRes, quad: Quad): number {
    sampleQuad(plane, quad, this.block);
    pdqKernels().dct64To16(this.block, this.dct);
    let nearest = Infinity;
    this.index.search(this.hasher.hashFromDct(this.dct, this.bits), this.plan.radius, (_, d) => (nearest = Math.min(nearest, d)), this.plan.depth);
    return nearest <= this.plan.radius && pdqKernels().quality(this.block) >= QUALITY_GATE ? nearest : Infinity;
  }
}

/** The share of its sides a picture straightened by `turn` degrees keeps: the largest rectangle of the w x h frame's shape inside it. */
function cropFactor(w: number, h: number, turn: number): number {
  const a = (turn * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.abs(Math.sin(a));
  return Math.min(w / (w * cos + h * sin), h / (w * sin + h * cos));
}

/**
 * Where the stored centre view (CENTRE of each side) of a picture straightened by `turn` degrees
 * (clockwise positive) lies in a w x h frame: the straighten kept the largest rectangle of the
 * frame's shape inside the turned picture, f of its sides, and scaled it to the frame, so the
 * picture is 1/f of the frame, turned about its centre. `scale` (> 1) is a crop that kept less
 * than that rectangle: the picture shows that much larger.
 */
export function centreQuad(w: number, h: number, turn: number, scale = 1): Quad {
  const a = (turn * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const f = cropFactor(w, h, turn);
  const pw = (CENTRE * w * scale) / f;
  const ph = (CENTRE * h * scale) / f;
  const at = (dx: number, dy: number): Point => ({ x: w / 2 + dx * cos - dy * sin, y: h / 2 + dx * sin + dy * cos });
  return [at(-pw / 2, -ph / 2), at(pw / 2, -ph / 2), at(pw / 2, ph / 2), at(-pw / 2, ph / 2)];
}
