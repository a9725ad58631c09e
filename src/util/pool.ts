/**
 * Consumes an async source with at most `limit` tasks in flight. The source is only pulled when a
 * slot is free, so a fast walker cannot flood memory (back-pressure). `task` must not reject.
 */
export async function forEachConcurrent<T>(source: AsyncIterable<T>, limit: number, task: (value: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  for await (const value of source) {
    const promise: Promise<void> = task(value).finally(() => running.delete(promise));
    running.add(promise);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
}
