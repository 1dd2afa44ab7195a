import { describe, expect, it } from 'vitest';
import { backoffDelay, retryUntilDone, type GiveUp } from './retry.ts';

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
      maxAttempts: 3,
      signal: new AbortController().signal,
      onRetry: () => void retries++,
    });
    expect(result).toBe('done');
    expect(retries).toBe(0);
  });

  it('retries a failing try until it succeeds, without giving up before the last attempt', async () => {
    const seen: (GiveUp | undefined)[] = [];
    const result = await retryUntilDone(
      async (giveUp) => {
        seen.push(giveUp);
        if (seen.length < 3) throw new Error('database unreachable');
        return seen.length;
      },
      { maxAttempts: 3, backoff: fast, signal: new AbortController().signal, onRetry: () => {} },
    );
    expect(result).toBe(3);
    expect(seen).toEqual([undefined, undefined, undefined]);
  });

  it('tells the try to give up after maxAttempts failures, with the count and the last reason', async () => {
    const seen: (GiveUp | undefined)[] = [];
    const result = await retryUntilDone(
      async (giveUp) => {
        seen.push(giveUp);
        if (giveUp === undefined) throw new Error(`timeout ${seen.length}`);
        return 'failed the order';
      },
      { maxAttempts: 2, backoff: fast, signal: new AbortController().signal, onRetry: () => {} },
    );
    expect(result).toBe('failed the order');
    expect(seen).toEqual([undefined, undefined, { attempts: 2, reason: 'timeout 2' }]);
  });

  it('keeps retrying the give-up with the same reason while even that fails', async () => {
    const seen: (GiveUp | undefined)[] = [];
    await retryUntilDone(
      async (giveUp) => {
        seen.push(giveUp);
        if (seen.length < 5) throw new Error(`down ${seen.length}`);
      },
      { maxAttempts: 1, backoff: fast, signal: new AbortController().signal, onRetry: () => {} },
    );
    expect(seen).toEqual([undefined, ...Array.from({ length: 4 }, () => ({ attempts: 1, reason: 'down 1' }))]);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const stopping = new AbortController();
    const started = Date.now();
    const run = retryUntilDone(
      async () => {
        throw new Error('broker unreachable');
      },
      { maxAttempts: 8, backoff: { initialMs: 10_000, maxMs: 10_000 }, signal: stopping.signal, onRetry: () => {} },
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
        maxAttempts: 8,
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
