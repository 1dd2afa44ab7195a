/**
 * Fresh loaders for every event of every subscription. A subscription keeps its context for as long
 * as it lives, and a shared graphql-ws execution keeps its first subscriber's: loaders kept in it
 * would answer every later event from what they read for the first (an order's product showing the
 * stock it had then). Each event is executed here, as graphql-js's own subscribe does, with a copy
 * of the context whose loaders are new; a loader still batches and caches within its event.
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

export function usePerEventContext<Context extends object>(perEvent: (context: Context) => Context): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        const context = args.contextValue as Context;
        return eachEvent(stream[Symbol.asyncIterator](), (payload) =>
          execute({ ...args, rootValue: payload, contextValue: perEvent(context) }),
        );
      });
    },
  };
}

/** The source's events, each executed once read; returning it returns the source. */
function eachEvent(
  source: AsyncIterator<unknown>,
  run: (payload: unknown) => ExecutionResult | Promise<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  return {
    async next() {
      const { done, value } = await source.next();
      if (done) return { done: true, value: undefined };
      return { done: false, value: await run(value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
