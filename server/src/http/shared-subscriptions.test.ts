import { describe, expect, it } from 'vitest';
import { Repeater } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { resultJson, SharedSubscriptions } from './shared-subscriptions.ts';

/** A source whose results the test pushes by hand, counting how often it was started and ended. */
function manualSource() {
  const state = { started: 0, ended: 0, push: (_result: ExecutionResult) => {} };
  const start = () => {
    state.started += 1;
    return new Repeater<ExecutionResult>(async (push, stop) => {
      state.push = (result) => void push(result);
      await stop;
      state.ended += 1;
    });
  };
  return { state, start };
}

async function take(stream: AsyncIterable<ExecutionResult> | ExecutionResult, count: number) {
  const iterator = (stream as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
  const results: ExecutionResult[] = [];
  for (let i = 0; i < count; i++) results.push((await iterator.next()).value as ExecutionResult);
  return { results, iterator };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SharedSubscriptions', () => {
  it('runs one source for every subscriber of a key, and each receives every result', async () => {
    const shared = new SharedSubscriptions();
    const { state, start } = manualSource();
    const a = await shared.subscribe('k', start);
    const b = await shared.subscribe('k', start);
    const taking = [take(a, 2), take(b, 2)];
    await tick();
    state.push({ data: { n: 1 } });
    state.push({ data: { n: 2 } });
    const [fromA, fromB] = await Promise.all(taking);
    expect(state.started).toBe(1);
    expect(shared.executions).toBe(1);
    expect(fromA!.results).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
    expect(fromB!.results).toEqual(fromA!.results);
  });

  it('runs a separate source for another key', async () => {
    const shared = new SharedSubscriptions();
    const first = manualSource();
    const second = manualSource();
    await shared.subscribe('one', first.start);
    await shared.subscribe('two', second.start);
    expect([first.state.started, second.state.started, shared.executions]).toEqual([1, 1, 2]);
  });

  it('ends the source when its last subscriber leaves, and starts a fresh one for the next', async () => {
    const shared = new SharedSubscriptions();
    const { state, start } = manualSource();
    const a = await shared.subscribe('k', start);
    const b = await shared.subscribe('k', start);
    const iteratorA = (a as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
    const iteratorB = (b as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
    void iteratorA.next();
    void iteratorB.next();
    await iteratorA.return?.();
    expect(state.ended).toBe(0);
    await iteratorB.return?.();
    await tick();
    expect(state.ended).toBe(1);
    expect(shared.executions).toBe(0);
    await shared.subscribe('k', start);
    expect(state.started).toBe(2);
  });

  it('ends every subscriber when the shared source completes', async () => {
    const shared = new SharedSubscriptions();
    const results: ExecutionResult[] = [{ data: { n: 1 } }];
    const start = async function* () {
      yield* results;
    };
    const a = (await shared.subscribe('k', start)) as AsyncIterable<ExecutionResult>;
    const received: ExecutionResult[] = [];
    for await (const result of a) received.push(result);
    expect(received).toEqual(results);
    expect(shared.executions).toBe(0);
  });

  it('stops delivering to a subscriber no longer allowed, and only to that one', async () => {
    const shared = new SharedSubscriptions();
    const { state, start } = manualSource();
    let allowed = true;
    const a = (await shared.subscribe('k', start, () => allowed)) as AsyncIterable<ExecutionResult>;
    const b = await shared.subscribe('k', start);
    const fromA = a[Symbol.asyncIterator]();
    const taking = take(b, 2);
    await tick();
    state.push({ data: { n: 1 } });
    expect((await fromA.next()).value).toEqual({ data: { n: 1 } });
    allowed = false;
    state.push({ data: { n: 2 } });
    expect(await fromA.next()).toEqual({ done: true, value: undefined });
    expect((await taking).results).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
  });

  it('gives a failed start its error result and shares nothing', async () => {
    const shared = new SharedSubscriptions();
    const failure: ExecutionResult = { errors: [] };
    const result = await shared.subscribe('k', () => failure);
    expect(result).toBe(failure);
    await tick();
    expect(shared.executions).toBe(0);
  });

  it('serialises each result once for every subscriber that takes JSON, in order, beside those that iterate', async () => {
    const shared = new SharedSubscriptions();
    const { state, start } = manualSource();
    const sent: string[][] = [[], [], []];
    for (const frames of sent) await shared.subscribe('k', start, undefined, (json) => frames.push(json));
    const iterating = await shared.subscribe('k', start);
    const taking = take(iterating, 2);
    await tick();
    let serialised = 0;
    const counted = (n: number): ExecutionResult => ({
      get data() {
        serialised += 1;
        return { n };
      },
    });
    state.push(counted(1));
    state.push(counted(2));
    const { results } = await taking;
    expect(results.map((result) => result.data)).toEqual([{ n: 1 }, { n: 2 }]);
    for (const frames of sent) expect(frames).toEqual(['{"data":{"n":1}}', '{"data":{"n":2}}']);
    // Two results to three JSON subscribers, read twice more by the test's own `data` above.
    expect(serialised).toBe(2 + 2);
  });

  it('sends no JSON to a subscriber no longer allowed, and ends its iterator', async () => {
    const shared = new SharedSubscriptions();
    const { state, start } = manualSource();
    let allowed = true;
    const frames: string[] = [];
    const a = (await shared.subscribe(
      'k',
      start,
      () => allowed,
      (json) => frames.push(json),
    )) as AsyncIterable<ExecutionResult>;
    const iterator = a[Symbol.asyncIterator]();
    const ended = iterator.next();
    await tick();
    state.push({ data: { n: 1 } });
    await tick();
    expect(frames).toEqual(['{"data":{"n":1}}']);
    allowed = false;
    state.push({ data: { n: 2 } });
    expect(await ended).toEqual({ done: true, value: undefined });
    expect(frames).toEqual(['{"data":{"n":1}}']);
  });

  it('writes a result as graphql-ws writes a next payload: its errors last, as their JSON', () => {
    const error = new GraphQLError('no such order', { path: ['order'], extensions: { code: 'NOT_FOUND' } });
    expect(JSON.parse(resultJson({ errors: [error], data: { order: null } }))).toEqual({
      data: { order: null },
      errors: [{ message: 'no such order', path: ['order'], extensions: { code: 'NOT_FOUND' } }],
    });
    expect(Object.keys(JSON.parse(resultJson({ errors: [error], data: null })))).toEqual(['data', 'errors']);
  });
});
