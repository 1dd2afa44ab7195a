/** The processor's configuration: one model per concern, parsed once at start. */
import { z } from 'zod';
import {
  CREATED_PARTITIONS,
  DEFAULT_LOG_LENGTH,
  SharedServersModel,
  TrustProxyModel,
  intFromEnv,
  trustedProxies,
  sharedServersConfig,
  parseConfig,
  rateFromEnv,
} from '@orders/core';

const ProcessingModel = z.object({
  /** A simulated wait in deciding each order (the demo's, to make the flow visible); none unless set. */
  PROCESSING_DELAY_MS: intFromEnv(0, 0, 60_000),
  /** Share of orders whose simulated payment is declined at random; none unless set. */
  PAYMENT_FAILURE_RATE: rateFromEnv(0),
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

const HttpModel = z.object({
  /** The processor's own HTTP listener: /health, /ready and /metrics. */
  PROCESSOR_PORT: intFromEnv(4001, 0, 65535),
  PROCESSOR_HOST: z.string().default('0.0.0.0'),
  /** Unset is production, as for the server: without AUTH_SECRET, /metrics then answers loopback callers only. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  /** Checks the operator tokens that may read /metrics from another machine (the server's secret). */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

const Model = ProcessingModel.extend(HttpModel.shape).extend(TrustProxyModel.shape).extend(SharedServersModel.shape);

/** Reads the environment; throws a ConfigError that lists every problem at once. */
export function loadConfig(env: Record<string, string | undefined>) {
  const raw = parseConfig(Model, env);
  return {
    ...sharedServersConfig(raw),
    http: {
      port: raw.PROCESSOR_PORT,
      host: raw.PROCESSOR_HOST,
      /** The proxies whose X-Forwarded-For says whether a /metrics caller is on loopback. */
      trustedProxies: trustedProxies(raw.TRUST_PROXY),
    },
    auth: { secret: raw.AUTH_SECRET, production: raw.NODE_ENV === 'production' },
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
