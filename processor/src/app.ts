/**
 * The processor's wiring: MongoDB, Kafka and Redis, and the consumer group that
 * decides every order of `orders.created`. `createProcessor(config)` returns
 * `{ start, stop, readiness, stats }` with an explicit status.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import type { Connection } from 'mongoose';
import {
  PROCESSOR_GROUP,
  channelsFor,
  connectDatabase,
  createKafka,
  createProducer,
  createTransactionalProducer,
  createLogger,
  createModels,
  ensureTopics,
  OrderIndex,
  topicsFor,
  type Logger,
} from '@orders/core';
import type { ProcessorConfig } from './config.ts';
import { decideNewOrders } from './consume/decide-new-orders.ts';
import { handleOrderCreated } from './consume/handle-order-created.ts';
import { StockBook } from './record/stock-book.ts';
import { createOrderConsumer, type OrderConsumer, type ProcessorStats } from './consume/order-consumer.ts';
import type { Backoff } from './consume/retry.ts';
import { createDeadLetters } from './dead-letters/send-to-dead-letters.ts';
import { createStatusPublisher } from './emit/publish-status-change.ts';
import { RenewableProducer } from './emit/renewable-producer.ts';
import { CombinedWrites } from './record/combined-writes.ts';

export type ProcessorStatus = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface Readiness {
  readonly ready: boolean;
  readonly status: ProcessorStatus;
  /** What is not ready, one line each; empty when ready. */
  readonly problems: string[];
}

export interface Processor {
  readonly status: ProcessorStatus;
  /** Counters since start; a live object. */
  readonly stats: Readonly<ProcessorStats>;
  /** Connects everything and joins the consumer group; resolves once messages flow. A processor starts once. */
  start(): Promise<void>;
  /** Stops fetching, finishes and commits in-flight messages, then disconnects. Safe to call twice. */
  stop(): Promise<void>;
  readiness(): Promise<Readiness>;
}

export interface ProcessorOptions {
  logger?: Logger;
  /** The payment dice; Math.random unless a test needs it fixed. */
  random?: () => number;
  /** The retry backoff; 100 ms doubling to 5 s unless a test needs it shorter. */
  backoff?: Backoff;
}

interface Resources {
  connection?: Connection;
  redis?: Redis;
  producer?: Producer;
  statusProducer?: RenewableProducer;
  consumer?: OrderConsumer;
}

export function createProcessor(config: ProcessorConfig, options: ProcessorOptions = {}): Processor {
  const logger = options.logger ?? createLogger('processor', config.log.level);
  const prefix = config.kafka.topicPrefix;
  const topics = topicsFor(prefix);
  const stats: ProcessorStats = { processed: 0, failed: 0, deadLettered: 0, redelivered: 0, retries: 0 };
  const resources: Resources = {};
  let status: ProcessorStatus = 'idle';
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  async function connectAndRun(): Promise<void> {
    const connection = (resources.connection = await connectDatabase(config.mongo.uri));
    const models = createModels(connection);
    await Promise.all(Object.values(models).map((model) => model.init()));

    const redis = (resources.redis = new Redis(config.redis.url, {
      lazyConnect: true,
      // Reconnect for ever with a capped backoff; a publish waits for at most two reconnects.
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
      maxRetriesPerRequest: 2,
    }));
    redis.on('error', (error) => logger.warn('redis connection error', { error }));
    await redis.connect();

    const kafka = createKafka('order-processor', config.kafka.brokers, logger);
    await ensureTopics(kafka, prefix);
    const producer = (resources.producer = createProducer(kafka));
    await producer.connect();
    const groupId = `${prefix}${PROCESSOR_GROUP}`;
    // Its own transactional id per process: a restarted processor is a new producer, never a zombie's twin.
    const transactionalId = `${groupId}-${randomUUID()}`;
    const statusProducer = (resources.statusProducer = new RenewableProducer(
      () => createTransactionalProducer(kafka, transactionalId),
      logger,
    ));
    await statusProducer.connect();

    const stock = new StockBook(models);
    const writes = new CombinedWrites(models);
    const index = new OrderIndex(redis, { prefix, logLength: config.processing.logLength });
    const announce = createStatusPublisher({
      producer: statusProducer,
      groupId,
      index,
      topic: topics.status.name,
      channel: channelsFor(prefix).status,
      logger,
    });
    const deps = {
      models,
      writes,
      stock,
      sendToDeadLetters: createDeadLetters(producer, topics.deadLetters.name),
      rules: { paymentFailureRate: config.processing.paymentFailureRate, random: options.random ?? Math.random },
      delayMs: config.processing.delayMs,
      logger,
    };
    const consumer = (resources.consumer = createOrderConsumer({
      kafka,
      groupId,
      topic: topics.created.name,
      concurrency: config.processing.concurrency,
      commitIntervalMs: config.processing.commitIntervalMs,
      maxAttempts: config.processing.maxAttempts,
      backoff: options.backoff,
      handle: (message, imposed) => handleOrderCreated(deps, message, imposed),
      decideNewOrders: (messages) => decideNewOrders({ ...deps, index }, messages),
      announce,
      // Partitions may have moved, and with them the products this instance is the only writer of.
      onRebalance: () => stock.forget(),
      stats,
      logger,
    }));
    await consumer.start();
  }

  /**
   * In the order the drain needs: the consumer first (it stops fetching, lets
   * in-flight messages finish and commits them), then what they write to.
   * Safe to call twice: each resource is closed once.
   */
  async function disconnect(): Promise<void> {
    const { consumer, producer, statusProducer, redis, connection } = resources;
    resources.consumer =
      resources.producer =
      resources.statusProducer =
      resources.redis =
      resources.connection =
        undefined;
    if (consumer) await consumer.stop();
    const closed = await Promise.allSettled([
      producer?.disconnect(),
      statusProducer?.disconnect(),
      redis?.quit(),
      connection?.close(),
    ]);
    for (const result of closed) {
      if (result.status === 'rejected') logger.warn('a connection did not close cleanly', { error: result.reason });
    }
  }

  return {
    get status() {
      return status;
    },
    stats,
    start() {
      if ((status === 'starting' || status === 'running') && starting) return starting;
      if (status !== 'idle') return Promise.reject(new Error(`cannot start a processor that is ${status}`));
      status = 'starting';
      logger.info('processor starting', { group: `${prefix}${PROCESSOR_GROUP}`, topic: topics.created.name });
      starting = connectAndRun().then(
        () => {
          if (status !== 'starting') return; // stop() was called meanwhile and drains now
          status = 'running';
          logger.info('processor running', { concurrency: config.processing.concurrency });
        },
        async (error: unknown) => {
          status = 'stopping';
          await disconnect();
          status = 'stopped';
          throw error;
        },
      );
      return starting;
    },
    stop() {
      stopping ??= (async () => {
        if (status === 'idle' || status === 'stopped') {
          status = 'stopped';
          return;
        }
        status = 'stopping';
        logger.info('processor stopping');
        // A start in progress finishes first, so that everything it connects is disconnected.
        await starting?.catch(() => undefined);
        await disconnect();
        status = 'stopped';
        logger.info('processor stopped', { ...stats });
      })();
      return stopping;
    },
    async readiness() {
      const problems: string[] = [];
      if (status !== 'running') problems.push(`processor is ${status}`);
      if (resources.connection?.readyState !== 1) problems.push('database not connected');
      if (resources.redis?.status !== 'ready') problems.push('redis not connected');
      if (!resources.consumer?.isConnected()) problems.push('kafka consumer not connected');
      return { ready: problems.length === 0, status, problems };
    },
  };
}
