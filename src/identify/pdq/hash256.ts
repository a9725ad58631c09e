/**
 * 256-bit PDQ hashes as eight 32-bit words. Word `m` holds bits 32m..32m+31, so bit k (PDQ's
 * `16i+j` for DCT cell (i, j)) is bit `k & 31` of word `k >> 5`. Typed words keep Hamming distance
 * to eight XOR+popcount steps, with no string or BigInt work on the hot path.
 */
export type Hash256 = Uint32Array;

export const HASH_WORDS = 8;
export const HASH_BITS = 256;

export const newHash = (): Hash256 => new Uint32Array(HASH_WORDS);

/** Population count of a 32-bit word (SWAR; no lookup table, no allocation). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Number of differing bits between two hashes. */
export function hamming(a: Hash256, b: Hash256): number {
  let d = 0;
  for (let w = 0; w < HASH_WORDS; w++) d += popcount32((a[w]! ^ b[w]!) >>> 0);
  return d;
}

/** Hamming distance between hash `a` and the hash stored at word offset `offset` of `pool`. */
export function hammingAt(a: Hash256, pool: Uint32Array, offset: number): number {
  let d = 0;
  for (let w = 0; w < HASH_WORDS; w++) d += popcount32((a[w]! ^ pool[offset + w]!) >>> 0);
  return d;
}

const HEX = /^[0-9a-f]{64}$/;

/**
 * Reference hex format: the C++ `Hash256::format` prints 16-bit words w[15] down to w[0] as `%04hx`,
 * i.e. the whole hash as one big-endian 256-bit number with bit k worth 2^k.
 */
export function hashToHex(hash: Hash256): string {
  let out = '';
  for (let w = HASH_WORDS - 1; w >= 0; w--) out += hash[w]!.toString(16).padStart(8, '0');
  return out;
}

/** Parses 64 lowercase hex digits (reference format); returns undefined for anything else. */
export function hashFromHex(hex: string): Hash256 | undefined {
  if (!HEX.test(hex)) return undefined;
  const hash = newHash();
  for (let w = 0; w < HASH_WORDS; w++) {
    const start = 64 - 8 * (w + 1);
    hash[w] = Number.parseInt(hex.slice(start, start + 8), 16) >>> 0;
  }
  return hash;
}

/** Bit `k` of a hash (0 or 1). */
export const hashBit = (hash: Hash256, k: number): number => (hash[k >>> 5]! >>> (k & 31)) & 1;
