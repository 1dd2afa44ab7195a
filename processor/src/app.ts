/**
 * The processor's wiring: MongoDB, Kafka and Redis, and the consumer group that
 * decides every order of `orders.created`. `createProcessor(config)` returns
 * `{ start, stop, readiness, stats }` with an explicit status.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
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
  createRedis,
  DeadLetterStore,
  ensureTopics,
  OrderIndex,
  topicsFor,
  warnIfSlow,
  type Logger,
} from '@orders/core';
import type { ProcessorConfig } from './config.ts';
import { StableOffsets } from './kafka/stable-offsets.ts';
import { decideNewOrders } from './deciding/decide-new-orders.ts';
import { PaymentWindow } from './deciding/payment-window.ts';
import { handleOrderCreated } from './deciding/handle-order-created.ts';
import { StockBook } from './records/stock-book.ts';
import { createOrderConsumer, type OrderConsumer, type ProcessorStats } from './kafka/order-consumer.ts';
import type { Backoff } from './kafka/retry.ts';
import type { ConsumedMessage } from './kafka/consumed-message.ts';
import { createDeadLetters } from './kafka/send-to-dead-letters.ts';
import { createStatusPublisher } from './announcing/publish-status-change.ts';
import { Pauses } from './kafka/pauses.ts';
import { createPaymentClient, type Payments } from './payments/payment-client.ts';
import { RenewableProducer } from './kafka/renewable-producer.ts';
import { CombinedWrites } from './records/combined-writes.ts';
import { tracedHandler, tracedLogger, tracedRun } from './trace/order-traces.ts';
import { countKafkaReconnects, countRedisReconnects } from './metrics/connections.ts';
import { ProcessorMetrics } from './metrics/processor-metrics.ts';
import { ProcessorStateReport } from './health/processor-state.ts';

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
  /** Its metrics (the one given in the options, or its own). */
  readonly metrics: ProcessorMetrics;
  /** Connects everything and joins the consumer group; resolves once messages flow. A processor starts once. */
  start(): Promise<void>;
  /** Stops fetching, finishes and commits in-flight messages, then disconnects. Safe to call twice. */
  stop(): Promise<void>;
  readiness(): Promise<Readiness>;
}

export interface ProcessorOptions {
  logger?: Logger;
  /** The retry backoff; 100 ms doubling to 5 s unless a test needs it shorter. */
  backoff?: Backoff;
  /** The metrics to count in; one of its own unless given (main.ts keeps one across start attempts). */
  metrics?: ProcessorMetrics;
  /**
   * Wraps each transactional producer of the status events as it is made: how a fault test makes a
   * commit's answer go missing (test/faults/doubtful-commit-processor.ts). The processor itself never sets it.
   */
  wrapStatusProducer?: (producer: Producer) => Producer;
}

interface Resources {
  connection?: Connection;
  redis?: Redis;
  producer?: Producer;
  statusProducer?: RenewableProducer;
  consumer?: OrderConsumer;
  stateReport?: ProcessorStateReport;
}

/** What the parts of a running processor share. */
interface Wiring {
  readonly config: ProcessorConfig;
  readonly options: ProcessorOptions;
  readonly logger: Logger;
  readonly stats: ProcessorStats;
  readonly metrics: ProcessorMetrics;
  /** What is open, for disconnect() to close. */
  readonly resources: Resources;
  /** The payment service's client, with its breaker: one for the processor, whatever partitions it has. */
  readonly payments: Payments;
  /** The partitions waiting on the world. */
  readonly pauses: Pauses;
}

