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
  expectBooksHold,
  createOrders,
  restartStore,
  startWithServer,
  waitForDecided,
  waitForFinal,
} from './cluster.ts';

// Each cluster is closed after its test by ./cluster.ts.

/** 300 orders, with `store` restarted (down for `downMs`) once the first are decided; the books after. */
async function restartUnderLoad(
  name: string,
  store: Parameters<typeof restartStore>[0],
  downMs: number,
  rate: number,
  finalWithinMs?: number,
) {
  const { cluster, server, initial } = await startWithServer(name);
  cluster.startProcessor();
  const creating = createOrders(() => [server.url], 300, rate);
  await waitForDecided(cluster.models, 10);
  await restartStore(store, downMs);
  const ids = await creating;
  await expectBooksHold(cluster, ids, initial, { orders: 300, finalWithinMs });
}

describe('Redis restarting', () => {
  it('keeps a connected client receiving, without a gap, and resumes a client that comes back with its cursor', async () => {
    const { cluster, server, initial } = await startWithServer('fault_redis');
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
    await expectBooksHold(cluster, [...before, ...missedOrLater], initial, { orders: 150 });
    const { orders } = await graphqlRequest<{ orders: { totalCount: number } }>(
      `${server.url}/graphql`,
      '{ orders(status: [PROCESSED, FAILED]) { totalCount } }',
    );
    expect(orders.totalCount).toBe(150);
  });
});

describe('the MongoDB-wire server restarting', () => {
  it('holds the processor back without committing, then it carries on and nothing is lost', async () => {
    await restartUnderLoad('fault_database', 'ferretdb', 2000, 100);
  });
});

describe('the Kafka broker stopping for a while', () => {
  it('lets the producers and the consumer recover by themselves, and nothing is lost', async () => {
    // Orders stored while the broker was away reach it through the outbox relay.
    await restartUnderLoad('fault_kafka', 'kafka', 3000, 60, 150_000);
  });
});
