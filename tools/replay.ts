/**
 * `npm run replay -- --into mongodb://127.0.0.1:27017/orders_rebuilt`: rebuilds
 * the orders collection from the Kafka event log alone (`orders.created` for
 * what each order is, `orders.status` for everything that happened to it),
 * into an empty database. It refuses a database that already holds orders
 * unless given --force. KAFKA_BROKERS and KAFKA_TOPIC_PREFIX as for the services.
 *
 * Idempotency keys are request metadata, not order state: they are not in the
 * log, and rebuilt orders have none.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import {
  OrderCreatedEvent,
  OrderStatusChangedEvent,
  createKafka,
  createLogger,
  createModels,
  topicsFor,
} from '@orders/core';
import type { Kafka } from 'kafkajs';
import type { OrderShape } from '../server/src/orders/shape.ts';

/** An order as the log tells it: what the API shows, with no idempotency key (request metadata, not in the log). */
export type RebuiltOrder = OrderShape & { idempotencyKey: null };

/** Every committed message of a topic, from the beginning, until the consumer reaches the end of each partition. */
export async function readTopic(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, end: BigInt(p.high) }));
  await admin.disconnect();
  const values: string[] = [];
  const position = new Map<number, bigint>();
  let lastBatchAt = Date.now();
  const consumer = kafka.consumer({ groupId: `replay-${randomBytes(4).toString('hex')}` });
  consumer.on(consumer.events.GROUP_JOIN, () => (lastBatchAt = Date.now()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) values.push(message.value?.toString() ?? '');
      // Where the next fetch starts: past this batch, commit markers included.
      position.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      lastBatchAt = Date.now();
    },
  });
  // A transaction's commit marker may follow the last message: one offset short of the end is the end.
  // An aborted transaction at the end leaves more unread offsets: then nothing more arriving for 3 s is the end.
  const done = () =>
    ends.every(({ partition, end }) => end === 0n || (position.get(partition) ?? 0n) >= end - 1n) ||
    (position.size > 0 && Date.now() - lastBatchAt > 3000);
  const deadline = Date.now() + 120_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`could not read ${topic} to its end within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  await consumer.disconnect();
  return values;
}

/** The orders as the event log tells them. */
export async function rebuildOrders(kafka: Kafka, prefix: string): Promise<RebuiltOrder[]> {
  const topics = topicsFor(prefix);
  const [created, changes] = await Promise.all([
    readTopic(kafka, topics.created.name),
    readTopic(kafka, topics.status.name),
  ]);
  const orders = new Map<string, RebuiltOrder>();
  for (const value of created) {
    const parsed = OrderCreatedEvent.safeParse(JSON.parse(value));
    // Later versions of an order (retries) and unreadable messages add nothing to what an order is.
    if (!parsed.success || parsed.data.version !== 1 || orders.has(parsed.data.orderId)) continue;
    const event = parsed.data;
    if (event.orderNumber === undefined || event.total === undefined || event.createdAt === undefined) continue;
    const createdAt = new Date(event.createdAt);
    orders.set(event.orderId, {
      _id: event.orderId,
      orderNumber: event.orderNumber,
      customerId: event.customerId,
      sku: event.sku,
      quantity: event.quantity,
      total: event.total,
      status: 'PENDING',
      version: 1,
      attempts: 0,
      error: null,
      idempotencyKey: null,
      createdAt,
      processedAt: null,
      failedAt: null,
      updatedAt: createdAt,
      history: [{ version: 1, previousStatus: null, status: 'PENDING', at: createdAt, error: null }],
    });
  }
  // Applied in version order; a change seen twice (at-least-once producers) is applied once.
  const events = changes
    .map((value) => OrderStatusChangedEvent.safeParse(JSON.parse(value)))
    .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
    .sort((a, b) => a.version - b.version);
  for (const change of events) {
    const order = orders.get(change.orderId);
    if (!order || change.version !== order.version + 1) continue;
    const at = new Date(change.at);
    order.version = change.version;
    order.status = change.status;
    order.error = change.error;
    order.updatedAt = at;
    order.processedAt = change.status === 'PROCESSED' ? at : null;
    order.failedAt = change.status === 'FAILED' ? at : null;
    if (change.status !== 'PENDING') order.attempts += 1;
    order.history.push({
      version: change.version,
      previousStatus: change.previousStatus,
      status: change.status,
      at,
      error: change.error,
    });
  }
  return [...orders.values()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { into: { type: 'string' }, force: { type: 'boolean', default: false } } });
  if (!values.into) {
    console.error(
      '--into <mongodb uri> is required: the database to rebuild the orders in, e.g. mongodb://127.0.0.1:27017/orders_rebuilt',
    );
    process.exit(2);
  }
  const logger = createLogger('replay', 'warn');
  const kafka = createKafka('order-replay', (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logger);
  const connection = await mongoose.createConnection(values.into).asPromise();
  const { Order } = createModels(connection);
  const existing = await Order.estimatedDocumentCount();
  if (existing > 0 && !values.force) {
    console.error(
      `${values.into} already holds ${existing} orders; rebuild into an empty database, or pass --force to add to it`,
    );
    await connection.close();
    process.exit(1);
  }
  const orders = await rebuildOrders(kafka, process.env.KAFKA_TOPIC_PREFIX ?? '');
  for (let i = 0; i < orders.length; i += 500) await Order.insertMany(orders.slice(i, i + 500), { ordered: false });
  console.log(`rebuilt ${orders.length} orders into ${values.into}`);
  await connection.close();
}
