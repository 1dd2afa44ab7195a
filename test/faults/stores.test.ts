/**
 * The stores' servers restarting under the system: Redis (subscriptions come
 * back by themselves) and the MongoDB-wire server (the processor retries
 * without committing, then carries on). Books checked after each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { graphqlRequest } from '../../bench/lib/graphql.ts';
import {
  checkBooks,
  createOrders,
  decisionsOn,
  restartStore,
  startCluster,
  stockNow,
  waitForFinal,
  type Cluster,
} from './cluster.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis restarting', () => {
  it('lets a client that stayed connected receive the changes made after it, and the lists catch up', async () => {
    cluster = await startCluster('fault_redis');
    const server = await cluster.startServer();
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();
    const { decided } = decisionsOn(cluster, () => [server]);
    await sleep(1000);
    const before = await createOrders(() => [server.url], 30, 60);
    await waitForFinal(cluster.models, 30);

    await restartStore('redis', 1000);
    await sleep(3000); // ioredis reconnects with a capped backoff and subscribes again

    const after = await createOrders(() => [server.url], 60, 60, 'after-restart');
    await waitForFinal(cluster.models, 90);
    const deadline = Date.now() + 20_000;
    while (!after.every((id) => decided.has(id)) && Date.now() < deadline) await sleep(200);
    expect(after.filter((id) => !decided.has(id))).toEqual([]);

    const books = await checkBooks(cluster, [...before, ...after], initial);
    expect(books.problems).toEqual([]);
    const { orders } = await graphqlRequest<{ orders: { totalCount: number } }>(
      `${server.url}/graphql`,
      '{ orders(status: [PROCESSED, FAILED]) { totalCount } }',
    );
    expect(orders.totalCount).toBe(90);
  });
});

describe('the MongoDB-wire server restarting', () => {
  it('holds the processor back without committing, then it carries on and nothing is lost', async () => {
    cluster = await startCluster('fault_database');
    const server = await cluster.startServer();
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();

    const creating = createOrders(() => [server.url], 300, 100);
    await sleep(1000);
    await restartStore('ferretdb', 2000);
    const ids = await creating;

    await waitForFinal(cluster.models, 300);
    const books = await checkBooks(cluster, ids, initial);
    expect(books.problems).toEqual([]);
    expect(books.orders).toBe(300);
  });
});

describe('the Kafka broker stopping for a while', () => {
  it('lets the producers and the consumer recover by themselves, and nothing is lost', async () => {
    cluster = await startCluster('fault_kafka');
    const server = await cluster.startServer();
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();

    const creating = createOrders(() => [server.url], 300, 60);
    await sleep(1500);
    await restartStore('kafka', 3000);
    const ids = await creating;

    // Orders stored while the broker was away reach it through the outbox relay.
    await waitForFinal(cluster.models, 300, 150_000);
    const books = await checkBooks(cluster, ids, initial);
    expect(books.problems).toEqual([]);
    expect(books.orders).toBe(300);
  });
});
