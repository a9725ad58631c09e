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

/**
 * Reference numbers ordered by size (ties in reference order): an LSD radix sort over the sizes'
 * float64 bits (sizes are non-negative, whose IEEE bits order as the numbers do), four passes of 16
 * bits, no comparator call. Ten million sizes sort in well under a second.
 */
export function orderBySize(sizes: Float64Array): Uint32Array {
  const n = sizes.length;
  const bits = new Uint32Array(sizes.buffer, sizes.byteOffset, n * 2);
  let order = Uint32Array.from({ length: n }, (_, i) => i);
  let next = new Uint32Array(n);
  const counts = new Uint32Array(65_537);
  // Little-endian: word 0 of a float64 is its low half, word 1 its high half.
  for (const [word, shift] of [
    [0, 0],
    [0, 16],
    [1, 0],
    [1, 16],
  ] as const) {
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[((bits[order[k]! * 2 + word]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 0; d < 65_536; d++) counts[d + 1]! += counts[d]!;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      next[counts[(bits[i * 2 + word]! >>> shift) & 0xffff]!++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** The range [from, to) of `order` (by size) whose references have exactly this size. */
export function sizeRange(sizes: Float64Array, order: Uint32Array, size: number): [number, number] {
  const bound = (strict: boolean) => {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const value = sizes[order[mid]!]!;
      if (value < size || (strict && value === size)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [bound(false), bound(true)];
}
