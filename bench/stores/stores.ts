/**
 * The stores' own ceilings on this machine: inserts and conditional updates per
 * second on the MongoDB-wire server, PUBLISH per second on Redis, and
 * produce-then-consume per second on Kafka. Every later figure of the system is
 * read as a fraction of these. Run with `npm run bench -- stores`, or `tsx bench/stores/stores.ts` with the services up.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { createProducer, createRedis, redisConfigFrom } from '@orders/core';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

/** Runs `op` from `workers` concurrent loops for the configured time; returns operations per second. */
export async function rate(workers: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < deadline) await op(done++);
    }),
  );
  return Math.round((done / (Date.now() - started)) * 1000);
}

async function mongoCeilings(): Promise<Record<string, number>> {
  const connection = await mongoose.createConnection(`mongodb://127.0.0.1:27017/bench_${Date.now()}`).asPromise();
  const orders = connection.collection('orders');
  try {
    const insert = await rate(concurrency, (i) =>
      orders.insertOne({ n: i, status: 'PENDING', version: 1, createdAt: new Date(), sku: 'SKU-1', quantity: 1 }),
    );
    await orders.createIndex({ n: 1 });
    const ids = await orders.find({}, { projection: { _id: 1 } }).toArray();
    let next = 0;
    const updateById = await rate(concurrency, async () => {
      const doc = ids[next++ % ids.length];
      if (doc) await orders.updateOne({ _id: doc._id }, { $set: { status: 'PENDING' }, $inc: { version: 1 } });
    });
    // A filter with more than _id: on FerretDB's SQLite backend this scans the collection.
    const conditionalUpdate = await rate(concurrency, async () => {
      const doc = ids[next++ % ids.length];
      if (doc)
        await orders.updateOne(
          { _id: doc._id, status: 'PENDING' },
          { $set: { status: 'PENDING' }, $inc: { version: 1 } },
        );
    });
    return {
      mongoDocuments: ids.length,
      mongoInsertPerSec: insert,
      mongoUpdateByIdPerSec: updateById,
      mongoConditionalUpdatePerSec: conditionalUpdate,
    };
  } finally {
    await connection.dropDatabase();
    await connection.close();
  }
}

async function redisCeilings(): Promise<Record<string, number>> {
  const client = createRedis(redisConfigFrom(process.env));
  const payload = JSON.stringify({ id: randomUUID(), status: 'PROCESSED', at: new Date().toISOString() });
  try {
    const publish = await rate(concurrency, () => client.publish('bench.stores', payload));
    return { redisPublishPerSec: publish };
  } finally {
    client.disconnect();
  }
}

async function kafkaCeiling(): Promise<Record<string, number>> {
  const kafka = new Kafka({ clientId: 'bench-stores', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const topic = `bench.stores.${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
  const producer = createProducer(kafka);
  await producer.connect();
  const value = JSON.stringify({ id: randomUUID(), sku: 'SKU-1', quantity: 1 });
  // One message per send, acks from all replicas: what the create path does for each order.
  const produced = await rate(concurrency, (i) =>
    producer.send({ topic, acks: -1, messages: [{ key: String(i), value }] }),
  );
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((sum, p) => sum + Number(p.high), 0);

  // Then read it all back with one consumer: the rate a processor can fetch at.
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let firstAt = 0;
  let lastAt = 0;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      firstAt ||= Date.now();
      consumed += batch.messages.length;
      lastAt = Date.now();
    },
  });
  const deadline = Date.now() + 60_000;
  while (consumed < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const consumeRate = Math.round((consumed / Math.max(1, lastAt - firstAt)) * 1000);
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  return { kafkaProducePerSec: produced, kafkaConsumePerSec: consumeRate };
}

export async function measureStores(): Promise<Record<string, number>> {
  return { ...(await mongoCeilings()), ...(await redisCeilings()), ...(await kafkaCeiling()) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureStores();
  console.log(JSON.stringify({ cores: os.cpus().length, seconds, concurrency, ...figures }, null, 2));
}
