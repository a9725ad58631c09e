/**
 * Lookup of fixed-width digests (SHA-256, MD5) held back to back in one column, without a string or
 * an object per digest: an open-addressing table of u32 slots (reference number + 1, 0 empty) keyed
 * by the digest's first four bytes, which are uniformly distributed for a cryptographic digest. At
 * ten million references that is 64 MiB per table, built in one pass; a lookup reads a slot or two
 * and compares the full digest. Where several references share a digest, the one `before` prefers
 * wins (the index prefers the lowest id, as a reference split's merge does), else the first.
 */
export class DigestTable {
  private readonly slots: Uint32Array;
  private readonly mask: number;

  /** `before(a, b)`: whether reference a wins over b when both have one digest (default: the earlier). */
  constructor(
    private readonly column: Uint8Array,
    private readonly width: number,
    before?: (a: number, b: number) => boolean,
  ) {
    const count = column.length / width;
    let size = 16;
    while (size < count * 1.5) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < count; i++) {
      let slot = this.home(column, i * width);
      for (;;) {
        const held = this.slots[slot]!;
        if (held === 0) {
          this.slots[slot] = i + 1;
          break;
        }
        // Already held by another reference with the same digest: keep the one that wins.
        if (this.same(column, i * width, held - 1)) {
          if (before?.(i, held - 1)) this.slots[slot] = i + 1;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
  }

  /** The lowest reference number whose digest is `hex`, or -1 (also for malformed hex). */
  find(hex: string): number {
    if (hex.length !== this.width * 2) return -1;
    const key = Buffer.from(hex, 'hex');
    if (key.length !== this.width) return -1;
    for (let slot = this.home(key, 0); ; slot = (slot + 1) & this.mask) {
      const held = this.slots[slot]!;
      if (held === 0) return -1;
      if (this.same(key, 0, held - 1)) return held - 1;
    }
  }

  private home(bytes: Uint8Array, at: number): number {
    return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) & this.mask;
  }

  private same(bytes: Uint8Array, at: number, reference: number): boolean {
    const base = reference * this.width;
    for (let k = 0; k < this.width; k++) if (bytes[at + k] !== this.column[base + k]) return false;
    return true;
  }
}

/** Sorted distinct values of a size column, for the exact-match prefilter (binary search). */
export function sortedSizes(sizes: Float64Array): Float64Array {
  const sorted = Float64Array.from(sizes).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n);
}

/** Whether `value` is in a sorted array. */
export function hasSorted(sorted: Float64Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === value;
}
