/**
 * The server's wiring: MongoDB, Kafka and Redis, the GraphQL schema on Yoga
 * over HTTP, SSE and graphql-ws, health and readiness, the outbox relay and
 * the stats broadcaster. `createApp(config)` returns `{ start, stop }`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import {
  connectDatabase,
  createKafka,
  createProducer,
  createLogger,
  createModels,
  ensureTopics,
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
import { OutboxRelay } from './orders/outbox-relay.ts';
import { OrderReadModel } from './orders/read-model.ts';
import { createOrderPublisher } from './orders/publish-order.ts';
import { retryOrder } from './orders/retry-order.ts';
import { createOrderEvents, type OrderEvents } from './pubsub/order-events.ts';
import { schema } from './schema/index.ts';
import { StatsBroadcaster } from './stats/stats-broadcaster.ts';
import { attachGraphqlWs } from './http/graphql-ws.ts';
import { staticFiles } from './http/static-files.ts';

export interface App {
  readonly url: string;
  readonly services: Services;
  readonly relay: OutboxRelay;
  stop(): Promise<void>;
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
  const readModel = new OrderReadModel(models, logger);
  await readModel.start(events);
  const stats = new StatsBroadcaster(readModel, events, logger, config.stats.intervalMs);
  stats.start();
  const relay = new OutboxRelay(models, readModel, publisher, logger.child({ part: 'outbox-relay' }), config.outbox);
  relay.start();

  const services: Services = {
    models,
    readModel,
    events,
    stats,
    // The instance's own writes reach its read model at once, not only when their Redis message returns.
    createOrder: async (input) => {
      const order = await createOrder({ models, catalogue, insertOrder, publisher, events, logger }, input);
      readModel.apply(order);
      return order;
    },
    retryOrder: async (orderId) => {
      const order = await retryOrder({ models, publisher, producer, topics, events, logger }, orderId);
      readModel.apply(order);
      return order;
    },
  };

  const yoga = createYoga<object, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { subscriptionsProtocol: 'WS', title: 'Orders GraphQL API' },
    context: () => ({ ...services, loaders: createLoaders(models) }),
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
  const ws = attachGraphqlWs(server, yoga as never, logger);

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
    async stop() {
      logger.info('server stopping');
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await relay.stop();
      await stats.stop();
      await readModel.stop();
      await events.close();
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      await connection.close();
      logger.info('server stopped');
    },
  };
}
