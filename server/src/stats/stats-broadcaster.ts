/**
 * Pushes fresh statistics to `orderStats` subscribers when orders change, at
 * most once per interval and only while someone listens: one computation per
 * instance, shared by every subscriber.
 */
import type { Logger, OrderIndex } from '@orders/core';
import type { OrderEvents } from '../pubsub/order-events.ts';
import { SINK_MAX_PENDING, SinkIterator } from '../pubsub/sink-iterator.ts';
import { computeOrderStats, type OrderStats } from './order-stats.ts';

export class StatsBroadcaster {
  private readonly listeners = new Set<(stats: OrderStats) => void>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private watching: Promise<void>[] = [];
  private readonly iterators: AsyncIterableIterator<unknown>[] = [];

  constructor(
    private readonly index: OrderIndex,
    private readonly events: OrderEvents,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    /** Updates a subscriber may leave unread before it is ended (SLOW_CONSUMER). */
    private readonly maxPending = SINK_MAX_PENDING,
  ) {}

  start(): void {
    for (const iterator of [this.events.created(), this.events.statusChanges()]) {
      this.iterators.push(iterator);
      this.watching.push(
        (async () => {
          for await (const _ of iterator) this.dirty = true;
        })(),
      );
    }
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.iterators.map((iterator) => iterator.return?.()));
    await Promise.allSettled(this.watching);
  }

  /**
   * The stats now, then every change, for one subscriber: in a bounded queue of its own, so that one
   * that stops reading is ended alone (SLOW_CONSUMER) and never stops the updates of the others.
   */
  subscribe(): AsyncIterableIterator<OrderStats> {
    let updated = false;
    const sink: SinkIterator<OrderStats> = new SinkIterator(
      async () => void this.listeners.delete(listener),
      undefined,
      this.maxPending,
    );
    const listener = (stats: OrderStats) => {
      updated = true;
      sink.push(stats);
    };
    this.listeners.add(listener);
    computeOrderStats(this.index).then(
      // An update computed meanwhile is newer than this first reading: the reading is dropped.
      (stats) => updated || sink.push(stats),
      (error: unknown) => {
        this.logger.warn('could not compute order stats for a new subscriber', { error });
        sink.stop(error);
      },
    );
    return sink;
  }

  private async flush(): Promise<void> {
    if (!this.dirty || this.listeners.size === 0) return;
    this.dirty = false;
    try {
      const stats = await computeOrderStats(this.index);
      for (const listener of this.listeners) listener(stats);
    } catch (error) {
      this.dirty = true;
      this.logger.warn('could not compute order stats; next tick retries', { error });
    }
  }
}
