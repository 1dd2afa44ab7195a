/**
 * Starts the real server in-process on a free port, on the real services, with
 * its own database and topic prefix so that test files never see each other.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger, createModels, dropOrderIndex, topicsFor, type Models } from '@orders/core';
import { createApp, type App } from '../src/app.ts';
import { loadConfig, type ServerConfig } from '../src/config.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

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

export function testEnv(name: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = `${name}_${randomBytes(4).toString('hex')}`;
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    MONGODB_URI: `mongodb://127.0.0.1:27017/${id}`,
    NAME_PREFIX: `${id}.`,
    LOG_LEVEL: 'warn',
    OUTBOX_INTERVAL_MS: '3600000',
    ...extra,
  };
}

export interface TestServerOptions {
  /**
   * Another instance of a running test system: this environment as it is (its database, prefix and
   * index), instead of a new one. Its `close()` stops this instance only and leaves the system's data
   * to the server that made it.
   */
  env?: Record<string, string>;
}

export async function startTestServer(
  name: string,
  extra: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const env = options.env === undefined ? testEnv(name, extra) : { ...options.env, ...extra };
  const owner = options.env === undefined;
  const config = loadConfig(env);
  const app = await createApp(config, { logger: createLogger('server-test', 'warn') });
  const connection = await mongoose.createConnection(config.mongo.uri).asPromise();
  const models = createModels(connection);
  const kafka = new Kafka({ clientId: 'server-test', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const clients: Client[] = [];
  const operatorToken = await app.signToken({ role: 'operator', subject: 'test', expiresInSeconds: 3600 });
  const bearer = (token: string | null | undefined): Record<string, string> =>
    token === null ? {} : { authorization: `Bearer ${token ?? operatorToken}` };

  return {
    app,
    config,
    env,
    models,
    kafka,
    async graphql(query, variables, token) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...bearer(token),
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
    wsClient(token) {
      const client = createClient({
        url: `${app.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        lazy: false,
        connectionParams: bearer(token),
        // A refused connection shows in the subscriptions' errors and the `closed` event the test watches.
        onNonLazyError: () => {},
      });
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
      await app.stop();
      if (!owner) {
        await admin.disconnect();
        await connection.close();
        return;
      }
      const topics = topicsFor(config.namePrefix);
      await admin
        .deleteTopics({ topics: [topics.created.name, topics.status.name, topics.deadLetters.name] })
        .catch(() => {});
      await admin.disconnect();
      await connection.dropDatabase();
      await connection.close();
      await dropOrderIndex(config.redis.url, config.namePrefix);
    },
  };
}

/** Collects what a graphql-ws subscription delivers until the test stops it. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: T[] = [];
  const errors: unknown[] = [];
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.data) received.push(value.data as T);
        if (value.errors) errors.push(...value.errors);
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return { received, errors, unsubscribe };
}

export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
