import { createHash } from 'node:crypto';

/**
 * HMAC-SHA-256 of short messages (at most 55 bytes) with a fixed key, in plain JavaScript.
 *
 * Why not node:crypto: a scan digests millions of candidate tokens of 2-10 bytes, and a
 * `createHmac()` call costs an object, a native call and a hex string each time. Here the key's inner
 * and outer pad blocks are compressed once, so each message costs exactly two SHA-256 compressions
 * into preallocated arrays and no allocation. Results are checked against node:crypto in the tests.
 */

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression of the 16 words in `w[0..15]` into `state` (w is used as the schedule). */
function compress(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!,
    b = state[1]!,
    c = state[2]!,
    d = state[3]!;
  let e = state[4]!,
    f = state[5]!,
    g = state[6]!,
    h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** Largest message {@link ShortHmac.digest} accepts: one block after the 64-byte key block. */
export const SHORT_HMAC_MAX_BYTES = 55;

/** HMAC-SHA-256 under one key, for messages of at most 55 bytes. Not safe for concurrent reuse of `out`. */
export class ShortHmac {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly w = new Int32Array(64);
  /** The last digest, as eight big-endian 32-bit words (signed). Overwritten by each call. */
  readonly out = new Int32Array(8);

  constructor(key: Uint8Array) {
    const block = new Uint8Array(64);
    block.set(key.length > 64 ? createHash('sha256').update(key).digest() : key);
    this.inner.set(IV);
    this.outer.set(IV);
    this.loadPad(block, 0x36);
    compress(this.inner, this.w);
    this.loadPad(block, 0x5c);
    compress(this.outer, this.w);
    block.fill(0);
  }

  private loadPad(block: Uint8Array, pad: number): void {
    for (let i = 0; i < 16; i++) {
      const j = i * 4;
      this.w[i] = ((block[j]! ^ pad) << 24) | ((block[j + 1]! ^ pad) << 16) | ((block[j + 2]! ^ pad) << 8) | (block[j + 3]! ^ pad);
    }
  }

  /** Digests `message[0..length)` into {@link out} and returns it. */
  digest(message: Uint8Array, length: number): Int32Array {
    if (length > SHORT_HMAC_MAX_BYTES) throw new RangeError(`ShortHmac takes at most ${SHORT_HMAC_MAX_BYTES} bytes`);
    const w = this.w;
    w.fill(0, 0, 16);
    for (let i = 0; i < length; i++) w[i >> 2]! |= message[i]! << (24 - 8 * (i & 3));
    w[length >> 2]! |= 0x80 << (24 - 8 * (length & 3));
    w[15] = (64 + length) * 8;
    const out = this.out;
    out.set(this.inner);
    compress(out, w);
    for (let i = 0; i < 8; i++) w[i] = out[i]!;
    w[8] = 0x80000000 | 0;
    w.fill(0, 9, 15);
    w[15] = (64 + 32) * 8;
    out.set(this.outer);
    compress(out, w);
    return out;
  }
}

/** Lowercase hex of digest words as returned by {@link ShortHmac.digest}. */
export function wordsToHex(words: Int32Array): string {
  let hex = '';
  for (let i = 0; i < 8; i++) hex += (words[i]! >>> 0).toString(16).padStart(8, '0');
  return hex;
}
