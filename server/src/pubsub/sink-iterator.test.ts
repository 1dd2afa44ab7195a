import { describe, expect, it, vi } from 'vitest';
import { SinkIterator } from './sink-iterator.ts';

describe('SinkIterator', () => {
  it('hands a push straight to a waiting reader, and queues it otherwise', async () => {
    const sink = new SinkIterator<number>(async () => undefined);
    const waiting = sink.next();
    sink.push(1);
    sink.push(2);
    expect(await waiting).toEqual({ done: false, value: 1 });
    expect(sink.pending).toBe(1);
    expect(await sink.next()).toEqual({ done: false, value: 2 });
  });

  it('ends itself with SLOW_CONSUMER past its bound, leaves its source once, and never throws on push', async () => {
    const left = vi.fn(async () => undefined);
    const sink = new SinkIterator<number>(left, undefined, 3);
    for (let i = 0; i < 10; i += 1) expect(() => sink.push(i)).not.toThrow();
    expect(left).toHaveBeenCalledTimes(1);
    expect(sink.pending).toBe(0);
    await expect(sink.next()).rejects.toMatchObject({ extensions: { code: 'SLOW_CONSUMER' } });
    expect(await sink.next()).toEqual({ done: true, value: undefined });
    await sink.return();
    expect(left).toHaveBeenCalledTimes(1);
  });
});
