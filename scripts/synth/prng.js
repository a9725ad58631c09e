// @ts-check
/**
 * Seeded pseudo-random numbers for the synthetic fixtures. mulberry32 is tiny, fast and has a
 * full 2^32 period, which is plenty for drawing pictures; Math.random would make fixtures unrepeatable.
 */

/**
 * @typedef {object} Rng
 * @property {() => number} next uniform float in [0, 1)
 * @property {(lo: number, hi: number) => number} float uniform float in [lo, hi)
 * @property {(lo: number, hi: number) => number} int uniform integer in [lo, hi] (inclusive)
 * @property {<T>(items: readonly T[]) => T} pick one element, uniformly
 * @property {() => number} gauss standard normal (Box-Muller)
 */

/**
 * mulberry32 over a 32-bit state.
 * @param {number} seed any number; only its low 32 bits matter
 * @returns {Rng}
 */
export function rng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    float: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * next()),
    pick: (items) => {
      const item = items[Math.floor(items.length * next())];
      if (item === undefined) throw new RangeError('pick() from an empty list');
      return item;
    },
    gauss: () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}

/**
 * Derives an independent seed from a seed and a label, so that e.g. the vehicle colour and the
 * noise of one capture do not share a stream (FNV-1a over the label, mixed with the seed).
 * @param {number} seed
 * @param {string} label
 * @returns {number}
 */
export function subSeed(seed, label) {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
