import { describe, expect, it } from 'vitest';
import { backoffDelay, retryUntilDone } from './retry.ts';

const fast = { initialMs: 1, maxMs: 4 };

describe('backoff', () => {
  it('starts at 100 ms and doubles up to 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => backoffDelay(attempt))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
  });
});

describe('retrying a message', () => {
  it('returns the first success without waiting', async () => {
    let retries = 0;
    const result = await retryUntilDone(async () => 'done', {
      signal: new AbortController().signal,
      onRetry: () => void retries++,
    });
    expect(result).toBe('done');
    expect(retries).toBe(0);
  });

  it('retries a failing try until it succeeds, however many tries that takes', async () => {
    let tries = 0;
    const result = await retryUntilDone(
      async () => {
        tries++;
        if (tries < 50) throw new Error('payment service unreachable');
        return tries;
      },
      { backoff: fast, signal: new AbortController().signal, onRetry: () => {} },
    );
    expect(result).toBe(50);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const stopping = new AbortController();
    const started = Date.now();
    const run = retryUntilDone(
      async () => {
        throw new Error('broker unreachable');
      },
      { backoff: { initialMs: 10_000, maxMs: 10_000 }, signal: stopping.signal, onRetry: () => {} },
    );
    setTimeout(() => stopping.abort(), 20);
    await expect(run).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops retrying when onRetry throws, as the heartbeat does when the group rebalances', async () => {
    let tries = 0;
    const run = retryUntilDone(
      async () => {
        tries++;
        throw new Error('timeout');
      },
      {
        backoff: fast,
        signal: new AbortController().signal,
        onRetry: () => {
          throw new Error('The group is rebalancing');
        },
      },
    );
    await expect(run).rejects.toThrow('The group is rebalancing');
    expect(tries).toBe(1);
  });
});
