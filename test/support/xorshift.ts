/** A seeded 32-bit xorshift generator: the same sequence on every run, for tests that plant bits. */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** `hash` (a 256-bit PDQ hash as 8 words) with `flips` distinct bits flipped, chosen by `next`. */
export function flipped(hash: Uint32Array, flips: number, next: () => number): Uint32Array {
  const out = hash.slice();
  const done = new Set<number>();
  while (done.size < flips) {
    const bit = next() % 256;
    if (done.has(bit)) continue;
    done.add(bit);
    out[bit >>> 5] = (out[bit >>> 5]! ^ (1 << (bit & 31))) >>> 0;
  }
  return out;
}
