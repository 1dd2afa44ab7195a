/** A subscriber whose delivery throws, in a shared execution: it alone is ended, the others go on. */
import { describe, expect, it } from 'vitest';
import { Repeater } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { SharedSubscriptions } from './shared-subscriptions.ts';

describe('a shared execution whose delivery to one subscriber throws', () => {
  it('ends that subscriber with the error and keeps delivering to the others', async () => {
    const shared = new SharedSubscriptions();
    let push: (result: ExecutionResult) => void = () => {};
    const start = () =>
      new Repeater<ExecutionResult>(async (p, stop) => {
        push = (result) => void p(result);
        await stop;
      });
    const delivered: string[] = [];
    const failing = (await shared.subscribe('k', start, undefined, () => {
      throw new Error('socket gone');
    })) as AsyncIterableIterator<ExecutionResult>;
    const healthy = (await shared.subscribe(
      'k',
      start,
      undefined,
      (json) => void delivered.push(json),
    )) as AsyncIterableIterator<ExecutionResult>;
    const failed = failing.next();
    const ended = healthy.next();
    await new Promise((resolve) => setTimeout(resolve, 0));
    push({ data: { n: 1 } });
    push({ data: { n: 2 } });
    await expect(failed).rejects.toThrow('socket gone');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(delivered).toEqual(['{"data":{"n":1}}', '{"data":{"n":2}}']);
    expect(shared.executions).toBe(1);
    await healthy.return?.();
    await ended;
  });
});
