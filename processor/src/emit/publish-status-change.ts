/**
 * Telling the world about a decision: the OrderStatusChanged event to
 * `orders.status` (the event log, must not be lost: an error here is retried),
 * the order as it now stands to the Redis status channel (fire-and-forget:
 * subscribers catch up from MongoDB), then `publishedAt` on the change, so that
 * a redelivered message knows the event went out and sends nothing twice.
 */
import type { Message, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { Batcher, snapshotOf, type Logger, type Models, type OrderStatusMessage } from '@orders/core';
import type { OrderDocument } from '../record/project-order.ts';
import { statusChangedEvent, type StatusChange } from '../record/status-change.ts';

export interface StatusPublisherDeps {
  readonly models: Models;
  readonly producer: Producer;
  readonly redis: Redis;
  /** The `orders.status` topic. */
  readonly topic: string;
  /** The Redis `order.status` channel. */
  readonly channel: string;
  readonly logger: Logger;
}

export type PublishStatusChange = (change: StatusChange, order: OrderDocument | null) => Promise<void>;

/**
 * `order` is the order as it stands after the change; pass null when the order
 * has moved past the change since, and only the event log should hear of it.
 */
export function createStatusPublisher(deps: StatusPublisherDeps): PublishStatusChange {
  // The partitions handled concurrently share round trips: events produced while a send is in
  // flight go in the next one, and their publishedAt marks in one bulk write.
  const sends = new Batcher<Message>(async (messages) => {
    await deps.producer.send({ topic: deps.topic, acks: -1, messages });
  });
  const marks = new Batcher<string>(async (ids) => {
    const publishedAt = new Date();
    await deps.models.StatusChange.bulkWrite(
      ids.map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { publishedAt } } } })),
      { ordered: false },
    );
  });
  return async function publishStatusChange(change, order) {
    const event = statusChangedEvent(change);
    await sends.add({ key: change.orderId, value: JSON.stringify(event) });
    if (order !== null) {
      const message: OrderStatusMessage = { change: event, order: snapshotOf(order) };
      try {
        await deps.redis.publish(deps.channel, JSON.stringify(message));
      } catch (error) {
        // Retrying would send the Kafka event again; Redis subscribers re-read MongoDB when they reconnect.
        deps.logger.warn('status change not announced on redis', {
          orderId: change.orderId,
          changeId: change._id,
          error,
        });
      }
    }
    await marks.add(change._id);
  };
}