/** MongoDB, Redis and Kafka's producers, connected (and kept in `resources` as each opens). */
async function connectStores({ config, options, logger, metrics, resources }: Wiring) {
  const prefix = config.namePrefix;
  const connection = (resources.connection = await connectDatabase(config.mongo.uri));
  const models = createModels(connection);
  await Promise.all(Object.values(models).map((model) => model.init()));

  const redis = (resources.redis = createRedis(config.redis, {
    lazyConnect: true,
    // Reconnect for ever with a capped backoff; a publish waits for at most two reconnects.
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    maxRetriesPerRequest: 2,
  }));
  redis.on('error', (error) => logger.warn('redis connection error', { error }));
  countRedisReconnects(metrics, redis);
  await redis.connect();

  const kafka = countKafkaReconnects(metrics, createKafka('order-processor', config.kafka.brokers, logger));
  await ensureTopics(kafka, prefix);
  const producer = (resources.producer = createProducer(kafka));
  await producer.connect();
  const groupId = `${prefix}${PROCESSOR_GROUP}`;
  // Its own transactional id per process: a restarted processor is a new producer, never a zombie's twin.
  const transactionalId = `${groupId}-${randomUUID()}`;
  const statusProducer = (resources.statusProducer = new RenewableProducer(() => {
    const made = createTransactionalProducer(kafka, transactionalId);
    return options.wrapStatusProducer?.(made) ?? made;
  }, logger));
  await statusProducer.connect();
  return { connection, models, redis, kafka, producer, statusProducer, groupId };
}

type Stores = Awaited<ReturnType<typeof connectStores>>;

/** The consumer group on `orders.created`, with what deciding an order needs. */
function createConsumer(wiring: Wiring, stores: Stores): OrderConsumer {
  const { config, options, logger, metrics, stats, payments, pauses } = wiring;
  const { connection, models, redis, kafka, producer, statusProducer, groupId } = stores;
  const prefix = config.namePrefix;
  const topics = topicsFor(prefix);
  const stock = new StockBook(models);
  const index = new OrderIndex(redis, { prefix, logLength: config.processing.logLength });
  const deps = {
    models,
    writes: new CombinedWrites(models),
    stock,
    sendToDeadLetters: createDeadLetters(
      producer,
      topics.deadLetters.name,
      new DeadLetterStore(connection, redis, prefix),
    ),
    payments,
    // Its lines about an order carry the order's trace id while a traced handler runs.
    logger: tracedLogger(logger),
  };
  // Committed offsets as the group keeps them, not as a transaction just ended left them for a moment.
  const committed = new StableOffsets({ brokers: config.kafka.brokers, clientId: 'order-processor', groupId });
  // Payments asked ahead of their decisions, per partition; forgotten when the partitions move.
  const paymentWindow = new PaymentWindow({
    limit: config.processing.maxInFlight,
    authorize: (order) => payments.authorize(order),
  });
  const newOrders = { ...deps, index, window: paymentWindow };
  const decideRun = tracedRun((messages: readonly ConsumedMessage[]) => decideNewOrders(newOrders, messages));
  return createOrderConsumer({
    kafka,
    groupId,
    topic: topics.created.name,
    concurrency: config.processing.concurrency,
    commitIntervalMs: config.processing.commitIntervalMs,
    backoff: options.backoff,
    pauses,
    handle: metrics.observed(tracedHandler((message) => handleOrderCreated(deps, message))),
    decideNewOrders: async (messages) => {
      const run = await decideRun(messages);
      for (const outcome of run.outcomes) metrics.observe(outcome);
      return run;
    },
    announce: createStatusPublisher({
      producer: statusProducer,
      groupId,
      index,
      topic: topics.status.name,
      channel: channelsFor(prefix).status,
      committedOffsets: (topic, partitions) => committed.read(topic, partitions),
      onDoubtSettled: (outcome) => metrics.transactionsInDoubt.inc({ outcome }),
      logger,
    }),
    committedOffset: async (topic, partition, whileWaiting) =>
      (await committed.read(topic, [partition], whileWaiting)).get(partition),
    // Partitions may have moved, and with them the products this instance is the only writer of.
    onRebalance: () => {
      stock.forget();
      paymentWindow.clear();
    },
    stats,
    logger,
  });
}

/**
 * In the order the drain needs: the consumer first (it stops fetching, lets
 * in-flight messages finish and commits them), then what they write to.
 * Safe to call twice: each resource is closed once.
 */
