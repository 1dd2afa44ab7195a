/**
 * OutboxRelay: finds orders that were stored PENDING but never reached Kafka
 * (the server died between the two writes, or the broker was down) and
 * publishes them, so that no order stays PENDING for ever. Publishing twice is
 * harmless: the processor ignores an event for a version it already decided.
 *
 * Candidates come from the read model, not from a query: on a server without
 * secondary indexes (FerretDB's SQLite backend) a query by status reads every
 * order, every pass. An order stranded by a server that died is in the read
 * model of every instance that loads after it: the restarted server at once,
 * the others at their next reload.
 */
import type { Logger, Models } from '@orders/core';
import type { OrderPublisher } from './publish-order.ts';
import type { OrderReadModel } from './read-model.ts';
import { orderFromDocument } from './shape.ts';

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
    private readonly readModel: OrderReadModel,
    private readonly publisher: OrderPublisher,
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
    const cutoff = new Date(Date.now() - this.options.graceMs);
    let published = 0;
    try {
      await this.readModel.ready();
      for (const candidate of this.readModel.pendingSince(cutoff, this.options.batchSize ?? 200)) {
        // The stored order, not the model's copy: publish what is in MongoDB now.
        const doc = await this.models.Order.findById(candidate._id).lean();
        if (doc === null || doc.status !== 'PENDING') continue;
        const order = orderFromDocument(doc);
        if (await this.publisher.isPublished(order)) continue;
        await this.publisher.publish(order);
        published += 1;
        this.logger.info('outbox relay published an order', { orderId: order._id, version: order.version });
      }
    } catch (error) {
      this.logger.warn('outbox relay pass failed; next pass retries', { error });
    }
    this.republished += published;
    return published;
  }
}
