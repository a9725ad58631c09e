/**
 * Consumes an async source with at most `limit` tasks in flight. The source is only pulled when a
 * slot is free, so a fast walker cannot flood memory (back-pressure). `task` must not reject; if
 * one does, no further task starts and the rejection is thrown (the running ones are not awaited).
 */
export async function forEachConcurrent<T>(source: AsyncIterable<T>, limit: number, task: (value: T) => Promise<void>): Promise<void> {
  const slots = new Slots(limit);
  for await (const value of source) {
    while (slots.full()) await slots.freed();
    slots.start(task, value);
  }
  await slots.drained();
}

/**
 * {@link forEachConcurrent} over a source that yields its values in groups (a directory's files):
 * the values of a group start one after another as slots free up, and the source is pulled for the
 * next group only when the last one has started. A task that is done when it returns (no promise)
 * takes no slot.
 */
export async function forEachConcurrentInGroups<T>(
  source: AsyncIterable<readonly T[]>,
  limit: number,
  task: (value: T) => Promise<void> | void,
): Promise<void> {
  const slots = new Slots(limit);
  for await (const group of source) {
    for (const value of group) {
      // No await while a slot is free: a group's values start in one turn.
      while (slots.full()) await slots.freed();
      slots.start(task, value);
    }
  }
  await slots.drained();
}

/**
 * Counts the tasks in flight, and wakes the one waiter when a slot frees. The pool used to wait
 * with `Promise.race` over the set of running tasks: on every file, a new reaction on each of up to
 * `limit` promises, all kept until their task settled (the bench share's 20,400 files: a good part
 * of the audit's garbage).
 */
class Slots {
  private running = 0;
  private wake: (() => void) | undefined;
  private failed = false;
  private failure: unknown;

  constructor(private readonly limit: number) {}

  full(): boolean {
    return this.running >= this.limit;
  }

  /** Starts `task(value)` in a free slot; throws what an earlier task rejected with. */
  start<T>(task: (value: T) => Promise<void> | void, value: T): void {
    this.check();
    const running = task(value);
    if (!running) return;
    this.running++;
    running.then(this.settled, this.rejected);
  }

  /** Resolves once every task started has settled; throws what a task rejected with. */
  async drained(): Promise<void> {
    while (this.running > 0) await this.freed();
    this.check();
  }

  private readonly settled = (): void => {
    this.running--;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  private readonly rejected = (error: unknown): void => {
    if (!this.failed) [this.failed, this.failure] = [true, error];
    this.settled();
  };

  /** Resolves when a running task settles (one waiter at a time: the loop that fills the slots). */
  freed(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private check(): void {
    if (this.failed) throw this.failure;
  }
}
