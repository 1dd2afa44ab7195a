/**
 * The whole system for the end-to-end tests: the real GraphQL server (serving
 * web/dist) and the real order processor as child processes, on the real
 * Kafka, MongoDB-wire and Redis servers, with a database and a topic prefix of
 * their own. It builds nothing: web/dist must exist. Every wait has a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { dropOrderIndex } from '@orders/core';
import { MongoClient, type Db } from 'mongodb';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webDist = path.join(repoRoot, 'web/dist');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

/** Polls `check` until it returns a value other than undefined/false, or fails with `what` at the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
}

/** A port nobody listens on now, in 4100–4999 so that it is easy to spot. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 4100 + Math.floor(Math.random() * 900);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 4100–4999');
}

interface Child {
  readonly process: ChildProcess;
  readonly log: string[];
}

/** Starts `entry` with tsx; its output goes to `log` (kept across restarts, so a failure shows both lives). */
function launch(name: string, entry: string, env: Record<string, string>, log: string[]): Child {
  const child = spawn(tsx, [entry], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping it also stops what tsx started.
    detached: true,
  });
  log.push(`[${name} starting]`);
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString().split('\n').filter(Boolean));
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => log.push(`[${name} exited: ${signal ?? code}]`));
  return { process: child, log };
}

async function stopChild(child: Child | undefined, timeoutMs = 15_000): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  const started = Date.now();
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  const group = -child.process.pid!;
  // SIGTERM to tsx alone, which relays it to the service: one signal, one clean stop. Sending it to the
  // whole group as well would deliver a second SIGTERM, and the service would die before it left its
  // Kafka consumer group (the next processor would then wait out the session timeout).
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
  child.log.push(`[stopped in ${Date.now() - started} ms]`);
}

export interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface System {
  readonly baseUrl: string;
  readonly db: Db;
  /** Sends an operation to the server over HTTP, as any client would. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  stopProcessor(): Promise<void>;
  startProcessor(): void;
  /** The last lines the server and the processor printed, for a failing test's message. */
  logs(): string;
  close(): Promise<void>;
}

export async function startSystem(): Promise<System> {
  if (!existsSync(path.join(webDist, 'index.html'))) {
    throw new Error('web/dist is missing: build the dashboard first (npm run build -w web)');
  }
  const processorEntry = path.join(repoRoot, 'processor/src/main.ts');
  if (!existsSync(processorEntry)) throw new Error('processor/src/main.ts is missing: the tests need the processor');

  const id = randomBytes(4).toString('hex');
  const port = await freePort();
  const mongoUri = `mongodb://127.0.0.1:27017/e2e_${id}`;
  const prefix = `e2e${id}.`;
  const env = {
    PORT: String(port),
    WEB_DIST: webDist,
    MONGODB_URI: mongoUri,
    NAME_PREFIX: prefix,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  const baseUrl = `http://localhost:${port}`;
  let server: Child | undefined;
  let processor: Child | undefined;
  const serverLog: string[] = [];
  const processorLog: string[] = [];
  const mongo = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 10_000 });
  const logs = () =>
    [`--- server (${baseUrl}) ---`, ...serverLog.slice(-40), '--- processor ---', ...processorLog.slice(-40)].join(
      '\n',
    );

  const startServer = async () => {
    server = launch('server', 'server/src/main.ts', env, serverLog);
    const started = server;
    await waitFor(
      `the server to be ready at ${baseUrl}/ready`,
      async () => {
        if (started.process.exitCode !== null) throw new Error(`the server exited:\n${logs()}`);
        const response = await fetch(`${baseUrl}/ready`).catch(() => null);
        return response?.ok === true;
      },
      60_000,
      250,
    ).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs()}`);
    });
  };

  const close = async () => {
    await Promise.all([stopChild(server), stopChild(processor)]);
    await mongo
      .db()
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
    await deleteTopics(prefix);
    await dropOrderIndex('redis://127.0.0.1:6379', prefix).catch(() => undefined);
  };

  const startProcessor = () => {
    processor = launch(
      'processor',
      'processor/src/main.ts',
      { ...env, PROCESSING_DELAY_MS: '300', PAYMENT_FAILURE_RATE: '0.3' },
      processorLog,
    );
  };

  try {
    await mongo.connect();
    await startServer();
    startProcessor();
  } catch (error) {
    await close();
    throw error;
  }

  // The tests act as the dashboard does: with the operator token the server hands to loopback callers.
  let token: Promise<string> | undefined;
  const operatorToken = () =>
    (token ??= fetch(`${baseUrl}/auth/dev-token`)
      .then((response) => response.json() as Promise<{ token: string }>)
      .then((body) => body.token));

  return {
    baseUrl,
    db: mongo.db(),
    async graphql<T>(query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${await operatorToken()}`,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(10_000),
      });
      return (await response.json()) as GraphQLAnswer<T>;
    },
    stopServer: () => stopChild(server),
    startServer,
    stopProcessor: () => stopChild(processor),
    startProcessor,
    logs,
    close,
  };
}

/** The run's topics are its own (by prefix): delete them so runs leave the broker as they found it. */
async function deleteTopics(prefix: string): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'web-e2e', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // Leftover topics cost a little disk; they never meet another run's, whose prefix differs.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
