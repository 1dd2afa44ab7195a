/**
 * Telling the world about a decision (and, for a retried order, its return to
 * PENDING just before), in two steps, each tried until it is done:
 *
 * 1. Redis, in one round trip per change (`record`): the order index takes the
 *    order as it stands after the change, the change is appended to its
 *    partition's log at its sequence, and it is PUBLISHed to subscribers. All
 *    of it is idempotent (by version, and by sequence in the log), so doing it
 *    again after a crash changes nothing. It comes before the Kafka commit:
 *    a committed offset proves the index and the log have the change, and a
 *    processor killed before it leaves its message to be handled again.
 * 2. Kafka (`publish`): the OrderStatusChanged events to `orders.status`
 *    (the event log, must not be lost nor doubled), committed in one Kafka
 *    transaction with the offsets of the messages that caused them. A message
 *    delivered again means its transaction did not commit, so nothing else
 *    needs to record that an event went out.
 */
import type { Message, TopicOffsets } from 'kafkajs';
import {
  Batcher,
  snapshotAsOf,
  snapshotOf,
  statusChangedEvent,
  type Logger,
  type OrderIndex,
  type OrderStatusMessage,
} from '@orders/core';
import type { OrderDocument } from '../record/project-order.ts';
import type { StatusChange } from '../record/status-change.ts';
import type { RenewableProducer } from './renewable-producer.ts';

export interface StatusPublisherDeps {
  /** A transactional producer: each batch of events goes out with the consumer offsets of their messages. */
  readonly producer: RenewableProducer;
  /** The consumer group whose offsets commit with the events. */
  readonly groupId: string;
  /** The order index and the logs of status changes, in Redis. */
  readonly index: OrderIndex;
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
  /** Applies the changes to the order index, appends them to their logs and publishes them, in one round trip each; safe to repeat. */
  record(announcements: readonly Announcement[]): Promise<void>;
  /**
   * Announces changes in their order, all in one Kafka transaction with the offsets up to `cause`:
   * either every one of them is in the event log and the messages up to `cause` are done, or none is.
   */
  publish(announcements: readonly Announcement[], cause: Consumed): Promise<void>;
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
  async function publish(announcements: readonly Announcement[], cause: Consumed): Promise<void> {
    const events = announcements.map(({ change }) => statusChangedEvent(change));
    await sends.add({
      messages: events.map((event) => ({ key: event.orderId, value: JSON.stringify(event) })),
      cause,
    });
  }
  async function record(announcements: readonly Announcement[]): Promise<void> {
    // Concurrent calls share one pipeline (see OrderIndex.apply): one socket write for all of them, in order.
    await Promise.all(
      announcements.map(({ change, order }) => {
        if (change.partition === null || change.seq === null) {
          throw new Error(`status change ${change._id} has no place in a stream; it cannot be announced`);
        }
        // The order as it stood right after this change, even if it has moved on since (a redelivery).
        const message: OrderStatusMessage = {
          change: statusChangedEvent(change),
          order: snapshotAsOf(snapshotOf(order), change.version),
        };
        return deps.index.apply(message.order, {
          publish: { channel: deps.channel, message: JSON.stringify(message) },
          log: { partition: change.partition, seq: change.seq },
        });
      }),
    );
  }
  return { record, publish };
}
