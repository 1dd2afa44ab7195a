/** An async iterator that gives some values first, then those of another: a subscription's current state before its updates. */

/** `first`, then what `rest` gives; returning it returns `rest`. */
export function startWith<T>(first: readonly T[], rest: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  const queue = [...first];
  return {
    next: () => (queue.length > 0 ? Promise.resolve({ done: false, value: queue.shift()! }) : rest.next()),
    return: () => rest.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
