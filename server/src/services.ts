/**
 * The server's order services over its stores: the order index in Redis (and
 * its keeper), the status feed the subscriptions follow, the statistics
 * broadcaster, the outbox relay, and createOrder / retryOrder with their
 * dependencies. `startServices` starts what runs in the background;
 * `stopSteps` says how to stop it, in order.
 */
import {
  DeadLetterStore,
  KafkaCreatedLog,
  OrderCache,
  OrderIndex,
  orderFromDocument,
  PROCESSOR_GROUP,
  readProcessorStates,
  topicsFor,
  type Logger,
} from '@orders/core';
import { CatalogueCache } from './catalogue/catalogue-cache.ts';
import { DeadLetters } from './dead-letters/dead-letters.ts';
import type { ServerConfig } from './config.ts';
import type { Services } from './context.ts';
import { createOrder, orderInserter, type CreateOrderDeps } from './orders/create-order.ts';
import { IndexKeeper } from './orders/index-keeper.ts';
import { IndexWrites } from './orders/index-writes.ts';
import { OutboxRelay } from './orders/outbox-relay.ts';
import { cachedGroupHealth, type ReadGroup } from './pipeline/group-reader.ts';
import { PipelineMonitor } from './pipeline/pipeline-monitor.ts';
import { createOrderPublisher, type OrderPublisher } from './orders/publish-order.ts';
import { retryOrder, writeRetriedOrder, type RetryOrderDeps } from './orders/retry-order.ts';
import { HELD_MARKS_COLLECTION, UnpublishedMarks } from './orders/unpublished-marks.ts';
import { StatusFeed } from './pubsub/status-feed.ts';
import { InFlight, type ShutdownStep } from './shutdown.ts';
import { StatsBroadcaster } from './stats/stats-broadcaster.ts';
import type { Stores } from './stores.ts';

/** Stores one order document; see `orderInserter`. */
export type OrderInserter = CreateOrderDeps['insertOrder'];

export interface ServiceOptions {
  /**
   * Wraps how createOrder stores an order: given the inserter the server would use, returns the one
   * it uses. For whoever runs the server to put something around the store (a timer, a counter, a
   * fault of its own making) without the server knowing.
   */
  wrapOrderInserter?: (insert: OrderInserter) => OrderInserter;
  /** Wraps how orders are sent to Kafka (createOrder, retryOrder, the outbox relay), as `wrapOrderInserter` does. */
  wrapOrderPublisher?: (publisher: OrderPublisher) => OrderPublisher;
  /** Wraps how a retry writes its order (retryOrder, and the relay finishing one), as `wrapOrderInserter` does. */
  wrapRetryWrite?: (write: RetryOrderDeps['writeOrder']) => RetryOrderDeps['writeOrder'];
}

export interface RunningServices {
  readonly services: Services;
  readonly relay: OutboxRelay;
  /** Checks that the order index is there, and has it rebuilt when it is not. */
  readonly indexKeeper: IndexKeeper;
  /** The processors' consumer group, read from the broker at most once a second: for the metrics and the Pipeline panel. */
  readonly readGroup: ReadGroup;
  /** How to stop what runs in the background, in order. */
  readonly stopSteps: readonly ShutdownStep[];
}

/**
 * What writes orders: createOrder's and retryOrder's dependencies and the outbox relay that finishes
 * what they leave, on one publisher and one place for the unpublished marks.
 */
