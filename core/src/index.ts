/**
 * @orders/core: the contracts the server, the processor, the tools, the benchmarks and the tests share.
 * Each name below is used by another package; what only core uses stays private to its module.
 * Helpers that drop or look inside a test system's data are in `@orders/core/testing`.
 */

// The status machine: the statuses, the transitions it allows, what a decision is and what may be retried.
export {
  DECIDED_STATUSES,
  IllegalTransitionError,
  ORDER_STATUSES,
  RETRIED_STATUS,
  RETRYABLE_STATUSES,
  awaitsDecision,
  changeId,
  isDecidedStatus,
  mayRetry,
  type DecidedStatus,
  type OrderStatus,
} from './status.ts';

// The order module: the order, its stored document, its wire form, and the one rule that applies a change to it.
export {
  newOrder,
  newOrderDocument,
  orderCreatedEvent,
  orderFromDocument,
  orderFromWire,
  orderToWire,
  type HistoryEntry,
  type Order,
  type OrderDocument,
} from './order/order.ts';
export {
  applyChange,
  applyChanges,
  historyEntryOf,
  nextChange,
  orderAsOf,
  orderUpdateFor,
  statusChangeFromDocument,
  statusChangedEvent,
  type StatusChange,
} from './order/change.ts';

// The events on Kafka and Redis: their shapes and the parsing of what a consumer reads.
export {
  DeadLetter,
  OrderCreatedEvent,
  OrderStatusChangedEvent,
  UnreadableEventError,
  parseOrderCreated,
  type OrderCreatedMessage,
  type OrderStatusMessage,
} from './events.ts';

// The MongoDB collections: their mongoose models, the connection and the reading of write errors.
export {
  connectDatabase,
  createModels,
  failuresByIndex,
  isDuplicateKey,
  onlyDuplicateKeys,
  type CustomerDoc,
  type Models,
  type ProductDoc,
} from './models.ts';

// Configuration: the zod models of the settings every service shares, and how a service parses its own.
export {
  ConfigError,
  KafkaModel,
  MongoModel,
  RedisModel,
  SharedServersModel,
  intFromEnv,
  parseConfig,
  rateFromEnv,
  redisConfig,
  sharedServersConfig,
  type RedisConfig,
} from './config.ts';

// Redis clients as the services make them: one node, or the primary its Sentinels name, followed through a failover.
export { createRedis, redisConfigFrom, type RedisClientOptions } from './redis-client.ts';

// Logging and the timing of slow steps.
export { createLogger, type Logger } from './log.ts';
export { warnIfSlow, within } from './slow-step.ts';

// Topic, consumer group and channel names, per system (NAME_PREFIX).
export {
  CREATED_PARTITIONS,
  PROCESSOR_GROUP,
  allTopics,
  channelsFor,
  topicsFor,
  type Channels,
  type Topics,
} from './topics.ts';

// Kafka clients as the services make them: logs bridged, idempotent producers, the topics ensured.
export { createKafka, createProducer, createTransactionalProducer, ensureTopics, minInsyncReplicas } from './kafka.ts';

// Writes gathered into batches.
export { Batcher } from './batcher.ts';

// The order index in Redis: lists, counts, statistics and the per-partition log, its rebuild and its cache.
export {
  INDEX_LAYOUT,
  STATS_WINDOW_MINUTES,
  indexKeys,
  seqOfLogEntry,
  type ListPosition,
} from './order-index/layout.ts';
export {
  DEFAULT_LOG_LENGTH,
  LogTooFarBehindError,
  OrderIndex,
  type ApplyOptions,
  type IndexedOrder,
  type LoggedMessage,
} from './order-index/order-index.ts';
export { INDEX_CHECK_MS, ensureIndex, rebuildIndex, takeRebuildLock } from './order-index/rebuild.ts';
export { OrderCache } from './order-index/order-cache.ts';
export { keepIndexWhole, type CreatedLog, type RepairReport } from './order-index/repair.ts';
export { KafkaCreatedLog } from './order-index/created-log.ts';

// Dead letters the operator can list, requeue and discard: the shared contract and its store.
export { showBytes, type RecordedDeadLetter } from './dead-letters/letter.ts';
export {
  DEAD_LETTER_ACTIONS,
  DeadLetterStore,
  type DeadLetterAction,
  type DeadLetterActionKind,
} from './dead-letters/store.ts';

// What each processor waits on (its payment breaker, its paused partitions), shared through Redis for the Pipeline panel.
export {
  PROCESSOR_STATE_INTERVAL_MS,
  PROCESSOR_STATE_TTL_MS,
  readProcessorStates,
  removeProcessorState,
  writeProcessorState,
  type PaymentBreakerState,
  type ProcessorState,
  type SharedPause,
} from './processor-state.ts';

// Trace context: the W3C `traceparent` an order carries end to end, and its Kafka header.
export { TRACEPARENT, continueTrace, formatTraceparent, parseTraceparent } from './trace/trace-context.ts';
export { headerText, traceHeaders, traceOfHeaders } from './trace/kafka-headers.ts';

// Tokens: signing and verifying the bearer tokens of the API and of the metrics' scrapers.
export {
  TokenError,
  bearerToken,
  signToken,
  signingKey,
  verifyToken,
  type TokenRequest,
  type Viewer,
} from './auth/tokens.ts';

// Metrics: the families the services register, and who may read `/metrics`.
export { counter, gauge, histogram, registerProcessMetrics, scrapedCounter, scrapedGauge } from './metrics/families.ts';
export { metricsAccess, serveMetrics } from './metrics-access.ts';
// Who a request comes from: the socket's peer, or behind a trusted proxy (TRUST_PROXY) the address it forwarded for.
export {
  TrustProxyModel,
  clientAddress,
  isLoopbackAddress,
  trustedProxies,
  type TrustedProxies,
} from './client-address.ts';

// The folder of the package a module belongs to, the same from its source and from a bundle.
export { packageRootOf } from './package-root.ts';
