/**
 * The real server (and a processor) in this process, on a free port and a
 * system of its own on the shared servers, so that test files never see each
 * other. Loaded through the packages' public entries (@orders/server,
 * @orders/processor) only when a test starts one.
 */
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import type { Client } from 'graphql-ws';
import { createLogger, createModels, type Models } from '@orders/core';
import type { App, ServerConfig } from '@orders/server';
import type { Processor, ProcessorOptions } from '@orders/processor';
import { graphqlAnswer, wsClient, type GraphQLResponse } from './graphql.ts';
import { BROKERS, PAYMENTS_URL, dropSystem, systemEnv } from './system.ts';

export interface TestServer {
  app: App;
  config: ServerConfig;
  /** The environment the server was started with: pass it as `env` to start another instance of the same system. */
  env: Record<string, string>;
  models: Models;
  kafka: Kafka;
  /** An operation over HTTP, as an operator unless another token (or null: none) is given. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client, as an operator unless another token (or null: none) is given. */
  wsClient(token?: string | null): Client;
  /** A token for a customer, or for an operator. */
  token(role: 'operator'): Promise<string>;
  token(role: 'customer', customerId: string, expiresInSeconds?: number): Promise<string>;
  /** How many messages a topic holds, over all partitions. */
  messageCount(topic: string): Promise<number>;
  close(): Promise<void>;
}

/** What a test server runs with unless told otherwise: quiet, and the outbox relay out of the way. */
export function testEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return systemEnv(name, {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    OUTBOX_INTERVAL_MS: '3600000',
    ...extra,
  }).env;
}

export interface TestServerOptions {
  /**
   * Another instance of a running test system: this environment as it is (its database, prefix and
   * index), instead of a new one. Its `close()` stops this instance only and leaves the system's data
   * to the server that made it.
   */
  env?: Record<string, string>;
  /** Also run a processor in this process on the server's system (see `startTestProcessor`), stopped first on close. */
  withProcessor?: boolean;
}

export async function startTestServer(
  name: string,
  extra: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const { createApp, loadConfig } = await import('@orders/server');
  const env = options.env === undefined ? testEnv(name, extra) : { ...options.env, ...extra };
  const owner = options.env === undefined;
  const config = loadConfig(env);
  const app = await createApp(config, { logger: createLogger('server-test', 'warn') });
  const connection = await mongoose.createConnection(config.mongo.uri).asPromise();
  const kafka = new Kafka({ clientId: 'server-test', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const clients: Client[] = [];
  const operatorToken = await app.signToken({ role: 'operator', subject: 'test', expiresInSeconds: 3600 });
  const graphqlUrl = `${app.url}/graphql`;

  const server: TestServer = {
    app,
    config,
    env,
    models: createModels(connection),
    kafka,
    graphql: (query, variables, token) => graphqlAnswer(graphqlUrl, query, variables, orOperator(token)),
    wsClient(token) {
      const client = wsClient(graphqlUrl, { token: orOperator(token) });
      clients.push(client);
      return client;
    },
    token: ((role: 'operator' | 'customer', customerId?: string, expiresInSeconds?: number) =>
      app.signToken({ role, customerId, expiresInSeconds: expiresInSeconds ?? 3600 })) as TestServer['token'],
    async messageCount(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    },
    async close() {
      await Promise.allSettled(clients.map((client) => client.dispose()));
      await processor?.stop();
      await app.stop();
      await admin.disconnect();
      await connection.close();
      if (owner) await dropSystem({ mongoUri: config.mongo.uri, prefix: config.namePrefix });
    },
  };
  const processor = options.withProcessor ? await startTestProcessor(server) : undefined;
  return server;

  /** This server's operator token when none is named; null (no token at all) stays null. */
  function orOperator(token: string | null | undefined): string | null {
    return token === undefined ? operatorToken : token;
  }
}

/**
 * A processor in this process on `server`'s system, deciding at once; stop it before the server closes.
 * Quiet unless given a logger of its own (to read its lines, say); counting in metrics of its own unless given some.
 */
export async function startTestProcessor(
  server: TestServer,
  extra: Record<string, string> = {},
  options: Pick<ProcessorOptions, 'logger' | 'metrics'> = {},
): Promise<Processor> {
  const { createProcessor, loadConfig } = await import('@orders/processor');
  const processor = createProcessor(
    loadConfig({
      MONGODB_URI: server.config.mongo.uri,
      NAME_PREFIX: server.config.namePrefix,
      KAFKA_BROKERS: BROKERS.join(','),
      // Production names its payment service.
      PAYMENTS_URL,
      LOG_LEVEL: 'warn',
      ...extra,
    }),
    { logger: options.logger ?? createLogger('processor-test', 'warn'), metrics: options.metrics },
  );
  await processor.start();
  return processor;
}
