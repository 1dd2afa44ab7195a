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
  applyChanges,
  createKafka,
  createLogger,
  createModels,
  historyEntryOf,
  newOrder,
  topicsFor,
  traceOfHeaders,
  type HistoryEntry,
  type OrderDocument,
} from '@orders/core';
import type { IHeaders, Kafka } from 'kafkajs';

/** A message as replay reads it: its value, the trace its headers carry, and where it was read. */
export interface ReadMessage {
  readonly value: string;
  readonly headers: IHeaders | undefined;
  readonly partition: number;
}

/** The values of every committed message of a topic, from the beginning. */
export async function readTopic(kafka: Kafka, topic: string): Promise<string[]> {
  return (await readMessages(kafka, topic)).map((message) => message.value);
}

/**
 * Every committed message of a topic, from the beginning, until the consumer reaches the end of each
 * partition. With `readUncommitted`, also what open and aborted transactions hold (to tell, when an
 * event is missing, whether it was written at all), until nothing more arrives for 3 s: past the last
 * stable offset, the end the broker tells.
 */
export async function readMessages(
  kafka: Kafka,
  topic: string,
  { readUncommitted = false }: { readonly readUncommitted?: boolean } = {},
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, end: BigInt(p.high) }));
  await admin.disconnect();
  const values: ReadMessage[] = [];
  const position = new Map<number, bigint>();
  let lastBatchAt = Date.now();
  const consumer = kafka.consumer({ groupId: `replay-${randomBytes(4).toString('hex')}`, readUncommitted });
  consumer.on(consumer.events.GROUP_JOIN, () => (lastBatchAt = Date.now()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        values.push({ value: message.value?.toString() ?? '', headers: message.headers, partition: batch.partition });
      }
      // Where the next fetch starts: past this batch, commit markers included.
      position.set(batch.partition, BigInt(batch.lastOffset()) + 1n);
      lastBatchAt = Date.now();
    },
  });
  // A transaction's commit marker may follow the last message: one offset short of the end is the end.
  // An aborted transaction at the end leaves more unread offsets: then nothing more arriving for 3 s is the end.
  const done = () =>
    (!readUncommitted &&
      ends.every(({ partition, end }) => end === 0n || (position.get(partition) ?? 0n) >= end - 1n)) ||
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

/**
 * The orders as the event log tells them, with no idempotency key (request metadata, not in the log) and
 * the trace id their first event's `traceparent` header carries.
 */
export async function rebuildOrders(kafka: Kafka, prefix: string): Promise<OrderDocument[]> {
  const topics = topicsFor(prefix);
  const [created, changes] = await Promise.all([
    readMessages(kafka, topics.created.name),
    readTopic(kafka, topics.status.name),
  ]);
  const orders = new Map<string, OrderDocument>();
  for (const { value, headers } of created) {
    const parsed = OrderCreatedEvent.safeParse(JSON.parse(value));
    // Later versions of an order (retries) and unreadable messages add nothing to what an order is.
    const order = parsed.success && !orders.has(parsed.data.orderId) ? newOrder(parsed.data) : null;
    if (order === null) continue;
    const trace = traceOfHeaders(headers);
    orders.set(order._id, { ...order, idempotencyKey: null, ...(trace === null ? {} : { traceId: trace.traceId }) });
  }
  const changesOf = new Map<string, HistoryEntry[]>();
  for (const value of changes) {
    const parsed = OrderStatusChangedEvent.safeParse(JSON.parse(value));
    if (!parsed.success) continue;
    const entries = changesOf.get(parsed.data.orderId) ?? [];
    entries.push(historyEntryOf(parsed.data));
    changesOf.set(parsed.data.orderId, entries);
  }
  // Applied in version order; a change seen twice (at-least-once producers) is applied once.
  return [...orders.values()].map((order) => applyChanges(order, changesOf.get(order._id) ?? []));
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
