/**
 * The server's wiring: MongoDB, Kafka and Redis, the order index in Redis, the
 * GraphQL schema on Yoga over HTTP, SSE and graphql-ws, health and readiness,
 * the outbox relay and the stats broadcaster. `createApp(config)` returns
 * `{ start, stop }`. Nothing here holds anything that grows with the orders.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import {
  connectDatabase,
  createKafka,
  createProducer,
  createLogger,
  createModels,
  ensureTopics,
  OrderCache,
  OrderIndex,
  topicsFor,
  type Logger,
} from '@orders/core';
import type { Connection } from 'mongoose';
import type { Producer } from 'kafkajs';
import type { ServerConfig } from './config.ts';
import { createLoaders, type Context, type Services } from './context.ts';
import { seedCatalogue } from './catalogue/seed.ts';
import { CatalogueCache } from './catalogue/catalogue-cache.ts';
import { createOrder, orderInserter } from './orders/create-order.ts';
import { IndexKeeper } from './orders/index-keeper.ts';
import { IndexWrites } from './orders/index-writes.ts';
import { orderFromDocument } from './orders/shape.ts';
import { OutboxRelay } from './orders/outbox-relay.ts';
import { StatusFeed } from './pubsub/status-feed.ts';
import { createOrderPublisher } from './orders/publish-order.ts';
import { retryOrder } from './orders/retry-order.ts';
import { createOrderEvents, type OrderEvents } from './pubsub/order-events.ts';
import { schema } from './schema/index.ts';
import { StatsBroadcaster } from './stats/stats-broadcaster.ts';
import { createAuthenticator, useRequireViewer } from './auth/authentication.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import { signToken, signingKey, type Viewer } from '@orders/core';
import { attachGraphqlWs } from './http/graphql-ws.ts';
import { isLoopback, originPolicy, refuseOversizedBody, sendJson } from './http/guards.ts';
import { staticFiles } from './http/static-files.ts';

/**
 * Query limits, tuned so that the dashboard's own operations pass with room to spare:
 * the deepest (an order's history with its order) is 5 levels, the largest far under these.
 */
const armor = new EnvelopArmor({
  maxDepth: { n: 8 },
  maxAliases: { n: 15 },
  maxDirectives: { n: 20 },
  maxTokens: { n: 2000 },
  costLimit: { maxCost: 5000 },
  blockFieldSuggestion: { enabled: true },
});

/** How long the operator token given to the dashboard on this machine lasts. */
const DEV_TOKEN_SECONDS = 12 * 60 * 60;

export interface App {
  readonly url: string;
  readonly services: Services;
  readonly relay: OutboxRelay;
  /** Checks that the order index is there, and has it rebuilt when it is not. */
  readonly indexKeeper: IndexKeeper;
  /** Makes a token this server accepts (for tests and tools on the same secret). */
  signToken: (request: Parameters<typeof signToken>[1]) => Promise<string>;
  stop(): Promise<void>;
}

/**
 * Test-only fault injection (FAULT_EXIT_AFTER_STORE=n): the process dies the way a crash would,
 * right after storing its n-th order and before producing it, so tests can prove the outbox relay.
 */
function crashAfterStoring(count: number, logger: Logger): (() => void) | undefined {
  if (count === 0) return undefined;
  let stored = 0;
  return () => {
    if (++stored < count) return;
    logger.warn('fault injection: exiting between storing an order and producing it', { stored });
    process.kill(process.pid, 'SIGKILL');
  };
}

