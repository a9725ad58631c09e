/**
 * A pool of bytes that concurrent holders share: `use(weight, task)` waits until `weight` fits in
 * what is left, holds it while `task` runs, then gives it back. Waiters are served in arrival order,
 * so a large request is not starved by a stream of small ones. A request larger than the whole pool
 * runs alone (it waits for the pool to empty and holds it all): callers refuse what they must
 * refuse before asking, and the pool only decides how many run together.
 */
export class BytePool {
  private used = 0;
  private readonly waiting: { weight: number; start: () => void }[] = [];

  constructor(readonly capacity: number) {}

  async use<T>(weight: number, task: () => Promise<T>): Promise<T> {
    const held = Math.min(Math.max(0, weight), this.capacity);
    if (this.waiting.length > 0 || this.used + held > this.capacity) {
      await new Promise<void>((start) => this.waiting.push({ weight: held, start }));
    } else {
      this.used += held;
    }
    try {
      return await task();
    } finally {
      this.used -= held;
      this.admit();
    }
  }

  private admit(): void {
    for (let next = this.waiting[0]; next && this.used + next.weight <= this.capacity; next = this.waiting[0]) {
      this.waiting.shift();
      this.used += next.weight;
      next.start();
    }
  }
}
