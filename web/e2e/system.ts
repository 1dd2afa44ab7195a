/**
 * The whole system for the end-to-end tests: the real GraphQL server (serving
 * web/dist) and the real order processor as child processes, on the real
 * Kafka, MongoDB-wire and Redis servers, with a database and a name prefix of
 * their own (the test support's `startProcesses`). It builds nothing:
 * web/dist must exist. Every wait has a deadline.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import {
  freePort,
  graphqlAnswer,
  repoRoot,
  startPaymentService,
  startProcesses,
  type GraphQLResponse,
  type Running,
} from '../../test/support/index.ts';

const webDist = path.join(repoRoot, 'web/dist');

/** A third of the catalogue's first customers: their payments are always declined. */
const DECLINING_CUSTOMERS = Array.from({ length: 10 }, (_, i) => `cus_${String(3 * i + 1).padStart(4, '0')}`);

export interface System {
  readonly baseUrl: string;
  readonly db: Db;
  /** The system's NAME_PREFIX: its topics are `<prefix>orders.created` and so on. */
  readonly prefix: string;
  /** Sends an operation to the server over HTTP, as any client would. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
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
  // One port for every life of the server: the dashboard reconnects to the address it was opened at.
  const port = freePort();
  // Payments as the demo has them, slow enough to see an order PENDING, and some customers who are
  // always declined, so that orders end FAILED (a payment service of the system's own, not the shared one).
  const payments = await startPaymentService({
    PAYMENTS_LATENCY_P50_MS: '300',
    PAYMENTS_LATENCY_P99_MS: '500',
    PAYMENTS_DECLINING_CUSTOMERS: DECLINING_CUSTOMERS.join(','),
  });
  const system = startProcesses(
    'e2e',
    { WEB_DIST: webDist, LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    { keepOutput: true },
  );
  const baseUrl = `http://localhost:${port}`;
  const mongo = new MongoClient(system.mongoUri, { serverSelectionTimeoutMS: 10_000 });
  let server: Running | undefined;
  let processor: Running | undefined;

  const startServer = async () => {
    server = await system.startServer({ PORT: String(port) });
  };
  const startProcessor = () => {
    processor = system.startProcessor({ PAYMENTS_URL: payments.url });
  };
  const close = async () => {
    await mongo.close();
    await system.close();
    await payments.close();
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
    prefix: system.prefix,
    graphql: async <T>(query: string, variables: Record<string, unknown> = {}) =>
      graphqlAnswer<T>(`${baseUrl}/graphql`, query, variables, await operatorToken()),
    stopServer: async () => server?.stop(),
    startServer,
    stopProcessor: async () => processor?.stop(),
    startProcessor,
    logs: () => `server at ${baseUrl}\n${system.logs()}`,
    close,
  };
}

/** What the tests make orders of: every customer's id and every product's SKU. */
export interface Catalogue {
  customers: { id: string }[];
  products: { sku: string }[];
}

export async function catalogueOf(system: System): Promise<Catalogue> {
  const answer = await system.graphql<Catalogue>('{ customers { id } products { sku } }');
  if (!answer.data) throw new Error(`no catalogue: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

/** Closes each in turn (the browser before the system it shows), skipping what never opened. */
export async function closeInOrder(...opened: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  for (const each of opened) await each?.close();
}
