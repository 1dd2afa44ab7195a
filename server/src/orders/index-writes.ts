/**
 * The server's writes to the order index: an order created (published to its
 * subscribers in the same round trip), retried, or repaired by the outbox
 * relay. A write Redis refuses (Redis away) does not fail the request that
 * made it: the order is stored and on its way, and the write is tried again in
 * the background, in order, until Redis takes it. Each write carries the whole
 * order at its version, so a late one can never undo a newer change.
 */
import type { ApplyOptions, IndexedOrder, Logger, OrderIndex } from '@orders/core';

/** The most writes held for Redis while it is away; past that the oldest are dropped (see the README). */
export const MAX_HELD_WRITES = 100_000;

interface Held {
  readonly order: IndexedOrder;
  readonly options: ApplyOptions;
}

export class IndexWrites {
  private held: Held[] = [];
  private retrying: NodeJS.Timeout | undefined;
  private delayMs = 250;
  private stopped = false;

  constructor(
    readonly index: OrderIndex,
    private readonly logger: Logger,
  ) {}

  /** Applies the order now, or holds the write for later when Redis refuses it. */
  async write(order: IndexedOrder, options: ApplyOptions = {}): Promise<void> {
    try {
      await this.index.apply(order, options);
    } catch (error) {
      this.logger.warn('order index write failed; held and tried again when redis is back', {
        orderId: order._id,
        version: order.version,
        error,
      });
      this.hold({ order, options });
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retrying);
    if (this.held.length > 0) {
      this.logger.warn('stopping with order index writes not yet applied; `npm run reindex` repairs the index', {
        held: this.held.length,
      });
    }
  }

  private hold(write: Held): void {
    this.held.push(write);
    if (this.held.length > MAX_HELD_WRITES) {
      this.held.shift();
      this.logger.error('too many order index writes held; the oldest was dropped: run `npm run reindex`');
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.retrying !== undefined || this.stopped) return;
    this.retrying = setTimeout(() => void this.retry(), this.delayMs);
    this.retrying.unref();
  }

  private async retry(): Promise<void> {
    this.retrying = undefined;
    while (this.held.length > 0 && !this.stopped) {
      const batch = this.held.slice(0, 500);
      try {
        await Promise.all(batch.map(({ order, options }) => this.index.apply(order, options)));
      } catch {
        this.delayMs = Math.min(this.delayMs * 2, 5000);
        this.schedule();
        return;
      }
      this.held.splice(0, batch.length);
      this.delayMs = 250;
    }
    if (this.held.length === 0) this.logger.info('held order index writes applied');
  }
}
