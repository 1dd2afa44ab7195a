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
 * 2. Kafka (`sendInTransaction`): the OrderStatusChanged events to `orders.status`
 *    (the event log, must not be lost nor doubled), committed in one Kafka
 *    transaction with the offsets of the messages that caused them. A
 *    transaction whose commit failed may have committed anyway; it is found
 *    out before anything more is sent (commit-doubts.ts), so that no event
 *    goes out twice. Otherwise a message delivered again means its transaction
 *    did not commit, so nothing else needs to record that an event went out.
 */
import type { Message, TopicOffsets } from 'kafkajs';
import {
  Batcher,
  orderAsOf,
  orderToWire,
  statusChangedEvent,
  TRACEPARENT,
  type Logger,
  type OrderIndex,
  type OrderStatusMessage,
} from '@orders/core';
import { CommitDoubts, type CommittedOffsets, type DoubtOutcome } from './commit-doubts.ts';
import type { RenewableProducer } from '../kafka/renewable-producer.ts';
import type { Announcement, Consumed } from './announcement.ts';

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
  /** The group's committed offsets, asked once a commit has failed (see commit-doubts.ts). */
  readonly committedOffsets: CommittedOffsets;
  /** Told how each transaction whose commit failed turned out. */
  readonly onDoubtSettled?: (outcome: DoubtOutcome) => void;
  readonly logger: Logger;
}

export interface StatusPublisher {
  /** Applies the changes to the order index, appends them to their logs and publishes them, in one round trip each; safe to repeat. */
  record(announcements: readonly Announcement[]): Promise<void>;
  /**
   * Announces changes in their order, all in one Kafka transaction with the offsets up to `cause`:
   * either every one of them is in the event log and the messages up to `cause` are done, or none is.
   */
  sendInTransaction(announcements: readonly Announcement[], cause: Consumed): Promise<void>;
}

interface Outgoing {
  readonly messages: Message[];
  readonly cause: Consumed;
}

/** The Kafka messages of a message's changes: one OrderStatusChanged event each, keyed by its order. */
export function eventMessagesOf(announcements: readonly Announcement[]): Message[] {
  return announcements.map(({ change, traceparent }) => {
    const event = statusChangedEvent(change);
    const headers = traceparent === undefined ? undefined : { [TRACEPARENT]: traceparent };
    return { key: event.orderId, value: JSON.stringify(event), headers };
  });
}

/**
 * What Redis takes of one change: the order as it stood right after the change, even if it has moved on
 * since (a redelivery), the message for subscribers, and the change's place in its partition's log.
 */
export function indexEntryOf({ change, order, traceparent }: Announcement): {
  /** With the order's trace, when it has one: an extra field, which readers of the channel ignore. */
  readonly message: OrderStatusMessage & { readonly traceparent?: string };
  readonly log: { readonly partition: number; readonly seq: number };
} {
  if (change.partition === null || change.seq === null) {
    throw new Error(`status change ${change._id} has no place in a stream; it cannot be announced`);
  }
  const message: OrderStatusMessage & { traceparent?: string } = {
    change: statusChangedEvent(change),
    order: orderToWire(orderAsOf(order, change.version)),
    ...(traceparent === undefined ? {} : { traceparent }),
  };
  return { message, log: { partition: change.partition, seq: change.seq } };
}

/** The offsets to commit for a batch: per topic and partition, one past the last message read. */
export function offsetsOf(batch: readonly { readonly cause: Consumed }[]): TopicOffsets[] {
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
  const doubts = new CommitDoubts({
    committedOffsets: deps.committedOffsets,
    renewProducer: () => deps.producer.renew(),
    onSettled: deps.onDoubtSettled,
    logger: deps.logger,
  });
  const sends = new Batcher<Outgoing>(async (all) => {
    const batch = await doubts.leftToSend(all);
    if (batch.length === 0) return;
    await deps.producer.inTransaction(async (transaction) => {
      const messages = batch.flatMap((outgoing) => outgoing.messages);
      // Messages that announce nothing still commit their offsets here, after those before them.
      if (messages.length > 0) await transaction.send({ topic: deps.topic, acks: -1, messages });
      await transaction.sendOffsets({ consumerGroupId: deps.groupId, topics: offsetsOf(batch) });
      await doubts.commit(
        batch.map(({ cause }) => cause),
        () => transaction.commit(),
      );
    });
  });
  async function sendInTransaction(announcements: readonly Announcement[], cause: Consumed): Promise<void> {
    await sends.add({ messages: eventMessagesOf(announcements), cause });
  }
  async function record(announcements: readonly Announcement[]): Promise<void> {
    // Concurrent calls share one pipeline (see OrderIndex.apply): one socket write for all of them, in order.
    await Promise.all(
      announcements.map((announcement) => {
        const { message, log } = indexEntryOf(announcement);
        return deps.index.apply(message.order, {
          publish: { channel: deps.channel, message: JSON.stringify(message) },
          log,
        });
      }),
    );
  }
  return { record, sendInTransaction };
}
