/**
 * Smoke tests: each server the services command starts is the real thing and
 * does real work. Run after `npm run services -- up` (npm test does that).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';

describe('Kafka', () => {
  const kafka = new Kafka({ clientId: 'smoke', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });

  it('produces to and consumes from every partition of a fresh topic', async () => {
    const topic = `smoke.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => `message-${i}`);
    await producer.send({
      topic,
      acks: -1,
      messages: sent.map((value, i) => ({ value, partition: i % 3 })),
    });

    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { value: string; partition: number }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ value: message.value?.toString() ?? '', partition });
          if (received.length === sent.length) resolve();
        },
      });
    });
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();

    expect(received.map((m) => m.value).sort()).toEqual([...sent].sort());
    expect(new Set(received.map((m) => m.partition))).toEqual(new Set([0, 1, 2]));
  });
});

describe('MongoDB wire server', () => {
  const connection = mongoose.createConnection(`mongodb://127.0.0.1:27017/smoke_${Date.now()}`);
  const Thing = connection.model(
    'Thing',
    new mongoose.Schema({ code: { type: String, required: true, unique: true }, count: Number }),
  );

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('inserts and finds documents', async () => {
    await Thing.init();
    await Thing.create({ code: 'a', count: 1 });
    const found = await Thing.findOne({ code: 'a' }).lean();
    expect(found?.count).toBe(1);
  });

  it('applies a conditional update only while its condition holds', async () => {
    await Thing.create({ code: 'b', count: 1 });
    const first = await Thing.updateOne({ code: 'b', count: 1 }, { $inc: { count: 1 } });
    const second = await Thing.updateOne({ code: 'b', count: 1 }, { $inc: { count: 1 } });
    expect([first.modifiedCount, second.modifiedCount]).toEqual([1, 0]);
  });

  it('refuses a duplicate key on a unique index', async () => {
    await Thing.init();
    await Thing.create({ code: 'dup' });
    await expect(Thing.create({ code: 'dup' })).rejects.toMatchObject({ code: 11000 });
  });
});

describe('Redis', () => {
  it('delivers a PUBLISH to a second connection that subscribed', async () => {
    const subscriber = new Redis('redis://127.0.0.1:6379');
    const publisher = new Redis('redis://127.0.0.1:6379');
    const channel = `smoke.${randomUUID()}`;
    await subscriber.subscribe(channel);
    const received = new Promise<string>((resolve) =>
      subscriber.on('message', (_channel, message) => resolve(message)),
    );
    const receivers = await publisher.publish(channel, 'hello');
    expect(receivers).toBe(1);
    await expect(received).resolves.toBe('hello');
    subscriber.disconnect();
    publisher.disconnect();
  });
});
