/**
 * The entries one search has already visited, so that an entry met through two chunks is visited
 * once. Only entries within the search's radius are added (a handful per search, a few thousand in
 * a crowded neighbourhood), so an open-addressing set sized to them replaces a stamp per indexed
 * hash: that array cost 4 bytes per entry on every matching thread, 120 MB each at ten million
 * references (30 million indexed hashes). Keys are kept with the stamp of the search that added
 * them, so a new search empties the set by taking the next stamp, without clearing it.
 */
export class SeenSet {
  private keys = new Uint32Array(1024);
  private stamps = new Uint32Array(1024);
  /** 32 - log2(size): a key's home slot is the top bits of its Fibonacci product (the low bits of a product depend only on the key's low bits, which entries spaced by a power of two share). */
  private shift = 22;
  /** Starts at 1: the stamps start at 0, which would make every slot look taken before the first clear. */
  private stamp = 1;
  private count = 0;

  /** Empties the set (for the next search). */
  clear(): void {
    this.stamp = (this.stamp + 1) >>> 0;
    this.count = 0;
    if (this.stamp === 0) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  /** Adds `entry`; false when it was already there. */
  add(entry: number): boolean {
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let slot = Math.imul(entry, 0x9e3779b1) >>> this.shift; ; slot = (slot + 1) & mask) {
      if (this.stamps[slot] !== this.stamp) {
        this.stamps[slot] = this.stamp;
        this.keys[slot] = entry;
        this.count++;
        return true;
      }
      if (this.keys[slot] === entry) return false;
    }
  }

  /** Twice the room, the current search's entries placed again (the set stays at most half full, so probes stay short). */
  private grow(): void {
    const { keys, stamps, stamp } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.stamps = new Uint32Array(keys.length * 2);
    this.shift--;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (stamps[i] === stamp) this.add(keys[i]!);
  }
}
