/**
 * The server's wiring: its stores (MongoDB, Kafka, Redis), its order services
 * (the order index, the status feed, statistics, the outbox relay), GraphQL
 * over HTTP and SSE (Yoga) and over graphql-ws, and the HTTP routes beside it.
 * `createApp(config)` returns the running app with `stop()`. Nothing here
 * holds anything that grows with the orders.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, signToken, signingKey, type Logger, type TokenRequest } from '@orders/core';
import { createAuthenticator } from './auth/authentication.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import type { ServerConfig } from './config.ts';
import type { Services } from './context.ts';
import { attachGraphqlWs } from './http/graphql-ws.ts';
import { productionWarnings } from './http/exposure-config.ts';
import { allowedOrigin, originPolicy, refuseOversizedBody } from './http/guards.ts';
import { httpRoutes } from './http/routes.ts';
import { serveGraphiqlAsset } from './http/graphiql/assets.ts';
import { staticFiles } from './http/static-files.ts';
import { persistedDocumentsAtStart } from './http/trusted-documents.ts';
import { createGraphqlHandler, type GraphqlHandler, type GraphqlOptions } from './http/yoga.ts';
import type { IndexKeeper } from './orders/index-keeper.ts';
import type { OutboxRelay } from './orders/outbox-relay.ts';
import { countKafkaReconnects, countRedisReconnects } from './metrics/connections.ts';
import { useGraphqlMetrics } from './metrics/graphql.ts';
import { lastKnownLag } from './pipeline/group-reader.ts';
import { startMetricsListener, type MetricsListener } from './metrics/metrics-listener.ts';
import { metricsRoute } from './metrics/metrics-route.ts';
import { ServerMetrics } from './metrics/server-metrics.ts';
import { startServices, type RunningServices, type ServiceOptions } from './services.ts';
import { shutDownInOrder } from './shutdown.ts';
import { connectStores, type Stores } from './stores.ts';

export interface App {
  readonly url: string;
  /** Where /metrics is served when METRICS_PORT gives it a port of its own. */
  readonly metricsUrl?: string;
  readonly services: Services;
  readonly relay: OutboxRelay;
  /** Checks that the order index is there, and has it rebuilt when it is not. */
  readonly indexKeeper: IndexKeeper;
  /** Makes a token this server accepts (for tests and tools on the same secret). */
  signToken: (request: TokenRequest) => Promise<string>;
  stop(): Promise<void>;
}

export interface CreateAppOptions extends ServiceOptions {
  logger?: Logger;
}

export async function createApp(config: ServerConfig, options: CreateAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger('server', config.log.level);
  for (const warning of productionWarnings({ production: config.production, ...config.graphql }))
    logger.warn(`production with ${warning}`);
  const stores = await connectStores(config, logger);
  const running = await startServices(config, stores, logger, options);
  // The WebSocket server comes later; until it does, no socket is open.
  let openSockets = (): number => 0;
  const metrics = serverMetrics(stores, running, logger, () => openSockets());
  const services = { ...running.services, createOrder: metrics.timedCreateOrder(running.services.createOrder) };

  const key = signingKey({ secret: config.auth.secret, production: config.production });
  const authenticator = createAuthenticator(key);
  const createOrderLimiter = new RateLimiter(config.limits.createOrder.perSecond, config.limits.createOrder.burst);
  const originSettings = { allowed: config.auth.allowedOrigins, production: config.production };
  const yoga = graphqlHandler(config, logger, { key, services, authenticator, createOrderLimiter, metrics });
  const metricsHere = metricsRoute(metrics.registry, key, config.http.trustedProxies);
  const routes = httpRoutes({
    ready: () => stores.ping(),
    key,
    devTokens: config.auth.devTokens,
    trustedProxies: config.http.trustedProxies,
    metrics: config.http.metricsPort === undefined ? metricsHere : 'elsewhere',
  });
  const server = httpServer(config, yoga, routes);
  const ws = attachGraphqlWs(server, yoga as never, logger, {
    authenticator,
    originAllowed: originPolicy(originSettings),
    maxMessageBytes: config.limits.maxBodyBytes,
    maxSubscriptions: config.limits.wsMaxSubscriptions,
    maxBufferedBytes: config.limits.wsMaxBufferedBytes,
    metrics: {
      subscribed: (field) => metrics.subscriptions.inc({ field, transport: 'graphql-ws' }),
      completed: (field) => metrics.subscriptions.dec({ field, transport: 'graphql-ws' }),
      delivered: () => metrics.eventsDelivered.inc({ transport: 'graphql-ws' }),
      tooSlow: () => metrics.slowConsumersClosed.inc(),
    },
  });
  openSockets = () => ws.wss.clients.size;
  const url = await listen(server, config);
  const metricsListener = await metricsOnTheirOwnPort(config, metricsHere);
  logger.info('server listening', {
    graphql: `${url}/graphql`,
    dashboard: url,
    metrics: `${metricsListener?.url ?? url}/metrics`,
  });

  return {
    url,
    metricsUrl: metricsListener?.url,
    services,
    relay: running.relay,
    indexKeeper: running.indexKeeper,
    signToken: (request) => signToken(key, request),
    async stop() {
      logger.info('server stopping');
      await shutDownInOrder(logger, [
        ['closing the WebSocket clients', () => ws.close()],
        ['closing the HTTP server', () => closeServer(server)],
        ['closing the metrics listener', () => metricsListener?.close()],
        ...running.stopSteps,
        ['closing Redis', () => stores.events.close()],
        ['closing Kafka', () => Promise.all([stores.producer.disconnect(), stores.admin.disconnect()])],
        ['closing MongoDB', () => stores.connection.close()],
      ]);
      logger.info('server stopped');
    },
  };
}

