import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

/** A write whose batches the test finishes by hand. */
function manualWrite() {
  const batches: number[][] = [];
  const finish: ((error?: Error) => void)[] = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve, reject) => finish.push((error) => (error ? reject(error) : resolve())));
  };
  return { batches, finish, write };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Batcher', () => {
  it('writes what arrives in one tick as one batch', async () => {
    const { batches, finish, write } = manualWrite();
    const batcher = new Batcher(write);
    const done = [batcher.add(1), batcher.add(2), batcher.add(3)];
    await tick();
    finish[0]!();
    await Promise.all(done);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers what arrives during a write into the next batch', async () => {
    const { batches, finish, write } = manualWrite();
    const batcher = new Batcher(write);
    const first = batcher.add(1);
    await tick();
    const later = [batcher.add(2), batcher.add(3)];
    finish[0]!();
    await first;
    await tick();
    finish[1]!();
    await Promise.all(later);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('rejects only the callers whose batch failed', async () => {
    const { finish, write } = manualWrite();
    const batcher = new Batcher(write);
    const first = batcher.add(1);
    await tick();
    const second = batcher.add(2);
    finish[0]!(new Error('broker down'));
    await expect(first).rejects.toThrow('broker down');
    await tick();
    finish[1]!();
    await expect(second).resolves.toBeUndefined();
  });

  it('rejects only the items the write reports as failed', async () => {
    const batcher = new Batcher<number>(async (items) => new Map(items.flatMap((n, i) => (n % 2 ? [[i, n]] : []))));
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toEqual({ status: 'rejected', reason: 3 });
  });

  it('splits a long queue into batches of at most maxItems', async () => {
    const { batches, finish, write } = manualWrite();
    const batcher = new Batcher(write, 2);
    const done = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    for (let i = 0; i < 3; i++) {
      await tick();
      finish[i]!();
    }
    await Promise.all(done);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });
});
