/**
 * The stores' servers restarting under the system: Redis (subscriptions come
 * back by themselves) and the MongoDB-wire server (the processor retries
 * without committing, then carries on). Books checked after each.
 */
import { describe, expect, it } from 'vitest';
import { graphqlRequest, sleep, waitFor } from '../support/index.ts';
import {
  changeKeys,
  changesOn,
  checkBooks,
  createOrders,
  restartStore,
  startCluster,
  stockNow,
  waitForDecided,
  waitForFinal,
  type Cluster,
} from './cluster.ts';

// Closed after each test by ./cluster.ts.
let cluster: Cluster | undefined;

describe('Redis restarting', () => {
  it('keeps a connected client receiving, without a gap, and resumes a client that comes back with its cursor', async () => {
    cluster = await startCluster('fault_redis');
    const server = await cluster.startServer();
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();
    const stayed = changesOn(cluster, server);
    const leaver = changesOn(cluster, server);
    await sleep(1000);
    const before = await createOrders(() => [server.url], 30, 60);
    await waitForFinal(cluster.models, 30);
    await waitFor('the leaving client to see the first orders decided', () =>
      before.every((id) => leaver.received.some((change) => change.orderId === id)),
    );
    leaver.stop();
    const cursor = leaver.received.at(-1)!.cursor;

    // Orders made and decided while Redis is down: no subscriber hears of them live.
    const built = await cluster.index.state();
    const creating = createOrders(() => [server.url], 60, 30, 'during-restart');
    await restartStore('redis', 1000);
    const during = await creating;
    await sleep(3000); // ioredis reconnects with a capped backoff and subscribes again
    const after = await createOrders(() => [server.url], 60, 60, 'after-restart');
    await waitForFinal(cluster.models, 150);
    const missedOrLater = [...during, ...after];

    // The client that stayed: the changes after the restart, and those it hid, read back by its server.
    await waitFor('every later decision on the client that stayed', () =>
      missedOrLater.every((id) => stayed.received.some((change) => change.orderId === id)),
    );
    const stayedKeys = changeKeys(stayed.received);
    expect(new Set(stayedKeys).size).toBe(stayedKeys.length);
    expect(stayed.errors).toEqual([]);

    // The client that comes back with its cursor: exactly what it missed, then live ones.
    const back = changesOn(cluster, server, cursor);
    await waitFor('every missed decision on the client that came back', () =>
      missedOrLater.every((id) => back.received.some((change) => change.orderId === id)),
    );
    await sleep(500);
    expect(back.errors).toEqual([]);
    const backKeys = changeKeys(back.received);
    expect(new Set(backKeys).size).toBe(backKeys.length);
    const leaverKeys = new Set(changeKeys(leaver.received));
    expect(backKeys.filter((key) => leaverKeys.has(key))).toEqual([]);
    const both = [...leaver.received, ...back.received];
    for (const id of [...before, ...missedOrLater]) {
      expect(both.filter((change) => change.orderId === id).map((change) => change.version)).toEqual([2]);
    }

    // Redis came back with its index (from its append-only file): nothing was rebuilt, and it agrees with MongoDB.
    expect(await cluster.index.state()).toEqual(built);
    const books = await checkBooks(cluster, [...before, ...missedOrLater], initial);
    expect(books.problems).toEqual([]);
    const { orders } = await graphqlRequest<{ orders: { totalCount: number } }>(
      `${server.url}/graphql`,
      '{ orders(status: [PROCESSED, FAILED]) { totalCount } }',
    );
    expect(orders.totalCount).toBe(150);
  });
});

describe('the MongoDB-wire server restarting', () => {
  it('holds the processor back without committing, then it carries on and nothing is lost', async () => {
    cluster = await startCluster('fault_database');
    const server = await cluster.startServer();
    const initial = await stockNow(cluster.models);
    cluster.startProcessor();

    const creating = createOrders(() => [server.url], 300, 100);
    await waitForDecided(cluster.models, 10);
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
    await waitForDecided(cluster.models, 10);
    await restartStore('kafka', 3000);
    const ids = await creating;

    // Orders stored while the broker was away reach it through the outbox relay.
    await waitForFinal(cluster.models, 300, 150_000);
    const books = await checkBooks(cluster, ids, initial);
    expect(books.problems).toEqual([]);
    expect(books.orders).toBe(300);
  });
});
