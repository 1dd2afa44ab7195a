/**
 * The orders of list pages, by id, kept for a while in a small LRU cache.
 *
 * The index says which version of each order it lists; a cached order of that
 * version or later is served as it is, anything else is read from MongoDB by
 * `_id` (one lookup each: FerretDB's SQLite backend serves no `$in` from an
 * index). Pages read again and again (the dashboard's first page, say) cost no
 * database read until one of their orders changes. Bounded: it holds at most
 * `capacity` orders, whatever the number in the database.
 */
import type { IndexedEntry, Models } from '@orders/core';
import { orderFromDocument, type OrderShape } from './shape.ts';

export const ORDER_CACHE_CAPACITY = 2000;

export class OrderCache {
  private readonly held = new Map<string, OrderShape>();

  constructor(
    private readonly models: Models,
    private readonly capacity = ORDER_CACHE_CAPACITY,
  ) {}

  /** The orders of `entries`, in their order; null for one MongoDB no longer has. */
  async load(entries: readonly Pick<IndexedEntry, 'id' | 'version'>[]): Promise<(OrderShape | null)[]> {
    return Promise.all(
      entries.map(async ({ id, version }) => {
        const cached = this.held.get(id);
        if (cached !== undefined && cached.version >= version) {
          this.remember(cached);
          return cached;
        }
        const doc = await this.models.Order.findById(id).lean();
        if (doc === null) {
          this.held.delete(id);
          return null;
        }
        const order = orderFromDocument(doc);
        this.remember(order);
        return order;
      }),
    );
  }

  /** Takes a newer version of an order that some write or message brought, if the order is held. */
  offer(order: OrderShape): void {
    const cached = this.held.get(order._id);
    if (cached !== undefined && cached.version < order.version) this.remember(order);
  }

  get size(): number {
    return this.held.size;
  }

  private remember(order: OrderShape): void {
    this.held.delete(order._id);
    this.held.set(order._id, order);
    if (this.held.size > this.capacity) this.held.delete(this.held.keys().next().value!);
  }
}
