/**
 * A partition handed over while its last owner's transaction is ending, on the real broker. The
 * group's offsets that transaction commits are pending until the broker has written its end, and a
 * consumer joining in that moment is given the offsets from before it: kafkajs would start there and
 * handle again what the last owner had handled and announced. The consumer reads the offset the group
 * keeps before it handles a partition's first batch, and starts after it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, createLogger } from '@orders/core';
import { Pauses } from '../src/kafka/pauses.ts';
import { StableOffsets } from '../src/kafka/stable-offsets.ts';
import { BROKERS, sleep, waitFor } from '../../test/support/index.ts';
import type { ConsumedMessage } from '../src/kafka/consumed-message.ts';
import { createOrderConsumer, type ProcessorStats } from '../src/kafka/order-consumer.ts';

const logger = createLogger('handover-test', 'error');
const kafka = createKafka('handover-test', BROKERS, logger);
const closing: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
});

async function topicWith(messages: number) {
  const topic = `test_handover_${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  closing.push(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  closing.push(() => admin.deleteTopics({ topics: [topic] }));
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: messages }, (_, i) => ({ value: `message ${i}` })) });
  await producer.disconnect();
  return topic;
}

/** A consumer of `topic` in `groupId` that records the offsets it handles (announcing nothing). */
function consumerRecording(topic: string, groupId: string, handled: string[]) {
  const stats: ProcessorStats = { processed: 0, failed: 0, deadLettered: 0, redelivered: 0, retries: 0 };
  const committed = new StableOffsets({ brokers: BROKERS, clientId: 'handover-test', groupId });
  const consumer = createOrderConsumer({
    kafka,
    groupId,
    topic,
    concurrency: 1,
    pauses: new Pauses(),
    handle: async (message: ConsumedMessage) => {
      handled.push(message.offset);
      return { kind: 'redelivered', orderId: message.offset, announcements: [] };
    },
    announce: {
      record: () => Promise.reject(new Error('nothing here announces')),
      sendInTransaction: () => Promise.reject(new Error('nothing here announces')),
    },
    committedOffset: async (offsetsOf, partition, whileWaiting) =>
      (await committed.read(offsetsOf, [partition], whileWaiting)).get(partition),
    stats,
    logger,
  });
  closing.push(() => consumer.stop());
  return consumer;
}

/** The partition's last owner, in a transaction that commits `offset` of partition 0 for the group and is left open. */
async function ownerCommitting(topic: string, groupId: string, offset: string) {
  const owner = kafka.producer({ transactionalId: `${topic}-owner`, idempotent: true, maxInFlightRequests: 1 });
  await owner.connect();
  closing.push(() => owner.disconnect());
  const transaction = await owner.transaction();
  await transaction.sendOffsets({
    consumerGroupId: groupId,
    topics: [{ topic, partitions: [{ partition: 0, offset }] }],
  });
  return transaction;
}

describe('a partition handed over as its last owner commits', () => {
  it('is handled from the offset that owner committed, not from the one the group gave while it was pending', async () => {
    const topic = await topicWith(10);
    const groupId = `${topic}-group`;
    // The last owner: it handled messages 0 to 5, and its transaction commits their offset.
    const ending = await ownerCommitting(topic, groupId, '6');

    const handled: string[] = [];
    await consumerRecording(topic, groupId, handled).start();
    await sleep(2000); // joined, given no offset (the owner's is pending), and waiting for it
    expect(handled).toEqual([]);
    await ending.commit();

    await waitFor('the last message to be handled', () => handled.includes('9'));
    expect(handled).toEqual(['6', '7', '8', '9']);
  });

  it('does not hold up a processor that stops while it waits for a pending offset', async () => {
    const topic = await topicWith(4);
    const groupId = `${topic}-group`;
    const open = await ownerCommitting(topic, groupId, '2');

    const handled: string[] = [];
    const consumer = consumerRecording(topic, groupId, handled);
    await consumer.start();
    await sleep(2000); // waiting for the owner's offset, which stays pending throughout
    // The read would wait for a minute; the stop ends it. Twenty seconds is the bound of this test only.
    const stopped = await Promise.race([consumer.stop().then(() => 'stopped'), sleep(20_000).then(() => 'waiting')]);
    await open.abort();
    expect(stopped).toBe('stopped');
    expect(handled).toEqual([]);
  });
});
