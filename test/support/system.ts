/**
 * A system of its own on the shared servers: a database and a name prefix
 * (topics, consumer groups, Redis channels and index keys) that no other test
 * run meets, dropped again at the end; and that system run as processes
 * (servers and processors started, stopped, killed and started again).
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { redisConfigFrom } from '@orders/core';
import { dropOpenDeadLetters, dropOrderIndex } from '@orders/core/testing';
import { freePort, launch, waitReady, type Running } from './processes.ts';
import { retrying } from './wait.ts';

export const MONGO_BASE = 'mongodb://127.0.0.1:27017';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Where the tests' own Redis clients connect: REDIS_URL, or the Sentinels of REDIS_SENTINELS (the HA suite). */
export const REDIS = redisConfigFrom(process.env);
export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
/** The shared payment service `npm run services -- up` starts. */
export const PAYMENTS_URL = process.env.PAYMENTS_URL ?? 'http://127.0.0.1:4010';

export interface SystemEnv {
  /** `<name>_<random>`: the database's name, and the prefix without its dot. */
  readonly id: string;
  readonly prefix: string;
  readonly mongoUri: string;
  /** The settings a server or processor of this system starts with, `extra` included. */
  readonly env: Record<string, string>;
}

export function systemEnv(name: string, extra: Record<string, string> = {}): SystemEnv {
  const id = `${name}_${randomBytes(4).toString('hex')}`;
  const prefix = `${id}.`;
  const mongoUri = `${MONGO_BASE}/${id}`;
  // Development mode by name (an unset NODE_ENV is production): the tests use its dev tokens and introspection.
  const env = { NODE_ENV: 'development', MONGODB_URI: mongoUri, NAME_PREFIX: prefix, ...extra };
  return { id, prefix, mongoUri, env };
}

/**
 * Drops what a system left on the shared servers: its topics and consumer groups (by prefix), its
 * database, its order index and its open dead letters (Redis keeps them on disk: a test's keys go with
 * the test).
 * Retried for a while, as a store that just restarted fails the first tries.
 */
export async function dropSystem(system: { mongoUri: string; prefix: string }): Promise<void> {
  await dropKafkaNames(system.prefix);
  await retrying('dropping the test database', async () => {
    const connection = await mongoose
      .createConnection(system.mongoUri, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    try {
      await connection.dropDatabase();
    } finally {
      await connection.close();
    }
  });
  await retrying('dropping the test index', () => dropOrderIndex(REDIS, system.prefix));
  await retrying('dropping the test dead letters', () => dropOpenDeadLetters(REDIS, system.prefix));
}

async function dropKafkaNames(prefix: string): Promise<void> {
  const kafka = new Kafka({ clientId: `drop-${prefix}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const ours = groups.map((group) => group.groupId).filter((id) => id.startsWith(prefix));
    if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // Leftover topics cost a little disk; they never meet another run's, whose prefix differs.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface ProcessSystem extends SystemEnv {
  readonly servers: Running[];
  readonly processors: Running[];
  /**
   * Starts one more server, waiting until it is ready: on a port of its own unless `extra.PORT`
   * says which, from `entry` (the server's main by default).
   */
  startServer(extra?: Record<string, string>, entry?: string): Promise<Running>;
  /** Starts one more processor, from `entry` (the processor's main by default). */
  startProcessor(extra?: Record<string, string>, entry?: string): Running;
  /** The last lines the servers and processors printed, when the system keeps them (`keepOutput`). */
  logs(): string;
  /** Stops every process (SIGTERM, then SIGKILL) and drops the system's data. */
  close(): Promise<void>;
}

export interface ProcessSystemOptions {
  /** Keep what the processes print, for `logs()`, rather than drop it. */
  keepOutput?: boolean;
}

/** The system as processes (`node --import tsx`), each of which a test may kill, stop and start again. */
export function startProcesses(
  name: string,
  extra: Record<string, string> = {},
  options: ProcessSystemOptions = {},
): ProcessSystem {
  const system = systemEnv(name, extra);
  const serverOutput: string[] | undefined = options.keepOutput ? [] : undefined;
  const processorOutput: string[] | undefined = options.keepOutput ? [] : undefined;
  const servers: Running[] = [];
  const processors: Running[] = [];
  return {
    ...system,
    servers,
    processors,
    async startServer(more = {}, entry = 'server/src/main.ts') {
      const port = Number(more.PORT ?? freePort());
      const server = launch(entry, { ...system.env, ...more, PORT: String(port) }, port, [], serverOutput);
      servers.push(server);
      await waitReady(`${server.url}/ready`, 60_000, server, serverOutput);
      return server;
    },
    startProcessor(more = {}, entry = 'processor/src/main.ts') {
      // Its HTTP listener on a port of its own: a test runs several processors side by side.
      const env = { PROCESSOR_PORT: '0', ...system.env, ...more };
      const processor = launch(entry, env, undefined, [], processorOutput);
      processors.push(processor);
      return processor;
    },
    logs: () =>
      [
        '--- servers ---',
        ...(serverOutput ?? []).slice(-40),
        '--- processors ---',
        ...(processorOutput ?? []).slice(-40),
      ].join('\n'),
    async close() {
      await Promise.all([...servers, ...processors].map((running) => running.stop()));
      await dropSystem(system);
    },
  };
}
