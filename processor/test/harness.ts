/**
 * A test bed on the real servers: its own database and topic prefix (so test
 * files never see each other), the core models to set up data directly, a
 * producer that plays the server's part, a collector of everything the
 * processor emits (Kafka status events, dead letters, Redis messages), and
 * processors started from the same configuration.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import {
  changeId,
  channelsFor,
  createLogger,
  createModels,
  createProducer,
  ensureTopics,
  OrderIndex,
  topicsFor,
  type DeadLetter,
  type Models,
  type OrderCreatedEvent,
  type OrderStatusChangedEvent,
  type OrderStatusMessage,
  type Topics,
} from '@orders/core';
import { createProcessor, type Processor, type ProcessorOptions } from '../src/app.ts';
import { loadConfig, type ProcessorConfig } from '../src/config.ts';
import { dropSystem, systemEnv, waitFor } from '../../test/support/index.ts';

export interface TestBed {
  readonly config: ProcessorConfig;
  readonly models: Models;
  readonly topics: Topics;
  /** Everything seen on `orders.status`, `orders.dlq` and the Redis status channel so far. */
  readonly seen: {
    statusEvents: OrderStatusChangedEvent[];
    deadLetters: DeadLetter[];
    redisMessages: OrderStatusMessage[];
  };
  /** Starts a processor on this bed's database and topics; the bed stops it on close. */
  startProcessor(options?: ProcessorOptions): Promise<Processor>;
  /** A product with this stock, under a fresh SKU. */
  addProduct(stock: number): Promise<string>;
  /**
   * A PENDING order (version 1) in the database, and the OrderCreated event the server would produce for
   * it; marked in the order index first, as a server does (`known: false` leaves the index out). Its
   * customer is cus_0001 unless given (the payment service declines `cus_decline…` and `cus_nofunds…`).
   */
  addOrder(
    sku: string,
    quantity: number,
    options?: { known?: boolean; customerId?: string },
  ): Promise<OrderCreatedEvent>;
  /** Produces to `orders.created`, keyed by SKU as the server does. */
  produce(key: string, value: OrderCreatedEvent | string): Promise<void>;
  /** Produces several messages in one send: they reach the processor together. */
  produceAll(key: string, values: readonly OrderCreatedEvent[]): Promise<void>;
  /** How many messages a topic holds, over all partitions. */
  messageCount(topic: string): Promise<number>;
  close(): Promise<void>;
}

const quiet = createLogger('processor-test', 'silent');

export async function createTestBed(env: Record<string, string> = {}): Promise<TestBed> {
  const system = systemEnv('proc_test');
  const config = loadConfig({
    ...system.env,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const prefix = config.namePrefix;
  const topics = topicsFor(prefix);
  const connection: Connection = await mongoose.createConnection(config.mongo.uri).asPromise();
  const models = createModels(connection);
  await Promise.all(Object.values(models).map((model) => model.init()));

  const kafka = new Kafka({ clientId: 'processor-test', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, prefix);
  const admin: Admin = kafka.admin();
  const producer: Producer = createProducer(kafka);
  await Promise.all([admin.connect(), producer.connect()]);

  const seen: TestBed['seen'] = { statusEvents: [], deadLetters: [], redisMessages: [] };
  const collector: Consumer = kafka.consumer({ groupId: `${prefix}collector`, maxWaitTimeInMs: 200 });
  await collector.connect();
  await collector.subscribe({ topics: [topics.status.name, topics.deadLetters.name], fromBeginning: true });
  await collector.run({
    eachMessage: async ({ topic, message }) => {
      const value = JSON.parse(message.value?.toString('utf8') ?? 'null');
      if (topic === topics.status.name) seen.statusEvents.push(value);
      else seen.deadLetters.push(value);
    },
  });

  const redis = new Redis(config.redis.url);
  const index = new OrderIndex(redis, { prefix });
  const subscriber = new Redis(config.redis.url);
  await subscriber.subscribe(channelsFor(prefix).status);
  subscriber.on('message', (_channel, message: string) => seen.redisMessages.push(JSON.parse(message)));

  const processors: Processor[] = [];
  let orders = 0;

  return {
    config,
    models,
    topics,
    seen,
    async startProcessor(options = {}) {
      const processor = createProcessor(config, { logger: quiet, ...options });
      processors.push(processor);
      await processor.start();
      return processor;
    },
    async addProduct(stock) {
      const sku = `SKU-${randomUUID().slice(0, 8)}`;
      await models.Product.create({ _id: sku, name: `Product ${sku}`, price: 5, stock });
      return sku;
    },
    async addOrder(sku, quantity, options = {}) {
      const at = new Date();
      const orderId = randomUUID();
      if (options.known !== false) await index.markUnpublished(orderId);
      const orderNumber = `ORD-${system.id}-${String(++orders).padStart(4, '0')}`;
      const customerId = options.customerId ?? 'cus_0001';
      await models.Order.create({
        _id: orderId,
        orderNumber,
        customerId,
        sku,
        quantity,
        total: quantity * 5,
        status: 'PENDING',
        version: 1,
        attempts: 0,
        createdAt: at,
        updatedAt: at,
        history: [{ version: 1, previousStatus: null, status: 'PENDING', at, error: null }],
      });
      return {
        v: 1,
        type: 'OrderCreated',
        orderId,
        version: 1,
        customerId,
        sku,
        quantity,
        at: at.toISOString(),
        orderNumber,
        total: quantity * 5,
        createdAt: at.toISOString(),
      };
    },
    async produce(key, value) {
      await producer.send({
        topic: topics.created.name,
        acks: -1,
        messages: [{ key, value: typeof value === 'string' ? value : JSON.stringify(value) }],
      });
    },
    async produceAll(key, values) {
      await producer.send({
        topic: topics.created.name,
        acks: -1,
        messages: values.map((value) => ({ key, value: JSON.stringify(value) })),
      });
    },
    async messageCount(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    },
    async close() {
      await Promise.allSettled(processors.map((processor) => processor.stop()));
      await Promise.allSettled([collector.disconnect(), producer.disconnect(), subscriber.quit(), redis.quit()]);
      await admin.disconnect();
      await connection.close();
      await dropSystem(system);
    },
  };
}

/** Waits until the order's decision is in the event log (its transaction committed), and returns the order. */
/** A product with `stock`, and an order of `quantity` of it produced to orders.created: how most tests here begin. */
export async function produceOrder(bed: TestBed, stock: number, quantity: number) {
  const sku = await bed.addProduct(stock);
  const event = await bed.addOrder(sku, quantity);
  await bed.produce(sku, event);
  return { sku, event };
}

export async function decided(bed: TestBed, orderId: string) {
  const id = changeId(orderId, 2);
  await waitFor(`order ${orderId} to be decided and published`, async () =>
    bed.seen.statusEvents.some((event) => event.changeId === id),
  );
  const order = await bed.models.Order.findById(orderId).lean();
  if (order === null) throw new Error(`order ${orderId} disappeared`);
  return order;
}
