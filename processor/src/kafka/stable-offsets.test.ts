/**
 * Stable committed offsets on the real broker: read right after a transaction committed its
 * offsets they are that transaction's, and while a transaction holds offsets not yet committed the
 * read waits for its end. Each test has its own topic, group and transactional id.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StableOffsets } from './stable-offsets.ts';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'stable-offsets-test', brokers: BROKERS, logLevel: logLevel.NOTHING });
const topic = `test_stable_offsets_${randomBytes(4).toString('hex')}`;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  producer = kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.deleteTopics({ topics: [topic] });
  await admin?.disconnect();
});

/** A reader of a group of its own. */
function newGroup() {
  const groupId = `${topic}-group-${randomBytes(3).toString('hex')}`;
  return { groupId, offsets: new StableOffsets({ brokers: BROKERS, clientId: 'stable-offsets-test', groupId }) };
}

/** Begins a transaction that writes one message and commits `offset` of `partition` for the group. */
async function transactionCommitting(groupId: string, partition: number, offset: number) {
  const transaction = await producer.transaction();
  await transaction.send({ topic, messages: [{ value: 'x', partition }] });
  await transaction.sendOffsets({
    consumerGroupId: groupId,
    topics: [{ topic, partitions: [{ partition, offset: String(offset) }] }],
  });
  return transaction;
}

describe('stable committed offsets', () => {
  it('leave out partitions the group never committed', async () => {
    expect(await newGroup().offsets.read(topic, [0, 1])).toEqual(new Map());
  });

  it("give each transaction's offset as soon as its commit returns", async () => {
    const { groupId, offsets } = newGroup();
    const wrong: number[] = [];
    for (let offset = 1; offset <= 40; offset++) {
      await (await transactionCommitting(groupId, 0, offset)).commit();
      const committed = await offsets.read(topic, [0, 1]);
      if (committed.get(0) !== BigInt(offset) || committed.has(1)) wrong.push(offset);
    }
    expect(wrong).toEqual([]);
  });

  it('wait while a transaction holds offsets it has not committed, then give them', async () => {
    const { groupId, offsets } = newGroup();
    await (await transactionCommitting(groupId, 1, 3)).commit();
    const open = await transactionCommitting(groupId, 1, 9);
    let waits = 0;
    const reading = offsets
      .read(topic, [1], async () => void waits++)
      .then((committed) => ({ committed, at: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const committedAt = Date.now();
    await open.commit();
    const { committed, at } = await reading;
    expect(at).toBeGreaterThanOrEqual(committedAt);
    expect(committed).toEqual(new Map([[1, 9n]]));
    expect(waits).toBeGreaterThan(5);
  });

  it('give the offsets from before a transaction that aborted', async () => {
    const { groupId, offsets } = newGroup();
    await (await transactionCommitting(groupId, 0, 5)).commit();
    await (await transactionCommitting(groupId, 0, 12)).abort();
    expect(await offsets.read(topic, [0])).toEqual(new Map([[0, 5n]]));
  });

  it('end the wait with the error its caller throws', async () => {
    const { groupId, offsets } = newGroup();
    const open = await transactionCommitting(groupId, 0, 2);
    const stop = new Error('the group is rebalancing');
    await expect(offsets.read(topic, [0], () => Promise.reject(stop))).rejects.toBe(stop);
    await open.abort();
  });
});
