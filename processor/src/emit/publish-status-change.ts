/**
 * Telling the world about a decision (and, for a retried order, its return to
 * PENDING just before): the OrderStatusChanged events to
 * `orders.status` (the event log, must not be lost: an error here is retried;
 * nor doubled: it is committed in one Kafka transaction with the offset of the
 * message that caused it),
 * the order as it now stands to the Redis status channel (fire-and-forget:
 * subscribers catch up from MongoDB). Then, as a step of its own, `publishedAt`
 * on the changes, so that a redelivered message knows the events went out and
 * sends nothing twice: once the transaction has committed, only that step is
 * tried again if it fails (the database down), never the send.
 */
import type { Message, TopicOffsets } from 'kafkajs';
import type { Redis } from 'ioredis';
import {
  Batcher,
  snapshotAsOf,
  snapshotOf,
  statusChangedEvent,
  type Logger,
  type Models,
  type OrderStatusMessage,
} from '@orders/core';
import type { OrderDocument } from '../record/project-order.ts';
import type { StatusChange } from '../record/status-change.ts';
import type { RenewableProducer } from './renewable-producer.ts';

export interface StatusPublisherDeps {
  readonly models: Models;
  /** A transactional producer: each batch of events goes out with the consumer offsets of their messages. */
  readonly producer: RenewableProducer;
  /** The consumer group whose offsets commit with the events. */
  readonly groupId: string;
  readonly redis: Redis;
  /** The `orders.status` topic. */
  readonly topic: string;
  /** The Redis `order.status` channel. */
  readonly channel: string;
  readonly logger: Logger;
}

/** Where the message that caused a change was read: its offset commits with the change's event. */
export interface Consumed {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** A change to announce, and its order as it stands now (at the change's version or later). */
export interface Announcement {
  readonly change: StatusChange;
  readonly order: OrderDocument;
}

export interface StatusPublisher {
  /**
   * Announces changes in their order, all in one Kafka transaction with the offsets up to `cause`:
   * either every one of them is in the event log and the messages up to `cause` are done, or none is.
   */
  publish(announcements: readonly Announcement[], cause: Consumed): Promise<void>;
  /** Records that the changes went out (their `publishedAt`); safe to repeat. */
  markPublished(announcements: readonly Announcement[]): Promise<void>;
}

interface Outgoing {
  readonly messages: Message[];
  readonly cause: Consumed;
}

/** The offsets to commit for a batch: per topic and partition, one past the last message read. */
function offsetsOf(batch: Outgoing[]): TopicOffsets[] {
  const next = new Map<string, Map<number, bigint>>();
  for (const { cause } of batch) {
    const partitions = next.get(cause.topic) ?? new Map<number, bigint>();
    next.set(cause.topic, partitions);
    const offset = BigInt(cause.offset) + 1n;
    if (offset > (partitions.get(cause.partition) ?? -1n)) partitions.set(cause.partition, offset);
  }
  return [...next].map(([topic, partitions]) => ({
    topic,
    partitions: [...partitions].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
  }));
}

export function createStatusPublisher(deps: StatusPublisherDeps): StatusPublisher {
  // Exactly one event per change in orders.status: the events go out in a Kafka transaction together
  // with the offsets of the messages that caused them. A crash before the commit leaves neither (the
  // messages come again, and their changes are sent again); after it, the messages do not come again.
  // The partitions handled concurrently share transactions: what arrives during one goes in the next.
  const sends = new Batcher<Outgoing>((batch) =>
    deps.producer.inTransaction(async (transaction) => {
      const messages = batch.flatMap((outgoing) => outgoing.messages);
      // Messages that announce nothing still commit their offsets here, after those before them.
      if (messages.length > 0) await transaction.send({ topic: deps.topic, acks: -1, messages });
      await transaction.sendOffsets({ consumerGroupId: deps.groupId, topics: offsetsOf(batch) });
      await transaction.commit();
    }),
  );
  const marks = new Batcher<string>(async (ids) => {
    const publishedAt = new Date();
    await deps.models.StatusChange.bulkWrite(
      ids.map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { publishedAt } } } })),
      { ordered: false },
    );
  });
  // The Redis messages of the sends in flight, in one pipeline: one socket write for all of them, in order.
  const notes = new Batcher<string>(async (messages) => {
    const pipeline = deps.redis.pipeline();
    for (const message of messages) pipeline.publish(deps.channel, message);
    const replies = (await pipeline.exec()) ?? [];
    const failures = new Map<number, unknown>();
    messages.forEach((_message, index) => {
      const [error] = replies[index] ?? [new Error('no reply from redis')];
      if (error) failures.set(index, error);
    });
    return failures;
  });
  async function publish(announcements: readonly Announcement[], cause: Consumed): Promise<void> {
    const events = announcements.map(({ change }) => statusChangedEvent(change));
    await sends.add({
      messages: events.map((event) => ({ key: event.orderId, value: JSON.stringify(event) })),
      cause,
    });
    await Promise.all(
      announcements.map(async ({ change, order }, index) => {
        // The order as it stood right after this change, even if it has moved on since (a redelivery).
        const message: OrderStatusMessage = {
          change: events[index]!,
          order: snapshotAsOf(snapshotOf(order), change.version),
        };
        try {
          await notes.add(JSON.stringify(message));
        } catch (error) {
          // Retrying would send the Kafka event again; subscribers catch up from MongoDB by sequence.
          deps.logger.warn('status change not announced on redis', {
            orderId: change.orderId,
            changeId: change._id,
            error,
          });
        }
      }),
    );
  }
  return {
    publish,
    async markPublished(announcements) {
      await Promise.all(announcements.map(({ change }) => marks.add(change._id)));
    },
  };
}
