/**
 * The system as separate processes, for the fault tests: servers and
 * processors (the test support's `startProcesses`) on a database and topics of
 * their own, so that a test can kill -9 them, stop them with SIGTERM and start
 * them again. Every cluster a test starts is closed after that test (the
 * afterEach below). Also the books: what every fault test checks at the end.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, expect } from 'vitest';
import mongoose from 'mongoose';
import { Kafka, logLevel } from 'kafkajs';
import type { Redis } from 'ioredis';
import {
  ORDER_STATUSES,
  OrderIndex,
  createModels,
  createRedis,
  topicsFor,
  type Models,
  type OrderStatus,
  type OrderStatusChangedEvent,
} from '@orders/core';
import { keyPartitioner, statusNumber } from '@orders/core/testing';
import {
  BROKERS,
  REDIS,
  graphqlRequest,
  listenerPid,
  repoRoot,
  retrying,
  sleep,
  startPaymentService,
  startProcesses,
  wsClient,
  type ProcessSystem,
  type Running,
  type TestPaymentService,
} from '../support/index.ts';
import { isAlive, ownedPid } from '../../infra/services/processes.ts';
import { readMessages, readTopic } from '../../tools/replay.ts';

export interface Cluster extends Pick<ProcessSystem, 'servers' | 'processors' | 'startServer' | 'startProcessor'> {
  readonly prefix: string;
  readonly models: Models;
  readonly kafka: Kafka;
  /** The test's own connection to Redis, and the cluster's order index read through it. */
  readonly redis: Redis;
  readonly index: OrderIndex;
  /** Runs `cleanup` first when the cluster closes (clients of its servers, say). */
  onClose(cleanup: () => unknown): void;
  close(): Promise<void>;
}

const started = new Set<Cluster>();
afterEach(async () => {
  const closing = [...started];
  started.clear();
  await Promise.all(closing.map((cluster) => cluster.close()));
});