function orderWriters(
  config: ServerConfig,
  { connection, models, producer, events }: Pick<Stores, 'connection' | 'models' | 'producer' | 'events'>,
  indexWrites: IndexWrites,
  { logger, options }: { logger: Logger; options: ServiceOptions },
) {
  const sender = createOrderPublisher(producer, topicsFor(config.namePrefix));
  const publisher = options.wrapOrderPublisher?.(sender) ?? sender;
  const createdChannel = events.channels.created;
  const marks = new UnpublishedMarks(indexWrites.index, connection.collection(HELD_MARKS_COLLECTION), logger);
  const retryWrite = writeRetriedOrder(models);
  const writeOrder = options.wrapRetryWrite?.(retryWrite) ?? retryWrite;
  const relayLogger = logger.child({ part: 'outbox-relay' });
  const relay = new OutboxRelay(
    { models, indexWrites, marks, publisher, writeOrder, createdChannel, logger: relayLogger },
    config.outbox,
  );
  const insert = orderInserter(models);
  const orderDeps: CreateOrderDeps = {
    models,
    catalogue: new CatalogueCache(models),
    insertOrder: options.wrapOrderInserter?.(insert) ?? insert,
    publisher,
    indexWrites,
    marks,
    createdChannel,
    logger,
  };
  const retryDeps: RetryOrderDeps = {
    models,
    publisher,
    indexWrites,
    marks,
    writeOrder,
    orphanAfterMs: config.outbox.graceMs,
    logger,
  };
  return { relay, orderDeps, retryDeps };
}

/** How long a stopping server waits for the calls in hand: past a publish's retries against a broker away (about 25 s). */
const IN_FLIGHT_GRACE_MS = 30_000;

export async function startServices(
  config: ServerConfig,
  { connection, models, kafka, producer, admin, events }: Stores,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<RunningServices> {
  const topics = topicsFor(config.namePrefix);
  const index = new OrderIndex(events.redis, { prefix: config.namePrefix });
  const indexLogger = logger.child({ part: 'order-index' });
  const indexWrites = new IndexWrites(index, indexLogger);
  const groupId = `${config.namePrefix}${PROCESSOR_GROUP}`;
  const createdLog = new KafkaCreatedLog(kafka, topics.created.name, groupId);
  const indexKeeper = new IndexKeeper(models, index, indexLogger, createdLog, config.index.checkMs);
  await indexKeeper.start();
  // After a break, Redis may have come back empty (flushed, or restarted without its files).
  events.onResubscribed(() => indexKeeper.checkInBackground());

  const statusFeed = new StatusFeed(index, events, logger.child({ part: 'status-feed' }), {
    catchUpLimit: config.limits.catchUp,
    partitions: topics.created.partitions,
  });
  await statusFeed.start();
  const stats = new StatsBroadcaster(index, events, logger, config.stats.intervalMs);
  stats.start();
  const deadLetters = new DeadLetters(new DeadLetterStore(connection, events.redis, config.namePrefix), producer);
  const readGroup = cachedGroupHealth(admin, groupId, topics.created.name);
  const pipeline = new PipelineMonitor({
    groupId,
    readGroup,
    countDeadLetters: () => deadLetters.count(),
    readProcessorStates: () => readProcessorStates(events.redis, config.namePrefix),
    topic: topics.created.name,
    statusChanges: () => events.statusChanges(),
    logger: logger.child({ part: 'pipeline' }),
  });
  pipeline.start();
  const { relay, orderDeps, retryDeps } = orderWriters(config, { connection, models, producer, events }, indexWrites, {
    logger,
    options,
  });
  relay.start();

  const inFlight = new InFlight();
  const services: Services = {
    models,
    index,
    orderCache: new OrderCache(async (id) => {
      const doc = await models.Order.findById(id).lean();
      return doc === null ? null : orderFromDocument(doc);
    }),
    events,
    statusFeed,
    stats,
    deadLetters,
    pipeline,
    createOrder: inFlight.track((input: unknown, traceparent?: string) => createOrder(orderDeps, input, traceparent)),
    retryOrder: inFlight.track((orderId: string) => retryOrder(retryDeps, orderId)),
  };
  const stopSteps: ShutdownStep[] = [
    ['finishing the orders in hand', () => inFlight.finish(IN_FLIGHT_GRACE_MS)],
    ['stopping the outbox relay', () => relay.stop()],
    ['stopping the statistics', () => stats.stop()],
    ['stopping the pipeline monitor', () => pipeline.stop()],
    ['stopping the order index checks', () => indexKeeper.stop().finally(() => createdLog.close())],
    ['stopping the held order index writes', () => indexWrites.stop()],
    ['stopping the status feed', () => statusFeed.stop()],
  ];
  return { services, relay, indexKeeper, readGroup, stopSteps };
}
