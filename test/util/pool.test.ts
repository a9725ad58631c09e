import { describe, expect, it } from 'vitest';
import { forEachConcurrent, forEachConcurrentInGroups } from '../../src/util/pool.js';

async function* groupsOf<T>(groups: T[][]): AsyncGenerator<T[]> {
  for (const group of groups) yield group;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('forEachConcurrentInGroups', () => {
  it('runs every value once, never more than the limit at a time, and waits for the last', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrentInGroups(groupsOf([[1, 2, 3], [], [4, 5, 6, 7, 8], [9]]), 3, async (value) => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
      done.push(value);
    });
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives no slot to a task that returns no promise', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    await forEachConcurrentInGroups(groupsOf([[1, 2, 3, 4, 5, 6]]), 1, (value) => {
      if (value % 2 === 0) return void order.push(`sync ${value}`);
      running++;
      most = Math.max(most, running);
      return tick().then(() => {
        running--;
        order.push(`async ${value}`);
      });
    });
    expect(most).toBe(1);
    expect(order.filter((o) => o.startsWith('sync'))).toEqual(['sync 2', 'sync 4', 'sync 6']);
    expect(order).toHaveLength(6);
  });

  it('throws what a task rejected with, and starts no task after it', async () => {
    const started: number[] = [];
    const run = forEachConcurrentInGroups(
      groupsOf([
        [1, 2],
        [3, 4],
      ]),
      1,
      async (value) => {
        started.push(value);
        await tick();
        if (value === 2) throw new Error('task 2 failed');
      },
    );
    await expect(run).rejects.toThrow('task 2 failed');
    expect(started).toEqual([1, 2]);
  });
});

describe('forEachConcurrent', () => {
  it('keeps to the limit over a plain async source', async () => {
    async function* values(): AsyncGenerator<number> {
      for (let i = 0; i < 10; i++) yield i;
    }
    let running = 0;
    let most = 0;
    let count = 0;
    await forEachConcurrent(values(), 4, async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
      count++;
    });
    expect([most, count]).toEqual([4, 10]);
  });
});
