/** The processor's configuration: one model per concern, parsed once at start. */
import { z } from 'zod';
import {
  CREATED_PARTITIONS,
  DEFAULT_LOG_LENGTH,
  KafkaModel,
  LogModel,
  MongoModel,
  RedisModel,
  intFromEnv,
  parseConfig,
  rateFromEnv,
} from '@orders/core';

const ProcessingModel = z.object({
  /** How long deciding one order takes, to make the flow visible on the dashboard. */
  PROCESSING_DELAY_MS: intFromEnv(250, 0, 60_000),
  /** Share of orders whose simulated payment is declined. */
  PAYMENT_FAILURE_RATE: rateFromEnv(0.1),
  /** Tries of one message before its order is FAILED instead of retried again. */
  PROCESSOR_MAX_ATTEMPTS: intFromEnv(8, 1, 100),
  /** Partitions of `orders.created` consumed at the same time. */
  PROCESSOR_CONCURRENCY: intFromEnv(CREATED_PARTITIONS, 1, CREATED_PARTITIONS),
  /**
   * The shortest time between two Kafka transactions of one busy partition: the events and offsets of
   * what was decided meanwhile go together, and each product's stock is written once per transaction.
   */
  PROCESSOR_COMMIT_INTERVAL_MS: intFromEnv(200, 0, 10_000),
  /** Status changes each partition's log keeps in Redis: the furthest back a subscription can resume. */
  STATUS_LOG_LENGTH: intFromEnv(DEFAULT_LOG_LENGTH, 100, 10_000_000),
});

const Model = ProcessingModel.extend(MongoModel.shape)
  .extend(KafkaModel.shape)
  .extend(RedisModel.shape)
  .extend(LogModel.shape);

/** Reads the environment; throws a ConfigError that lists every problem at once. */
export function loadConfig(env: Record<string, string | undefined>) {
  const raw = parseConfig(Model, env);
  return {
    mongo: { uri: raw.MONGODB_URI },
    kafka: { brokers: raw.KAFKA_BROKERS, topicPrefix: raw.NAME_PREFIX },
    redis: { url: raw.REDIS_URL },
    log: { level: raw.LOG_LEVEL },
    processing: {
      delayMs: raw.PROCESSING_DELAY_MS,
      paymentFailureRate: raw.PAYMENT_FAILURE_RATE,
      maxAttempts: raw.PROCESSOR_MAX_ATTEMPTS,
      concurrency: raw.PROCESSOR_CONCURRENCY,
      commitIntervalMs: raw.PROCESSOR_COMMIT_INTERVAL_MS,
      logLength: raw.STATUS_LOG_LENGTH,
    },
  };
}

export type ProcessorConfig = ReturnType<typeof loadConfig>;
