import { describe, expect, it } from 'vitest';
import { InFlight } from './shutdown.ts';

/** A call that settles when told to. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('InFlight', () => {
  it('passes each call through, and finishes once every call running has settled, failed ones included', async () => {
    const inFlight = new InFlight();
    const first = deferred<string>();
    const second = deferred<string>();
    const call = inFlight.track((which: 'first' | 'second') => (which === 'first' ? first.promise : second.promise));
    const results = [call('first'), call('second').catch((error: Error) => error.message)];
    let finished = false;
    const finishing = inFlight.finish(1_000).then(() => (finished = true));
    first.resolve('stored');
    await results[0];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(finished).toBe(false);
    second.reject(new Error('refused'));
    await finishing;
    expect(await Promise.all(results)).toEqual(['stored', 'refused']);
  });

  it('finishes at once with nothing in hand', async () => {
    await expect(new InFlight().finish(1_000)).resolves.toBeUndefined();
  });

  it('says how many calls were still running when the wait ran out', async () => {
    const inFlight = new InFlight();
    const stuck = deferred<void>();
    const call = inFlight.track(() => stuck.promise);
    void call();
    void call();
    await expect(inFlight.finish(20)).rejects.toThrow('2 of 2 calls were still running after 20 ms');
    stuck.resolve();
  });
});
