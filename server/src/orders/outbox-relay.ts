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
 *
 * The marks made in MongoDB while Redis was away are taken the same way, and a
 * FAILED order whose retry claimed its change and went no further is taken to
 * that change and published (retry-order.ts). Each pass reads at most
 * `batchSize` marks of each store: its work never grows with the orders. The
 * first pass runs at start, so that what a crash left is repaired as soon as
 * a server comes back.
 */
import { awaitsDecision, orderFromDocument, orderToWire, type Logger, type Models } from '@orders/core';
import type { IndexWrites } from './index-writes.ts';
import type { OrderPublisher } from './publish-order.ts';
import { finishRetry, unfinishedRetry, type RetryOrderDeps } from './retry-order.ts';
import type { UnpublishedMarks } from './unpublished-marks.ts';

export interface OutboxRelayOptions {
  intervalMs: number;
  /** How old an unpublished order must be before the relay takes it over from the request that made it. */
  graceMs: number;
  batchSize?: number;
}

export interface OutboxRelayDeps {
  models: Models;
  indexWrites: IndexWrites;
  marks: UnpublishedMarks;
  publisher: OrderPublisher;
  /** How a retry's order is written (retry-order.ts), for the retries the relay finishes. */
  writeOrder: RetryOrderDeps['writeOrder'];
  createdChannel: string;
  logger: Logger;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  republished = 0;

  constructor(
    private readonly deps: OutboxRelayDeps,
    private readonly options: OutboxRelayOptions,
  ) {}

  /** The first pass at once (what a crash left), then one every interval. */
  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Orders marked unpublished in either store: the outbox's backlog. A store that does not answer (Redis
   * away) counts for nothing; rejects only when neither does.
   */
  async backlog(): Promise<number> {
    const counts = await Promise.allSettled([
      this.deps.indexWrites.index.countUnpublished(),
      this.deps.marks.countHeld(),
    ]);
    const answered = counts.filter((count) => count.status === 'fulfilled');
    if (answered.length === 0) throw (counts[0] as PromiseRejectedResult).reason;
    return answered.reduce((sum, count) => sum + count.value, 0);
  }

  /** One pass; returns how many orders it published. Never runs twice at once. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const { index } = this.deps.indexWrites;
    const { marks, logger } = this.deps;
    const cutoff = Date.now() - this.options.graceMs;
    const limit = this.options.batchSize ?? 200;
    let published = 0;
    try {
      for (const candidate of await index.unpublishedBefore(cutoff, limit)) {
        if (await this.relay(candidate.id)) published += 1;
        await index.clearUnpublished([candidate.id]);
      }
    } catch (error) {
      logger.warn('outbox relay pass over the index failed; next pass retries', { error });
    }
    try {
      for (const candidate of await marks.heldBefore(cutoff, limit)) {
        if (await this.relay(candidate.id)) published += 1;
        await marks.dropHeld(candidate.id);
      }
    } catch (error) {
      logger.warn('outbox relay pass over the marks held in MongoDB failed; next pass retries', { error });
    }
    this.republished += published;
    return published;
  }

  /**
   * Publishes one marked order if it still needs it and brings the index up to what MongoDB holds;
   * resolves with whether it published. Throws when the broker refuses, leaving the mark for later.
   */
  private async relay(id: string): Promise<boolean> {
    const { models, publisher, indexWrites, logger, createdChannel } = this.deps;
    const doc = await models.Order.findById(id).lean();
    // A mark whose order never got stored (the server died first, or the insert failed).
    if (doc === null) return false;
    const order = orderFromDocument(doc);
    const retry = await unfinishedRetry(models, order);
    if (retry !== null) {
      logger.warn('outbox relay finishing a retry that claimed its change and went no further', {
        orderId: order._id,
        version: retry.version,
      });
      const { published } = await finishRetry(this.deps, order, retry, doc.traceId);
      if (!published) throw new Error(`order ${id} was retried but could not be published; its mark stays`);
      return true;
    }
    let published = false;
    // Perhaps in Kafka already (the request died after producing it): the processor decides a version once.
    if (awaitsDecision(order.status)) {
      await publisher.sendOrderCreated(order, doc.traceId);
      published = true;
      logger.info('outbox relay published an order', {
        orderId: order._id,
        version: order.version,
        traceId: doc.traceId ?? undefined,
      });
    }
    // The index as MongoDB has it; subscribers hear of a new order they were never told of.
    const created = { channel: createdChannel, message: JSON.stringify({ order: orderToWire(order) }) };
    await indexWrites.write(order, { published: true, ...(order.version === 1 ? { publish: created } : {}) });
    return published;
  }
}