/** GraphQL over HTTP and SSE, with the app's parts and the settings it is served with. */
function graphqlHandler(
  config: ServerConfig,
  logger: Logger,
  parts: Pick<GraphqlOptions, 'services' | 'authenticator' | 'createOrderLimiter'> & {
    key: Uint8Array;
    metrics: ServerMetrics;
  },
): GraphqlHandler {
  const { key, services, authenticator, createOrderLimiter, metrics } = parts;
  return createGraphqlHandler({
    production: config.production,
    graphiql: config.graphql.graphiql && {
      devTokens: config.auth.devTokens,
      key,
      trustedProxies: config.http.trustedProxies,
    },
    introspection: config.graphql.introspection,
    originAllowed: allowedOrigin({ allowed: config.auth.allowedOrigins, production: config.production }),
    services,
    authenticator,
    createOrderLimiter,
    logger,
    queryLimits: config.operations,
    trustedDocuments: {
      documents: persistedDocumentsAtStart(
        config.operations.persistedDocumentsFile,
        config.operations.persistedOnlyFor,
        logger,
      ),
      persistedOnlyFor: config.operations.persistedOnlyFor,
    },
    extraPlugins: useGraphqlMetrics(metrics),
  });
}

/** The server's metrics, reading its connections, the outbox's marks and the broker when scraped. */
function serverMetrics(
  stores: Stores,
  running: RunningServices,
  logger: Logger,
  connections: () => number,
): ServerMetrics {
  const metrics = new ServerMetrics();
  metrics.watch({
    connections,
    outboxBacklog: () => running.relay.backlog(),
    consumerLag: lastKnownLag(running.readGroup, logger),
  });
  countRedisReconnects(metrics, 'publisher', stores.events.redis);
  countRedisReconnects(metrics, 'subscriber', stores.events.pubsub.getSubscriber());
  countKafkaReconnects(metrics, 'producer', stores.producer);
  countKafkaReconnects(metrics, 'admin', stores.admin);
  return metrics;
}

/** One HTTP server: the size guard first, then the routes, the dashboard's files, and GraphQL. */
function httpServer(config: ServerConfig, yoga: GraphqlHandler, routes: ReturnType<typeof httpRoutes>): Server {
  const serveWeb = staticFiles(config.http.webDist);
  return createServer((req, res) => {
    if (refuseOversizedBody(req, res, config.limits.maxBodyBytes)) return;
    if (routes(req, res)) return;
    if (config.graphql.graphiql && serveGraphiqlAsset(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== yoga.graphqlEndpoint && serveWeb(req, res)) return;
    void yoga(req, res);
  });
}

/** The listener of METRICS_PORT, when it is set; on failure to listen, the main server is closed too. */
async function metricsOnTheirOwnPort(
  config: ServerConfig,
  route: Parameters<typeof startMetricsListener>[1],
): Promise<MetricsListener | undefined> {
  if (config.http.metricsPort === undefined) return undefined;
  return startMetricsListener({ port: config.http.metricsPort, host: config.http.host }, route);
}

async function listen(server: Server, config: ServerConfig): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://localhost:${port}`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
