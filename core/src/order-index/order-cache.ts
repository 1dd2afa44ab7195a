/**
 * The orders of list pages, by id, kept for a while in a small LRU cache.
 *
 * The index says which version of each order it lists; a cached order of that
 * version or later is served as it is, anything else is loaded again (from
 * MongoDB by `_id`: the one lookup every MongoDB-wire server serves from an
 * index, FerretDB's SQLite backend serving no `$in` from one). Pages read again
 * and again (the dashboard's first page, say) cost no database read until one
 * of their orders changes. Bounded: it holds at most `capacity` orders,
 * whatever the number in the database.
 */
import type { IndexedEntry } from './order-index.ts';

export const ORDER_CACHE_CAPACITY = 2000;

export class OrderCache<T extends { readonly _id: string; readonly version: number }> {
  private readonly held = new Map<string, T>();

  constructor(
    /** Reads one order as it stands now; null when there is none. */
    private readonly loadOne: (id: string) => Promise<T | null>,
    private readonly capacity = ORDER_CACHE_CAPACITY,
  ) {}

  /** The orders of `entries`, in their order; null for one that is gone. */
  load(entries: readonly Pick<IndexedEntry, 'id' | 'version'>[]): Promise<(T | null)[]> {
    return Promise.all(
      entries.map(async ({ id, version }) => {
        const cached = this.held.get(id);
        if (cached !== undefined && cached.version >= version) {
          this.remember(cached);
          return cached;
        }
        const order = await this.loadOne(id);
        if (order === null) this.held.delete(id);
        else this.remember(order);
        return order;
      }),
    );
  }

  private remember(order: T): void {
    this.held.delete(order._id);
    this.held.set(order._id, order);
    if (this.held.size > this.capacity) this.held.delete(this.held.keys().next().value!);
  }
}
