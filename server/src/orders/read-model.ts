/**
 * OrderReadModel: every order in memory, kept current from the order events,
 * for the reads that no index on the MongoDB-wire server can serve well (lists
 * by status or customer, newest first, their counts, and the statistics).
 *
 * FerretDB's SQLite backend uses an index only for a lookup by `_id`; any other
 * filter, sort or count reads every order. So each server instance loads the
 * orders once at start, then applies every created and status message from
 * Redis (each carries the whole order, and a version that only grows, so
 * applying is idempotent and order-insensitive), and its own writes at once.
 * It reloads when its Redis subscription comes back after a break, and every
 * few minutes, so a missed message cannot leave it stale for long. Lookups of
 * one order by id still go to MongoDB.
 */
import { ORDER_STATUSES, type Logger, type Models, type OrderStatus } from '@orders/core';
import type { OrderEvents } from '../pubsub/order-events.ts';
import { orderFromDocument, orderFromSnapshot, type OrderShape } from './shape.ts';

/** How often the model reloads from MongoDB even when no break in the Redis subscription was seen. */
const RELOAD_EVERY_MS = 5 * 60_000;

/** Where an order sits in the newest-first order of lists: its creation time, then its id. */
export interface Position {
  at: number;
  id: string;
}

export interface ListFilter {
  statuses?: readonly OrderStatus[];
  customerId?: string;
}

export interface ListRequest extends ListFilter {
  /** Only orders older than this position. */
  olderThan?: Position;
  /** Only orders newer than this position. */
  newerThan?: Position;
  /** How many to return, and from which end: newest first (forwards) or the oldest of the range first. */
  limit: number;
  backwards: boolean;
}

export interface MinuteCounts {
  created: number;
  processed: number;
  failed: number;
}

type Counts = Record<OrderStatus, number>;

const MINUTE = 60_000;
const emptyCounts = (): Counts => Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])) as Counts;

