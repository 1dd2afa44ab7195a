/**
 * Work in flight side by side within one partition, the way a parallel
 * consumer keeps it: items start in their order, at most `limit` at once,
 * items of one key one after another in their order (a key's order kept), and
 * `done` tells after each settles how many items from the first are finished:
 * the messages below the lowest unfinished one, the only ones whose offsets
 * may be committed. A failure does not stop the others; it stays in its place.
 */

export interface InFlightOptions<T, R> {
  /** The most items in flight at once. */
  readonly limit: number;
  /** Items of one key run one after another, in their order; without it every item is its own key. */
  readonly keyOf?: (item: T) => string;
  readonly work: (item: T, index: number) => Promise<R>;
  /** Called each time the finished prefix grows, with its length. */
  readonly done?: (finishedPrefix: number) => void;
}

/** Every item's result, in the items' order. */
export async function inFlight<T, R>(
  items: readonly T[],
  options: InFlightOptions<T, R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: (PromiseSettledResult<R> | undefined)[] = items.map(() => undefined);
  const keyTails = new Map<string, Promise<unknown>>();
  let finishedPrefix = 0;
  let next = 0;

  const settle = (index: number, result: PromiseSettledResult<R>) => {
    results[index] = result;
    const before = finishedPrefix;
    while (finishedPrefix < items.length && results[finishedPrefix] !== undefined) finishedPrefix++;
    if (finishedPrefix > before) options.done?.(finishedPrefix);
  };

  const runOne = async (index: number) => {
    const item = items[index]!;
    const key = options.keyOf?.(item);
    const before = key === undefined ? undefined : keyTails.get(key);
    const mine = (async () => {
      // The key's earlier item first, whatever came of it.
      await before?.catch(() => undefined);
      return options.work(item, index);
    })();
    if (key !== undefined) keyTails.set(key, mine);
    try {
      settle(index, { status: 'fulfilled', value: await mine });
    } catch (reason) {
      settle(index, { status: 'rejected', reason });
    }
  };

  const lane = async () => {
    for (let index = next++; index < items.length; index = next++) await runOne(index);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.limit, items.length)) }, lane));
  return results as PromiseSettledResult<R>[];
}
