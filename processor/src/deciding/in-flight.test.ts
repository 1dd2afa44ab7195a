import { describe, expect, it } from 'vitest';
import { inFlight } from './in-flight.ts';

/** A promise the test resolves when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const settledTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('work in flight within a partition', () => {
  it('never has more than the limit in flight, and gives every result in the items’ order', async () => {
    let now = 0;
    let most = 0;
    const results = await inFlight([5, 1, 4, 2, 3, 0, 6], {
      limit: 3,
      work: async (ms) => {
        most = Math.max(most, ++now);
        await new Promise((resolve) => setTimeout(resolve, ms));
        now--;
        return ms * 10;
      },
    });
    expect(most).toBe(3);
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : null))).toEqual([
      50, 10, 40, 20, 30, 0, 60,
    ]);
  });

  it('finishes only below the lowest unfinished item, however many after it are done', async () => {
    const gates = [gate(), gate(), gate(), gate()];
    const prefixes: number[] = [];
    const running = inFlight([0, 1, 2, 3], {
      limit: 4,
      work: async (i) => gates[i]!.opened,
      done: (prefix) => prefixes.push(prefix),
    });
    gates[1]!.open();
    gates[3]!.open();
    await settledTurn();
    expect(prefixes).toEqual([]); // item 0 is unfinished: nothing may be committed
    gates[0]!.open();
    await settledTurn();
    expect(prefixes).toEqual([2]); // 0 and 1; item 2 is the lowest unfinished now
    gates[2]!.open();
    await running;
    expect(prefixes).toEqual([2, 4]);
  });

  it('keeps the order of one key: its items run one after another, while other keys go by', async () => {
    const events: string[] = [];
    const slowFirst = gate();
    const items = [
      { key: 'SKU-1', id: 'a' },
      { key: 'SKU-2', id: 'b' },
      { key: 'SKU-1', id: 'c' },
      { key: 'SKU-2', id: 'd' },
    ];
    const running = inFlight(items, {
      limit: 4,
      keyOf: (item) => item.key,
      work: async (item) => {
        events.push(`start ${item.id}`);
        if (item.id === 'a') await slowFirst.opened;
        events.push(`end ${item.id}`);
      },
    });
    await settledTurn();
    // SKU-2's items went by; SKU-1's second waits for its first.
    expect(events).toEqual(['start a', 'start b', 'end b', 'start d', 'end d']);
    slowFirst.open();
    await running;
    expect(events.slice(5)).toEqual(['end a', 'start c', 'end c']);
  });

  it('keeps a failure in its place and goes on with the others', async () => {
    const results = await inFlight([1, 2, 3], {
      limit: 2,
      keyOf: () => 'one key',
      work: async (n) => {
        if (n === 2) throw new Error('payment service unreachable');
        return n;
      },
    });
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
