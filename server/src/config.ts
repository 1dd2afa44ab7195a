/** The server's configuration: one model per concern, parsed once at start. */
import { z } from 'zod';
import path from 'node:path';
import {
  ConfigError,
  INDEX_CHECK_MS,
  SharedServersModel,
  intFromEnv,
  packageRootOf,
  parseConfig,
  sharedServersConfig,
} from '@orders/core';
import { DevelopmentModel, EdgeModel, ModeModel, exposureConfig, exposureProblems } from './http/exposure-config.ts';

const ServerModel = z.object({
  PORT: intFromEnv(4000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  OUTBOX_INTERVAL_MS: intFromEnv(5000, 100, 3_600_000),
  OUTBOX_GRACE_MS: intFromEnv(10_000, 0, 3_600_000),
  STATS_INTERVAL_MS: intFromEnv(250, 50, 60_000),
  /** How often the server looks whether the order index is still there (Redis flushed under it). */
  INDEX_CHECK_MS: intFromEnv(INDEX_CHECK_MS, 1000, 3_600_000),
  WEB_DIST: z.string().optional(),
});

const AuthModel = z.object({
  /** Signs and checks the bearer tokens; without it (outside production) a development secret is made once. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

const LimitsModel = z.object({
  /** createOrder per subject (every token of one customer shares it): a burst, then this many a second. */
  CREATE_ORDER_RATE: intFromEnv(200, 1, 1_000_000),
  CREATE_ORDER_BURST: intFromEnv(400, 1, 1_000_000),
  /** The largest request body over HTTP and the largest WebSocket message, in bytes. */
  MAX_BODY_BYTES: intFromEnv(65_536, 1024, 10_485_760),
  WS_MAX_SUBSCRIPTIONS: intFromEnv(50, 1, 10_000),
  /** Unsent bytes a WebSocket may fall behind by before it is closed (1013): a client that stopped reading. */
  WS_MAX_BUFFERED_BYTES: intFromEnv(4_194_304, 1024, 1_073_741_824),
  /** The most status changes a subscription resuming from a cursor may have missed. */
  CATCH_UP_LIMIT: intFromEnv(10_000, 1, 1_000_000),
});

/** What one client's operation may ask, and which clients may only run the dashboard's own operations. */
const OperationsModel = z.object({
  /** The most ids one nodes(ids:) takes; each is counted by the cost limit too. */
  NODES_MAX_IDS: intFromEnv(100, 1, 1000),
  /**
   * Roles that may run persisted operations only (the dashboard's, by id), comma separated: none by
   * default, so that third-party clients keep arbitrary operations until the operator says otherwise.
   */
  PERSISTED_OPERATIONS_ONLY: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['operator', 'customer'], { message: 'roles are operator and customer' }))),
  /** The dashboard's persisted documents, as codegen writes them (web/src/gql/persisted-documents.json). */
  PERSISTED_DOCUMENTS_FILE: z
    .string()
    .min(1)
    .default(() => path.resolve(packageRootOf(import.meta.url), '../web/src/gql/persisted-documents.json')),
});

const Model = ServerModel.extend(SharedServersModel.shape)
  .extend(LimitsModel.shape)
  .extend(OperationsModel.shape)
  .extend(AuthModel.shape)
  .extend(ModeModel.shape)
  .extend(DevelopmentModel.shape)
  .extend(EdgeModel.shape);

export function loadConfig(env: Record<string, string | undefined>) {
  const raw = parseConfig(Model, env);
  const problems = exposureProblems(raw);
  if (problems.length > 0) throw new ConfigError(problems);
  const exposure = exposureConfig(raw);
  return {
    mode: exposure.mode,
    production: exposure.production,
    http: {
      port: raw.PORT,
      host: raw.HOST,
      webDist: raw.WEB_DIST,
      trustedProxies: exposure.trustedProxies,
      /** Undefined: /metrics is served on `port`. */
      metricsPort: exposure.metricsPort,
    },
    /** GraphiQL for browsers, and who may run introspection. */
    graphql: { graphiql: exposure.graphiql, introspection: exposure.introspection },
    ...sharedServersConfig(raw),
    outbox: { intervalMs: raw.OUTBOX_INTERVAL_MS, graceMs: raw.OUTBOX_GRACE_MS },
    stats: { intervalMs: raw.STATS_INTERVAL_MS },
    index: { checkMs: raw.INDEX_CHECK_MS },
    auth: {
      secret: raw.AUTH_SECRET,
      devTokens: exposure.devTokens,
      /** Undefined: the server's own origin (and the Vite dev server's, outside production). */
      allowedOrigins: exposure.allowedOrigins,
    },
    limits: {
      createOrder: { perSecond: raw.CREATE_ORDER_RATE, burst: raw.CREATE_ORDER_BURST },
      maxBodyBytes: raw.MAX_BODY_BYTES,
      wsMaxSubscriptions: raw.WS_MAX_SUBSCRIPTIONS,
      wsMaxBufferedBytes: raw.WS_MAX_BUFFERED_BYTES,
      catchUp: raw.CATCH_UP_LIMIT,
    },
    operations: {
      nodesMaxIds: raw.NODES_MAX_IDS,
      persistedOnlyFor: raw.PERSISTED_OPERATIONS_ONLY,
      persistedDocumentsFile: raw.PERSISTED_DOCUMENTS_FILE,
    },
  };
}

export type ServerConfig = ReturnType<typeof loadConfig>;