/** Compares positions: negative when `a` is older than `b`. */
function compare(a: Position, b: Position): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class OrderReadModel {
  private readonly orders = new Map<string, OrderShape>();
  /** Every order's position, oldest first. */
  private readonly timeline: Position[] = [];
  private readonly counts = emptyCounts();
  private readonly byCustomer = new Map<string, Counts>();
  /** Created, processed and failed orders per minute (keyed by the minute's start), from the orders' timestamps. */
  private readonly minutes = new Map<number, MinuteCounts>();
  private loading: Promise<void> | undefined;
  private loaded: Promise<void> | undefined;
  private readonly following: { iterators: AsyncIterableIterator<unknown>[]; done: Promise<unknown>[] } = {
    iterators: [],
    done: [],
  };
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
  ) {}

  /** How many orders the model holds. */
  get size(): number {
    return this.orders.size;
  }

  /**
   * Follows the order events (subscribed before the first load, so nothing falls between the two),
   * reloads when the Redis subscription comes back after a break and every few minutes, and loads.
   */
  start(events: OrderEvents): Promise<void> {
    for (const iterator of [events.created(), events.statusChanges()]) {
      this.following.iterators.push(iterator);
      this.following.done.push(
        (async () => {
          for await (const message of iterator) this.apply(orderFromSnapshot(message.order));
        })(),
      );
    }
    // After a break, once the channels are subscribed again (ioredis sends SUBSCRIBE right after `ready`).
    events.onResubscribed(() =>
      setTimeout(() => this.reloadInBackground('the redis subscription came back'), 250).unref(),
    );
    this.reloadTimer = setInterval(() => this.reloadInBackground('periodic'), RELOAD_EVERY_MS);
    this.reloadTimer.unref();
    return this.ready();
  }

  async stop(): Promise<void> {
    clearInterval(this.reloadTimer);
    await Promise.all(this.following.iterators.map((iterator) => iterator.return?.()));
    await Promise.allSettled(this.following.done);
    await this.loading?.catch(() => undefined);
  }

  /** Resolves once the first load from MongoDB is done; reads wait for it. */
  ready(): Promise<void> {
    return (this.loaded ??= this.reload());
  }

  /** Reads every order from MongoDB and applies it; concurrent calls share one pass. */
  reload(): Promise<void> {
    this.loading ??= (async () => {
      const started = Date.now();
      let read = 0;
      for await (const doc of this.models.Order.find().lean().cursor({ batchSize: 1000 })) {
        this.apply(orderFromDocument(doc));
        read += 1;
      }
      this.logger.info('order read model loaded', { orders: read, ms: Date.now() - started });
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private reloadInBackground(reason: string): void {
    this.reload().catch((error: unknown) => this.logger.warn('order read model reload failed', { reason, error }));
  }

  /** Takes an order as it now stands, unless the model already holds this version or a later one. */
  apply(order: OrderShape): void {
    const held = this.orders.get(order._id);
    if (held !== undefined && held.version >= order.version) return;
    if (held === undefined) this.insertPosition({ at: order.createdAt.getTime(), id: order._id });
    else this.account(held, -1);
    this.orders.set(order._id, order);
    this.account(order, 1);
  }

  get(id: string): OrderShape | undefined {
    return this.orders.get(id);
  }

  /** A page of orders matching the filter, in newest-first order; one more than `limit` tells there is more. */
  list(request: ListRequest): OrderShape[] {
    const matches = this.matcher(request);
    const found: OrderShape[] = [];
    const wanted = request.limit + 1;
    if (request.backwards) {
      const from = request.newerThan ? this.indexAfter(request.newerThan) : 0;
      for (let i = from; i < this.timeline.length && found.length < wanted; i++) {
        const position = this.timeline[i]!;
        if (request.olderThan && compare(position, request.olderThan) >= 0) break;
        const order = this.orders.get(position.id)!;
        if (matches(order)) found.push(order);
      }
    } else {
      const from = request.olderThan ? this.indexBefore(request.olderThan) : this.timeline.length - 1;
      for (let i = from; i >= 0 && found.length < wanted; i--) {
        const position = this.timeline[i]!;
        if (request.newerThan && compare(position, request.newerThan) <= 0) break;
        const order = this.orders.get(position.id)!;
        if (matches(order)) found.push(order);
      }
    }
    return found;
  }

  /** PENDING orders last changed at or before `cutoff`, oldest first, at most `limit` of them. */
  pendingSince(cutoff: Date, limit: number): OrderShape[] {
    const found: OrderShape[] = [];
    if (this.counts.PENDING === 0) return found;
    for (const { id } of this.timeline) {
      const order = this.orders.get(id)!;
      if (order.status === 'PENDING' && order.updatedAt <= cutoff) found.push(order);
      if (found.length >= limit) break;
    }
    return found;
  }

  /** How many orders match the filter, whatever the page. */
  count(filter: ListFilter): number {
    const counts = filter.customerId === undefined ? this.counts : this.byCustomer.get(filter.customerId);
    if (counts === undefined) return 0;
    const statuses = filter.statuses?.length ? filter.statuses : ORDER_STATUSES;
    return statuses.reduce((sum, status) => sum + counts[status], 0);
  }

  /** Adds (sign 1) or removes (sign -1) an order's part in the counts and the per-minute series. */
  private account(order: OrderShape, sign: 1 | -1): void {
    this.counts[order.status] += sign;
    let customer = this.byCustomer.get(order.customerId);
    if (customer === undefined) this.byCustomer.set(order.customerId, (customer = emptyCounts()));
    customer[order.status] += sign;
    this.tally(order.createdAt, 'created', sign);
    this.tally(order.processedAt, 'processed', sign);
    this.tally(order.failedAt, 'failed', sign);
  }

  /** Counts per status, over every order. */
  statusCounts(): Readonly<Counts> {
    return { ...this.counts };
  }

  /** Created, processed and failed orders in each of `minutes` whole minutes, the last one being `now`'s. */
  perMinute(now: Date, minutes: number): ({ at: Date } & MinuteCounts)[] {
    const last = Math.floor(now.getTime() / MINUTE) * MINUTE;
    const first = last - (minutes - 1) * MINUTE;
    for (const start of this.minutes.keys()) if (start < first - 60 * MINUTE) this.minutes.delete(start);
    return Array.from({ length: minutes }, (_, i) => {
      const start = first + i * MINUTE;
      const counts = this.minutes.get(start);
      return {
        at: new Date(start),
        created: counts?.created ?? 0,
        processed: counts?.processed ?? 0,
        failed: counts?.failed ?? 0,
      };
    });
  }

  private tally(date: Date | null, field: keyof MinuteCounts, sign: 1 | -1): void {
    if (date === null) return;
    const start = Math.floor(date.getTime() / MINUTE) * MINUTE;
    let counts = this.minutes.get(start);
    if (counts === undefined) this.minutes.set(start, (counts = { created: 0, processed: 0, failed: 0 }));
    counts[field] += sign;
  }

  private matcher(filter: ListFilter): (order: OrderShape) => boolean {
    const statuses = filter.statuses?.length ? new Set(filter.statuses) : undefined;
    const { customerId } = filter;
    return (order) => (!statuses || statuses.has(order.status)) && (!customerId || order.customerId === customerId);
  }

  /** The index of the first position newer than `position`. */
  private indexAfter(position: Position): number {
    let low = 0;
    let high = this.timeline.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(this.timeline[mid]!, position) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The index of the last position older than `position` (-1 when there is none). */
  private indexBefore(position: Position): number {
    let low = 0;
    let high = this.timeline.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(this.timeline[mid]!, position) < 0) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  }

  private insertPosition(position: Position): void {
    const last = this.timeline.at(-1);
    // New orders are almost always the newest: append, and search only when one arrives late.
    if (last === undefined || compare(last, position) < 0) this.timeline.push(position);
    else this.timeline.splice(this.indexAfter(position), 0, position);
  }
}