async function disconnect(resources: Resources, logger: Logger): Promise<void> {
  const { consumer, producer, statusProducer, redis, connection, stateReport } = resources;
  resources.stateReport =
    resources.consumer =
    resources.producer =
    resources.statusProducer =
    resources.redis =
    resources.connection =
      undefined;
  if (consumer) await consumer.stop();
  await stateReport?.stop();
  const closed = await Promise.allSettled([
    warnIfSlow(logger, 'the producer to disconnect', producer?.disconnect()),
    warnIfSlow(logger, 'the transactional producer to disconnect', statusProducer?.disconnect()),
    warnIfSlow(logger, 'Redis to quit', redis?.quit()),
    warnIfSlow(logger, 'MongoDB to close', connection?.close()),
  ]);
  for (const result of closed) {
    if (result.status === 'rejected') logger.warn('a connection did not close cleanly', { error: result.reason });
  }
}

function readinessOf(status: ProcessorStatus, resources: Resources): Readiness {
  const problems: string[] = [];
  if (status !== 'running') problems.push(`processor is ${status}`);
  if (resources.connection?.readyState !== 1) problems.push('database not connected');
  if (resources.redis?.status !== 'ready') problems.push('redis not connected');
  if (!resources.consumer?.isConnected()) problems.push('kafka consumer not connected');
  return { ready: problems.length === 0, status, problems };
}

export function createProcessor(config: ProcessorConfig, options: ProcessorOptions = {}): Processor {
  const logger = options.logger ?? createLogger('processor', config.log.level);
  const stats: ProcessorStats = { processed: 0, failed: 0, deadLettered: 0, redelivered: 0, retries: 0 };
  const metrics = options.metrics ?? new ProcessorMetrics();
  metrics.follow(stats);
  const resources: Resources = {};
  // What this processor waits on, for the server's Pipeline panel (it reads the two below when it writes).
  const stateReport = new ProcessorStateReport({
    prefix: config.namePrefix,
    waitingOn: () => ({ breaker: payments.breakerState, paused: pauses.list() }),
    logger,
  });
  const payments = createPaymentClient(config.payments, {
    ...metrics.paymentCalls,
    onBreakerState: (state) => {
      metrics.paymentCalls.onBreakerState(state);
      stateReport.changed();
      if (state !== 'closed') logger.warn('the payment service breaker is not closed', { state });
      else logger.info('the payment service breaker is closed again');
    },
  });
  const pauses = new Pauses((paused) => {
    metrics.showPaused(paused);
    stateReport.changed();
  });
  const wiring: Wiring = { config, options, logger, stats, metrics, resources, payments, pauses };
  let status: ProcessorStatus = 'idle';
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  async function connectAndRun(): Promise<void> {
    const stores = await connectStores(wiring);
    (resources.stateReport = stateReport).start(stores.redis);
    const consumer = (resources.consumer = createConsumer(wiring, stores));
    await consumer.start();
  }

  return {
    get status() {
      return status;
    },
    stats,
    metrics,
    start() {
      if ((status === 'starting' || status === 'running') && starting) return starting;
      if (status !== 'idle') return Promise.reject(new Error(`cannot start a processor that is ${status}`));
      status = 'starting';
      const group = `${config.namePrefix}${PROCESSOR_GROUP}`;
      logger.info('processor starting', { group, topic: topicsFor(config.namePrefix).created.name });
      starting = connectAndRun().then(
        () => {
          if (status !== 'starting') return; // stop() was called meanwhile and drains now
          status = 'running';
          logger.info('processor running', { concurrency: config.processing.concurrency });
        },
        async (error: unknown) => {
          status = 'stopping';
          await disconnect(resources, logger);
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
        await disconnect(resources, logger);
        status = 'stopped';
        logger.info('processor stopped', { ...stats });
      })();
      return stopping;
    },
    readiness: async () => readinessOf(status, resources),
  };
}