export async function createApp(config: ServerConfig, options: { logger?: Logger } = {}): Promise<App> {
  const logger = options.logger ?? createLogger('server', config.log.level);
  const topics = topicsFor(config.kafka.topicPrefix);

  const connection: Connection = await connectDatabase(config.mongo.uri);
  const models = createModels(connection);
  await Promise.all(Object.values(models).map((model) => model.init()));
  const seeded = await seedCatalogue(models);
  logger.info('catalogue ready', seeded);

  const kafka = createKafka('order-server', config.kafka.brokers, logger);
  await ensureTopics(kafka, config.kafka.topicPrefix);
  const producer: Producer = createProducer(kafka);
  await producer.connect();

  const events: OrderEvents = createOrderEvents(config.redis.url, config.kafka.topicPrefix, logger);
  const publisher = createOrderPublisher(models, producer, topics);
  const catalogue = new CatalogueCache(models);
  const insertOrder = orderInserter(models);
  const afterStore = crashAfterStoring(config.faults.exitAfterStore, logger);
  const index = new OrderIndex(events.redis, { prefix: config.kafka.topicPrefix });
  const indexWrites = new IndexWrites(index, logger.child({ part: 'order-index' }));
  const indexKeeper = new IndexKeeper(models, index, logger.child({ part: 'order-index' }), config.index.checkMs);
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
  const relay = new OutboxRelay(
    models,
    indexWrites,
    publisher,
    events.channels.created,
    logger.child({ part: 'outbox-relay' }),
    config.outbox,
  );
  relay.start();

  const createdChannel = events.channels.created;
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
    createOrder: (input) =>
      createOrder(
        { models, catalogue, insertOrder, afterStore, publisher, indexWrites, createdChannel, logger },
        input,
      ),
    retryOrder: (orderId) => retryOrder({ models, publisher, indexWrites, logger }, orderId),
  };

  const key = signingKey({ secret: config.auth.secret, production: config.production });
  const authenticator = createAuthenticator(key);
  const createOrderLimiter = new RateLimiter(config.limits.createOrder.perSecond, config.limits.createOrder.burst);
  const plugins: Plugin[] = [
    useRequireViewer({ allowIntrospection: !config.production }) as Plugin,
    ...(armor.protect().plugins as Plugin[]),
    // Browsers send "simple" requests across sites without asking; GraphQL here needs a JSON body or this header.
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
  ];
  if (config.production) {
    plugins.push({ onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) });
  }

  const yoga = createYoga<object, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Subscriptions in GraphiQL go over SSE: its fetches carry the Headers tab (and the token), its WebSocket would not.
    graphiql: config.production
      ? false
      : {
          subscriptionsProtocol: 'SSE',
          title: 'Orders GraphQL API',
          headers: JSON.stringify({ Authorization: 'Bearer <a token from npm start or npm run token>' }, null, 2),
        },
    batching: false,
    plugins,
    // Over HTTP the viewer comes from the Authorization header; over graphql-ws it was settled when the socket opened.
    context: async (initial: { request?: Request; viewer?: Viewer | null }) => ({
      ...services,
      loaders: createLoaders(models),
      createOrderLimiter,
      viewer:
        initial.viewer !== undefined
          ? initial.viewer
          : await authenticator.viewerOf(initial.request?.headers.get('authorization') ?? undefined),
    }),
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      error: (...args) => logger.error(String(args[0]), { detail: args.slice(1).map(String) }),
    },
  });

  const admin = kafka.admin();
  await admin.connect();

  const serveWeb = staticFiles(config.http.webDist);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (refuseOversizedBody(req, res, config.limits.maxBodyBytes)) return;
    if (path === '/auth/dev-token') {
      // The dashboard's token on a developer's machine: never in production, never to another machine.
      if (!config.auth.devTokens || !isLoopback(req)) return void sendJson(res, 404, { error: 'not found' });
      void signToken(key, { role: 'operator', subject: 'dashboard', expiresInSeconds: DEV_TOKEN_SECONDS }).then(
        (token) => sendJson(res, 200, { token, expiresInSeconds: DEV_TOKEN_SECONDS }),
        () => sendJson(res, 500, { error: 'could not make a token' }),
      );
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (path === '/ready') {
      Promise.all([connection.db!.admin().ping(), events.ping(), admin.describeCluster()]).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ready' })),
        (error: unknown) =>
          res
            .writeHead(503, { 'content-type': 'application/json' })
            .end(
              JSON.stringify({ status: 'unavailable', reason: error instanceof Error ? error.message : String(error) }),
            ),
      );
      return;
    }
    if (path !== yoga.graphqlEndpoint && serveWeb(req, res)) return;
    void yoga(req, res);
  });
  const ws = attachGraphqlWs(server, yoga as never, logger, {
    authenticator,
    originAllowed: originPolicy({ allowed: config.auth.allowedOrigins, production: config.production }),
    maxMessageBytes: config.limits.maxBodyBytes,
    maxSubscriptions: config.limits.wsMaxSubscriptions,
    maxBufferedBytes: config.limits.wsMaxBufferedBytes,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, config.http.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  logger.info('server listening', { graphql: `${url}/graphql`, dashboard: url });

  return {
    url,
    services,
    relay,
    indexKeeper,
    signToken: (request) => signToken(key, request),
    async stop() {
      logger.info('server stopping');
      // Every step runs even if one before it failed; what failed is reported together at the end.
      const failed: { step: string; error: unknown }[] = [];
      const step = async (name: string, run: () => unknown) => {
        try {
          await run();
        } catch (error) {
          logger.warn('a shutdown step failed', { step: name, error });
          failed.push({ step: name, error });
        }
      };
      await step('closing the WebSocket clients', () => ws.close());
      await step('closing the HTTP server', () => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      });
      await step('stopping the outbox relay', () => relay.stop());
      await step('stopping the statistics', () => stats.stop());
      await step('stopping the order index checks', () => indexKeeper.stop());
      await step('stopping the held order index writes', () => indexWrites.stop());
      await step('stopping the status feed', () => statusFeed.stop());
      await step('closing Redis', () => events.close());
      await step('closing Kafka', () => Promise.all([producer.disconnect(), admin.disconnect()]));
      await step('closing MongoDB', () => connection.close());
      if (failed.length > 0) {
        throw new Error(
          `shutdown finished, but ${failed
            .map(
              ({ step: name, error }) => `${name} failed (${error instanceof Error ? error.message : String(error)})`,
            )
            .join('; ')}`,
        );
      }
      logger.info('server stopped');
    },
  };
}
