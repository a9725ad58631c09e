import { medianOf256 } from './dct.js';
import { LOW_BAND } from './low-band.js';

// Which wide keys a rough hash's low-band lookup reads, by how likely each key bit is to be wrong.
// A hash bit is its DCT coefficient against the median: a coefficient near the median flips with a
// small change of the picture (a cut a few pixels off, the blurrier plane the rough gate samples),
// one far from it holds. So a lookup that cannot afford every key 3 or 4 bits off reads the keys in
// the order of the summed margins of the bits they flip (multi-probe hashing, Lv et al. 2007),
// cheapest first. Measured (robustness bench, scripts/bench/robustness-1m-trace.js --gate): a
// screenshot's plate cut on one side, whose trim view lay 52 bits from its reference's core crop and
// 4 bits off in the 16-bit wide key at a million references (positions 7, 8, 10 and 14), was
// the 78th key in this order; another, 64 bits away and 3 off, the 66th; 1 bit deep reaches neither.

/**
 * Wide keys a trim view's lookup reads (rough-gate.ts) by margin, its own first; any key 1 bit off
 * not among them is read too, as the lookup did before. Each key reads ~46 stored hashes' tails at
 * a million references (3 million hashes over 2^16 wide keys).
 */
export const MARGIN_PROBES = 96;

/**
 * Candidate regions per query whose trim views are looked up by margin: the first candidate in
 * sub-image-search.ts's list (REGION_FINDERS in order, each finder's most likely first), counted
 * over all finders' candidates, so a query whose first candidate brings its own pixels (a grid cell)
 * has none looked up by margin. Every region of a photo with no agency content goes through the
 * gate with its trim views (~8 trim-view searches per camera-roll image at a million references,
 * scripts/bench/search-calls.js): looked up by margin, every region's cost x1.196 matching CPU per
 * image (scripts/bench/match-ab.js, 80 camera-roll images x 3), of which the gate's wide lookups
 * themselves 4.2 -> 6.2 ms an image of 37 (scripts/bench/low-band-cost.js) and ~30 us a view to
 * order its keys; the first region alone x0.997, within noise.
 */
export const MARGIN_REGIONS = 1;

/**
 * XOR masks over a `wideBits`-bit wide key (LOW_BAND index i is bit wideBits - 1 - i, as the key
 * tables place it), the key itself first, then by the summed margins |dct - median| of the bits
 * flipped (ties by the lower rank mask), `budget` in all, then any key 1 bit off not among them.
 */
export function marginFlips(dct: Float32Array, wideBits: number, budget: number, scratch: Float32Array): number[] {
  const median = medianOf256(dct, scratch);
  const order = Array.from({ length: wideBits }, (_, i) => i);
  const margin = order.map((i) => Math.abs(dct[LOW_BAND[i]!]! - median));
  order.sort((a, b) => margin[a]! - margin[b]! || a - b);
  // Key bit of each rank (the rank-th least sure), and its margin.
  const keyBit = order.map((i) => 2 ** (wideBits - 1 - i));
  const cost = order.map((i) => margin[i]!);
  const flips = [0];
  // Subsets of ranks as bit masks over ranks, cheapest first: each popped subset A yields A with its
  // highest rank moved one up (shift) and A with the next rank added (expand), so every subset is
  // made once (Lv et al.'s generation). A binary heap on (score, rank mask); each pop adds at most 2.
  const scores = new Float64Array(2 * budget + 2);
  const masks = new Int32Array(2 * budget + 2);
  let size = 0;
  const before = (s: number, m: number, t: number, n: number) => s < t || (s === t && m < n);
  const push = (score: number, mask: number) => {
    let at = size++;
    while (at > 0) {
      const up = (at - 1) >> 1;
      if (!before(score, mask, scores[up]!, masks[up]!)) break;
      scores[at] = scores[up]!;
      masks[at] = masks[up]!;
      at = up;
    }
    scores[at] = score;
    masks[at] = mask;
  };
  if (wideBits > 0) push(cost[0]!, 1);
  while (flips.length < budget && size > 0) {
    const score = scores[0]!;
    const ranks = masks[0]!;
    // Pop: the last leaf sifts down from the root.
    size--;
    const s = scores[size]!;
    const m = masks[size]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && before(scores[child + 1]!, masks[child + 1]!, scores[child]!, masks[child]!)) child++;
      if (!before(scores[child]!, masks[child]!, s, m)) break;
      scores[at] = scores[child]!;
      masks[at] = masks[child]!;
      at = child;
    }
    scores[at] = s;
    masks[at] = m;
    let key = 0;
    for (let r = 0, left = ranks; left > 0; r++, left >>>= 1) if (left & 1) key += keyBit[r]!;
    flips.push(key);
    const last = 31 - Math.clz32(ranks);
    if (last + 1 >= wideBits) continue;
    const step = cost[last + 1]!;
    push(score - cost[last]! + step, ranks - 2 ** last + 2 ** (last + 1));
    push(score + step, ranks + 2 ** (last + 1));
  }
  for (let i = 0; i < wideBits; i++) if (!flips.includes(2 ** i)) flips.push(2 ** i);
  return flips;
}
