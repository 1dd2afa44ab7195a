import type { ExecutionResult } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '@orders/core';
import { SseDelivery, type SseDeliveryOptions } from './sse-delivery.ts';

const logger = createLogger('sse-delivery-test', 'error');
const bounds = { maxEvents: 3, maxBytes: 1_000_000 };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A source whose results the test pushes, and ends. */
function source() {
  const queue: ExecutionResult[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let failure: unknown;
  const iterator: AsyncIterator<ExecutionResult> = {
    async next() {
      while (queue.length === 0 && !done && failure === undefined) await new Promise<void>((r) => (wake = r));
      if (queue.length > 0) return { done: false, value: queue.shift()! };
      if (failure !== undefined) throw failure;
      return { done: true, value: undefined };
    },
    return: vi.fn(async () => ({ done: true as const, value: undefined })),
  };
  return {
    iterator,
    push: (n: number) => void (queue.push({ data: { n } }), wake?.()),
    end: () => void ((done = true), wake?.()),
    fail: (error: unknown) => void ((failure = error), wake?.()),
  };
}

const deliver = (it: AsyncIterator<ExecutionResult>, extra: Partial<SseDeliveryOptions> = {}) =>
  new SseDelivery(it, { bounds, logger, ...extra });

async function drain(delivery: SseDelivery): Promise<ExecutionResult[]> {
  const results: ExecutionResult[] = [];
  for (;;) {
    const { done, value } = await delivery.next();
    if (done) return results;
    results.push(value);
  }
}

describe('SseDelivery', () => {
  it('hands over everything the source gave before it ended, then the end', async () => {
    const s = source();
    const finished = vi.fn();
    const delivery = deliver(s.iterator, { onFinished: finished });
    s.push(1);
    s.push(2);
    s.end();
    await tick();
    expect(await drain(delivery)).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
    expect(finished).toHaveBeenCalledTimes(1);
  });

  it('ends a client over its bound with SLOW_CONSUMER as its last event, dropping what waited, and leaves the source', async () => {
    const s = source();
    const endedEarly = vi.fn();
    const delivery = deliver(s.iterator, { onEndedEarly: endedEarly });
    for (let n = 0; n < 4; n += 1) s.push(n);
    await tick();
    const results = await drain(delivery);
    expect(results).toHaveLength(1);
    expect(results[0]!.errors![0]).toMatchObject({
      message:
        'the subscriber fell too far behind (3 events, 48 bytes not yet read) and was closed; resume with the last cursor',
      extensions: { code: 'SLOW_CONSUMER' },
    });
    expect(endedEarly).toHaveBeenCalledWith('slow');
    expect(s.iterator.return).toHaveBeenCalled();
  });

  it('counts bytes too: a client is ended once what waits for it would pass maxBytes', async () => {
    const s = source();
    // Each result is 16 bytes as JSON: two wait, the third would make 48 > 40.
    const delivery = deliver(s.iterator, { bounds: { maxEvents: 100, maxBytes: 40 } });
    for (let n = 0; n < 3; n += 1) s.push(n);
    await tick();
    const results = await drain(delivery);
    expect(results.map((r) => r.errors?.[0]?.message)).toEqual([
      'the subscriber fell too far behind (2 events, 32 bytes not yet read) and was closed; resume with the last cursor',
    ]);
  });

  it('ends with TOKEN_EXPIRED once the token expires', async () => {
    const s = source();
    const delivery = deliver(s.iterator, { expiresAt: Date.now() + 20 });
    s.push(1);
    await tick();
    expect(await delivery.next()).toEqual({ done: false, value: { data: { n: 1 } } });
    const last = await delivery.next();
    expect(last.value?.errors?.[0]?.extensions).toEqual({ code: 'TOKEN_EXPIRED' });
    expect((await delivery.next()).done).toBe(true);
  });

  it('masks a failure that is not a GraphQL error, as the stream’s last event', async () => {
    const s = source();
    const delivery = deliver(s.iterator);
    s.fail(new Error('the database went away'));
    const results = await drain(delivery);
    expect(results).toEqual([{ errors: [expect.objectContaining({ message: 'Unexpected error.' })] }]);
  });
});
