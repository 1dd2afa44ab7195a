/** The processor's configuration: one model per concern, parsed once at start. */
import { z } from 'zod';
import {
  ConfigError,
  CREATED_PARTITIONS,
  DEFAULT_LOG_LENGTH,
  SharedServersModel,
  TrustProxyModel,
  intFromEnv,
  trustedProxies,
  sharedServersConfig,
  parseConfig,
} from '@orders/core';

const ProcessingModel = z.object({
  /** Partitions of `orders.created` consumed at the same time. */
  PROCESSOR_CONCURRENCY: intFromEnv(CREATED_PARTITIONS, 1, CREATED_PARTITIONS),
  /** Payments of one partition in flight at once, asked ahead of their decisions (deciding/payment-window.ts). */
  PROCESSOR_MAX_IN_FLIGHT: intFromEnv(32, 1, 500),
  /**
   * The shortest time between two Kafka transactions of one busy partition: the events and offsets of
   * what was decided meanwhile go together, and each product's stock is written once per transaction.
   */
  PROCESSOR_COMMIT_INTERVAL_MS: intFromEnv(200, 0, 10_000),
  /** Status changes each partition's log keeps in Redis: the furthest back a subscription can resume. */
  STATUS_LOG_LENGTH: intFromEnv(DEFAULT_LOG_LENGTH, 100, 10_000_000),
});

const PaymentsModel = z.object({
  /**
   * The payment service's base URL (see docs/payments.md). Required in production; in development the
   * local stand-in that `npm run services -- up` starts.
   */
  PAYMENTS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The longest one authorization call may take before it counts as failed (and is tried again). */
  PAYMENTS_TIMEOUT_MS: intFromEnv(2000, 10, 60_000),
  /** Tries after the first of a call that got no answer (timeout, 5xx, connection refused or reset). */
  PAYMENTS_RETRIES: intFromEnv(2, 0, 10),
  /** Failed calls in a row that open the circuit breaker: calls then fail at once and partitions pause. */
  PAYMENTS_BREAKER_FAILURES: intFromEnv(5, 1, 1000),
  /** How long the breaker stays open before one trial call may go through. */
  PAYMENTS_BREAKER_HALF_OPEN_MS: intFromEnv(5000, 100, 600_000),
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

/** The payment service `npm run services -- up` starts: the default outside production. */
const DEVELOPMENT_PAYMENTS_URL = 'http://127.0.0.1:4010';

const Model = ProcessingModel.extend(PaymentsModel.shape)
  .extend(HttpModel.shape)
  .extend(TrustProxyModel.shape)
  .extend(SharedServersModel.shape);

/** Reads the environment; throws a ConfigError that lists every problem at once. */
export function loadConfig(env: Record<string, string | undefined>) {
  const raw = parseConfig(Model, env);
  if (raw.PAYMENTS_URL === undefined && raw.NODE_ENV === 'production') {
    // A processor must not charge production orders through whatever answers on a default address.
    throw new ConfigError([
      'PAYMENTS_URL: required in production: the payment service orders are charged through (NODE_ENV=development uses the local stand-in on 127.0.0.1:4010)',
    ]);
  }
  return {
    ...sharedServersConfig(raw),
    http: {
      port: raw.PROCESSOR_PORT,
      host: raw.PROCESSOR_HOST,
      /** The proxies whose X-Forwarded-For says whether a /metrics caller is on loopback. */
      trustedProxies: trustedProxies(raw.TRUST_PROXY),
    },
    auth: { secret: raw.AUTH_SECRET, production: raw.NODE_ENV === 'production' },
    payments: {
      url: raw.PAYMENTS_URL ?? DEVELOPMENT_PAYMENTS_URL,
      timeoutMs: raw.PAYMENTS_TIMEOUT_MS,
      retries: raw.PAYMENTS_RETRIES,
      breakerFailures: raw.PAYMENTS_BREAKER_FAILURES,
      breakerHalfOpenMs: raw.PAYMENTS_BREAKER_HALF_OPEN_MS,
    },
    processing: {
      concurrency: raw.PROCESSOR_CONCURRENCY,
      maxInFlight: raw.PROCESSOR_MAX_IN_FLIGHT,
      commitIntervalMs: raw.PROCESSOR_COMMIT_INTERVAL_MS,
      logLength: raw.STATUS_LOG_LENGTH,
    },
  };
}

export type ProcessorConfig = ReturnType<typeof loadConfig>;
