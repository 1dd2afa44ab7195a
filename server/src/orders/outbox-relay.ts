/**
 * OutboxRelay: finds orders that were stored PENDING but never reached Kafka
 * (the server died between the two writes, or the broker was down) and
 * publishes them, so that no order stays PENDING for ever. Publishing twice is
 * harmless: the processor ignores an event for a version it already decided.
 *
 * Candidates come from the order index, not from a query: every order is
 * marked unpublished there before it is stored (and each retry before it is
 * written), and the mark is cleared once it is in Kafka. A mark older than the
 * grace period is one the request that made it did not clear: its order is
 * read from MongoDB and published if it still needs to be, and the index is
 * brought up to what MongoDB holds. A mark whose order never got stored (the
 * server died first, or the insert failed) is dropped.
 */
import { awaitsDecision, orderFromDocument, orderToWire, type Logger, type Models } from '@orders/core';
import type { IndexWrites } from './index-writes.ts';
import type { OrderPublisher } from './publish-order.ts';

export interface OutboxRelayOptions {
  intervalMs: number;
  /** How old an unpublished order must be before the relay takes it over from the request that made it. */
  graceMs: number;
  batchSize?: number;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  republished = 0;

  constructor(
    private readonly models: Models,
    private readonly indexWrites: IndexWrites,
    private readonly publisher: OrderPublisher,
    private readonly createdChannel: string,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many orders it published. Never runs twice at once. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const { index } = this.indexWrites;
    const cutoff = Date.now() - this.options.graceMs;
    let published = 0;
    try {
      for (const candidate of await index.unpublishedBefore(cutoff, this.options.batchSize ?? 200)) {
        const doc = await this.models.Order.findById(candidate.id).lean();
        if (doc === null) {
          await index.clearUnpublished([candidate.id]);
          continue;
        }
        const order = orderFromDocument(doc);
        // Perhaps in Kafka already (the request died after producing it): the processor decides a version once.
        if (awaitsDecision(order.status)) {
          await this.publisher.publish(order, doc.traceId);
          published += 1;
          this.logger.info('outbox relay published an order', {
            orderId: order._id,
            version: order.version,
            traceId: doc.traceId ?? undefined,
          });
        }
        // The index as MongoDB has it; subscribers hear of a new order they were never told of.
        const created = { channel: this.createdChannel, message: JSON.stringify({ order: orderToWire(order) }) };
        await index.apply(order, { published: true, ...(order.version === 1 ? { publish: created } : {}) });
      }
    } catch (error) {
      this.logger.warn('outbox relay pass failed; next pass retries', { error });
    }
    this.republished += published;
    return published;
  }
}