export async function startCluster(name: string): Promise<Cluster> {
  const system = startProcesses(name, {
    CREATE_ORDER_RATE: '100000',
    CREATE_ORDER_BURST: '100000',
    OUTBOX_INTERVAL_MS: '500',
    OUTBOX_GRACE_MS: '1000',
  });
  const { prefix } = system;
  const connection = await mongoose.createConnection(system.mongoUri).asPromise();
  const kafka = new Kafka({ clientId: `faults-${system.id}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
  const redis = createRedis(REDIS, { maxRetriesPerRequest: 2 });
  redis.on('error', () => {}); // a restarting Redis: reads are retried by `retrying`
  const cleanups: (() => unknown)[] = [];
  let closing: Promise<void> | undefined;
  const cluster: Cluster = {
    prefix,
    models: createModels(connection),
    kafka,
    redis,
    index: new OrderIndex(redis, { prefix }),
    servers: system.servers,
    processors: system.processors,
    startServer: (extra, entry) => system.startServer(extra, entry),
    startProcessor: (extra, entry) => system.startProcessor(extra, entry),
    onClose: (cleanup) => void cleanups.push(cleanup),
    close: () =>
      (closing ??= (async () => {
        started.delete(cluster);
        await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
        await connection.close();
        redis.disconnect();
        await system.close();
      })()),
  };
  started.add(cluster);
  return cluster;
}

/**
 * A payment service of the cluster's own, for latency, declines or an outage the shared one must not be
 * given; closed with the cluster. Its processors reach it with `PAYMENTS_URL: payments.url`.
 */
export async function paymentsFor(cluster: Cluster, env: Record<string, string> = {}): Promise<TestPaymentService> {
  const payments = await startPaymentService(env);
  cluster.onClose(() => payments.close());
  return payments;
}

const CREATE = 'mutation Fault($input: CreateOrderInput!) { createOrder(input: $input) { id } }';
/** Where most fault tests begin: a cluster with one server, and every product's stock before any order. */
export async function startWithServer(name: string) {
  const cluster = await startCluster(name);
  const server = await cluster.startServer();
  return { cluster, server, initial: await stockNow(cluster.models) };
}

/** Where most fault tests end: the orders `ids` all final, and the books hold for exactly `orders` orders. */
export async function expectBooksHold(
  cluster: Cluster,
  ids: string[],
  initial: Map<string, number>,
  { orders, finalWithinMs }: { orders: number; finalWithinMs?: number },
): Promise<Books> {
  await waitForFinal(cluster.models, orders, finalWithinMs);
  const books = await checkBooks(cluster, ids, initial);
  expect(books.problems).toEqual([]);
  expect(books.orders).toBe(orders);
  return books;
}

export const orderIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

/**
 * Creates `count` orders through `urls` in turn, at about `rate` a second, each
 * with an idempotency key so that one refused by a dying server is sent again
 * (to the next server) without making two. Resolves with the orders' ids.
 * `observed`, when given, gets each order's time from its first try to its answer, and each refusal
 * that was retried.
 */
export async function createOrders(
  urls: () => string[],
  count: number,
  rate: number,
  keyPrefix = 'fault',
  observed?: { latenciesMs: number[]; retriedErrors: string[] },
): Promise<string[]> {
  const ids: string[] = [];
  const started = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const input = {
      customerId: `cus_${String((i % 40) + 1).padStart(4, '0')}`,
      sku: `SKU-${String((i % 24) + 1).padStart(4, '0')}`,
      quantity: 1 + (i % 3),
      idempotencyKey: `${keyPrefix}-${i}`,
    };
    pending.push(
      (async () => {
        const began = Date.now();
        for (let attempt = 0; ; attempt++) {
          const targets = urls();
          const url = targets[(i + attempt) % targets.length];
          try {
            if (!url) throw new Error('no server is up');
            const { createOrder } = await graphqlRequest<{ createOrder: { id: string } }>(`${url}/graphql`, CREATE, {
              input,
            });
            ids.push(orderIdOf(createOrder.id));
            observed?.latenciesMs.push(Date.now() - began);
            return;
          } catch (error) {
            if (attempt >= 50) throw error;
            observed?.retriedErrors.push(error instanceof Error ? error.message : String(error));
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      })(),
    );
  }
  await Promise.all(pending);
  return ids;
}

/** Waits until every order in MongoDB is PROCESSED or FAILED (and there are at least `expected`). */
export async function waitForFinal(models: Models, expected: number, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const orders = await retrying('reading the orders', () => models.Order.find({}, { status: 1 }).lean());
    const pending = orders.filter((order) => order.status === 'PENDING').length;
    if (orders.length >= expected && pending === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`after ${timeoutMs} ms: ${orders.length}/${expected} orders stored, ${pending} still PENDING`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Waits until the processor has decided at least `count` orders: it is at work, so a fault that follows lands mid-load. */
export async function waitForDecided(models: Models, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const decided = { status: mongoose.trusted({ $in: ['PROCESSED', 'FAILED'] as OrderStatus[] }) };
  while ((await models.Order.countDocuments(decided)) < count) {
    if (Date.now() > deadline) throw new Error(`after ${timeoutMs} ms: fewer than ${count} orders decided`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every OrderStatusChanged event in the cluster's `orders.status`, read from the beginning. */
export async function statusEvents(cluster: Cluster): Promise<OrderStatusChangedEvent[]> {
  const values = await readTopic(cluster.kafka, topicsFor(cluster.prefix).status.name);
  return values.map((value) => JSON.parse(value) as OrderStatusChangedEvent);
}

/** The committed messages of a topic, from the beginning, as text: as replay reads the event log. */
export { readTopic };

export interface Books {
  orders: number;
  processed: number;
  failed: number;
  problems: string[];
  /** The orders whose decision events in orders.status are not one each. */
  wrongEvents: string[];
}

/** What the books count decision events by: an order at a version. */
const decisionKey = (orderId: string, version: number) => `${orderId}:${version}`;

/**
 * How many decision events each `<orderId>:<version>` has in `orders.status`, read committed. A
 * processor killed with a transaction open leaves it open until the broker aborts it (the transaction
 * timeout, 10 s, and the broker's check for timed-out transactions, up to 10 s more), and no committed
 * event after it can be read before: the log is read again while a decided order has no event, for
 * 45 s at most, so that what the test reports is what the log holds once that transaction is gone.
 */
async function decisionEvents(
  cluster: Cluster,
  orders: readonly { _id: string; version: number; status: string }[],
): Promise<Map<string, number>> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const decisions = new Map<string, number>();
    for (const event of await statusEvents(cluster)) {
      if (event.status === 'PENDING') continue;
      const key = decisionKey(event.orderId, event.version);
      decisions.set(key, (decisions.get(key) ?? 0) + 1);
    }
    const unread = orders.some(
      (order) => order.status !== 'PENDING' && !decisions.has(decisionKey(order._id, order.version)),
    );
    if (!unread || Date.now() > deadline) return decisions;
    await sleep(2000);
  }
}

/**
 * The orders whose decision events are not one each, a line per `orders.status` partition and count (a
 * fault loses or doubles a run of them, rarely one). Where events are missing, the line tells what that
 * partition's log holds: its last stable offset, and whether the missing events are there read
 * uncommitted (written in a transaction still open or aborted) or not written at all.
 */
async function eventProblems(
  cluster: Cluster,
  wrong: readonly { _id: string; version: number }[],
  decisions: ReadonlyMap<string, number>,
): Promise<string[]> {
  if (wrong.length === 0) return [];
  const topic = topicsFor(cluster.prefix).status.name;
  const admin = cluster.kafka.admin();
  await admin.connect();
  const stable = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  await admin.disconnect();
  const partitionOf = keyPartitioner(stable.size);
  const groups = new Map<string, { partition: number; count: number; keys: string[] }>();
  for (const order of wrong) {
    const key = decisionKey(order._id, order.version);
    const partition = partitionOf({ key: order._id });
    const count = decisions.get(key) ?? 0;
    const group = groups.get(`${partition}:${count}`) ?? { partition, count, keys: [] };
    group.keys.push(key);
    groups.set(`${partition}:${count}`, group);
  }
  const uncommitted = [...groups.values()].some((group) => group.count === 0)
    ? await readMessages(cluster.kafka, topic, { readUncommitted: true })
    : [];
  const written = new Set(
    uncommitted.map(({ value }) => {
      const event = JSON.parse(value) as OrderStatusChangedEvent;
      return decisionKey(event.orderId, event.version);
    }),
  );
  return [...groups.values()].map(({ partition, count, keys }) => {
    const examples = keys
      .slice(0, 3)
      .map((key) => `order ${key.replace(':', ' v')}`)
      .join(', ');
    const what = `orders.status partition ${partition}: ${keys.length} decided orders with ${count} decision events, not 1 (${examples}${keys.length > 3 ? ', …' : ''})`;
    if (count > 0) return what;
    const found = keys.filter((key) => written.has(key)).length;
    const read = uncommitted.filter((message) => message.partition === partition).length;
    return `${what}; the partition is stable to offset ${stable.get(partition)}; read uncommitted, it holds ${read} messages, ${found} of the missing events among them`;
  });
}

/**
 * The books: every order created is stored and final, has exactly one
 * decision event in `orders.status` per version decided, and the stock of
 * every product is its seeded stock less what its PROCESSED orders reserved,
 * never below zero.
 */
export async function checkBooks(cluster: Cluster, createdIds: string[], initialStock: Map<string, number>) {
  const problems: string[] = [];
  const orders = await retrying('reading the orders', () => cluster.models.Order.find().lean());
  const byId = new Map(orders.map((order) => [order._id, order]));
  for (const id of createdIds) {
    const order = byId.get(id);
    if (!order) problems.push(`order ${id} was created but is not stored`);
    else if (order.status === 'PENDING') problems.push(`order ${id} is still PENDING`);
  }
  const decisions = await decisionEvents(cluster, orders);
  const wrong = orders.filter((order) => (decisions.get(decisionKey(order._id, order.version)) ?? 0) !== 1);
  problems.push(...(await eventProblems(cluster, wrong, decisions)));
  const reserved = new Map<string, number>();
  for (const order of orders) {
    if (order.status === 'PROCESSED') reserved.set(order.sku, (reserved.get(order.sku) ?? 0) + order.quantity);
  }
  for (const product of await retrying('reading the products', () => cluster.models.Product.find().lean())) {
    const expected = (initialStock.get(product._id) ?? 0) - (reserved.get(product._id) ?? 0);
    if (product.stock !== expected) problems.push(`${product._id}: stock ${product.stock}, expected ${expected}`);
    if (product.stock < 0) problems.push(`${product._id}: stock below zero (${product.stock})`);
  }
  problems.push(...(await indexAgrees(cluster, orders)));
  return {
    orders: orders.length,
    processed: orders.filter((order) => order.status === 'PROCESSED').length,
    failed: orders.filter((order) => order.status === 'FAILED').length,
    problems,
    wrongEvents: wrong.map((order) => order._id),
  } satisfies Books;
}

type StoredOrder = Pick<
  Awaited<ReturnType<Models['Order']['find']>>[number],
  '_id' | 'status' | 'version' | 'customerId'
>;

/**
 * What the order index and MongoDB disagree on, order by order: each order listed under its status (in
 * the status's list and its customer's), at its version, and nothing listed that MongoDB does not hold
 * so. The index is written just after MongoDB, so it is read again for a while before a difference
 * counts (a processor held back by a restarting Redis catches up by itself).
 */
export async function indexAgrees(cluster: Cluster, orders: readonly StoredOrder[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problems = await retrying('reading the order index', () => indexDifferences(cluster, orders));
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(500);
  }
}

async function indexDifferences(cluster: Cluster, orders: readonly StoredOrder[]): Promise<string[]> {
  const { keys } = cluster.index;
  const problems: string[] = [];
  const held = await cluster.redis.hgetall(keys.orders);
  const listed = new Map<OrderStatus, Set<string>>();
  for (const status of ORDER_STATUSES) {
    const members = await cluster.redis.zrange(keys.status(status), 0, -1);
    listed.set(status, new Set(members.map((member) => member.slice(13))));
  }
  const byCustomer = new Map<string, Set<string>>();
  for (const order of orders) {
    const want = `${order.version}:${statusNumber(order.status)}`;
    if (held[order._id] !== want) {
      problems.push(`index holds order ${order._id} as ${held[order._id] ?? 'nothing'}, MongoDB as ${want}`);
    }
    for (const status of ORDER_STATUSES) {
      if (listed.get(status)!.has(order._id) !== (status === order.status)) {
        problems.push(
          `order ${order._id} (${order.status}) is ${status === order.status ? 'not ' : ''}listed ${status}`,
        );
      }
    }
    const customerKey = keys.customer(order.customerId, order.status);
    let customerList = byCustomer.get(customerKey);
    if (customerList === undefined) {
      const members = await cluster.redis.zrange(customerKey, 0, -1);
      byCustomer.set(customerKey, (customerList = new Set(members.map((member) => member.slice(13)))));
    }
    if (!customerList.has(order._id)) problems.push(`order ${order._id} is not in its customer's ${order.status} list`);
  }
  const stored = new Set(orders.map((order) => order._id));
  for (const [status, ids] of listed) {
    for (const id of ids) if (!stored.has(id)) problems.push(`index lists ${status} order ${id}, which MongoDB lacks`);
  }
  return problems;
}

/** The products' stock as seeded, read once the first server has seeded the catalogue. */
export async function stockNow(models: Models): Promise<Map<string, number>> {
  const products = await retrying('reading the stock', () => models.Product.find({}, { stock: 1 }).lean());
  return new Map(products.map((product) => [product._id, product.stock]));
}

const STORE_PORTS = { redis: 6379, ferretdb: 27017, kafka: 9092 } as const;

/**
 * Stops one of the stores' servers, waits `downMs`, and starts it again with
 * the services command. Only a server this checkout started (its pid in
 * `.data/run`) is touched: another checkout's would come back on other data.
 */
export async function restartStore(name: keyof typeof STORE_PORTS, downMs: number): Promise<void> {
  const pid = ownedPid(name);
  if (pid === undefined || listenerPid(STORE_PORTS[name]) !== pid) {
    throw new Error(
      `${name} was not started by this checkout's services command: stop it and run \`npm run services -- up\` here first`,
    );
  }
  process.kill(pid, 'SIGTERM');
  // Gone means exited, not only no longer listening: FerretDB closes its listener first and holds its
  // SQLite file while it closes the clients' connections, and a new one started meanwhile finds the
  // file locked (SQLITE_BUSY) and exits.
  const stoppedBy = Date.now() + 30_000;
  while ((listenerPid(STORE_PORTS[name]) !== undefined || isAlive(pid)) && Date.now() < stoppedBy) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
  await sleep(downMs);
  const up = spawnSync(process.execPath, ['--import', 'tsx', 'infra/services/cli.ts', 'up'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (up.status !== 0) throw new Error(`could not start ${name} again:\n${up.stdout}${up.stderr}`);
}

const DECISIONS = 'subscription { orderStatusChanged(status: [PROCESSED, FAILED]) { status order { id } } }';

/** A graphql-ws client that connects to the first server of `servers()` still up, and collects decided order ids. */
export function decisionsOn(cluster: Cluster, servers: () => Running[]) {
  const decided = new Set<string>();
  const closes: number[] = [];
  const errors: unknown[] = [];
  const client = wsClient(() => `${servers()[0]!.url}/graphql`, {
    retryAttempts: 20,
    retryWait: async () => void (await sleep(200)),
    shouldRetry: () => true,
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  cluster.onClose(() => client.dispose());
  client.subscribe<{ orderStatusChanged: { order: { id: string } } }>(
    { query: DECISIONS },
    {
      next: ({ data, errors: refused }) => {
        if (refused) errors.push(...refused);
        if (data) decided.add(orderIdOf(data.orderStatusChanged.order.id));
      },
      // The client has given up (its retries spent, or the server refused the subscription): said by the test.
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return { decided, closes, errors };
}

const CHANGES = `subscription($after: String) {
  orderStatusChanged(after: $after) { cursor version status order { id } }
}`;

export interface SeenChange {
  orderId: string;
  version: number;
  status: string;
  cursor: string;
}

/**
 * A graphql-ws client of one server that collects every status change, from `after` (a cursor) when
 * given. It does not reconnect by itself: the tests say when a client comes back, and with what.
 */
export function changesOn(cluster: Cluster, server: Running, after?: string) {
  const received: SeenChange[] = [];
  const errors: unknown[] = [];
  const client = wsClient(`${server.url}/graphql`, { retryAttempts: 0 });
  cluster.onClose(() => client.dispose());
  client.subscribe<{ orderStatusChanged: { cursor: string; version: number; status: string; order: { id: string } } }>(
    { query: CHANGES, variables: after === undefined ? {} : { after } },
    {
      next: ({ data, errors: failed }) => {
        if (failed) errors.push(...failed);
        if (!data) return;
        const { cursor, version, status, order } = data.orderStatusChanged;
        received.push({ orderId: orderIdOf(order.id), version, status, cursor });
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return { received, errors, stop: () => client.dispose() };
}

/** `orderId@version` for each change: what must appear once and only once across a client's subscriptions. */
export const changeKeys = (changes: readonly SeenChange[]) =>
  changes.map((change) => `${change.orderId}@${change.version}`);
