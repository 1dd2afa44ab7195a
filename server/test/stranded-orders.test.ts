/**
 * No stranded order: createOrder and retryOrder with each step failed in turn (Redis away, Kafka away,
 * both, a server dying between a retry's claim and its write). Whatever is left half-done is finished
 * by the outbox relay, or by the first pass of the next server to start. The outages are one
 * instance's (see store-outages.ts): the shared servers stay up for everyone else.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changeId, topicsFor, type Order } from '@orders/core';
import type { App } from '@orders/server';
import { sleep, startTestServer, waitFor, type TestServer } from '../../test/support/index.ts';
import { RedisProxy, startFaultyInstance, type Faults } from './store-outages.ts';
import { HELD_MARKS_COLLECTION } from '../src/orders/unpublished-marks.ts';

const GRACE_MS = 300;

let server: TestServer;
let redis: RedisProxy;
let faults: Faults;
let faulty: App | undefined;
let topic: string;

beforeAll(async () => {
  server = await startTestServer('stranded', { OUTBOX_GRACE_MS: String(GRACE_MS) });
  topic = topicsFor(server.config.namePrefix).created.name;
});
afterEach(async () => {
  await redis?.restore();
  // Stopped once its Redis answers again (see the crash test below).
  const app = faulty;
  if (app) await waitFor('Redis back for the instance', () => app.services.index.countUnpublished().then(() => true));
  await faulty?.stop();
  faulty = undefined;
  redis?.close();
});
afterAll(() => server?.close());

async function startFaulty(): Promise<App> {
  redis = await RedisProxy.start();
  faults = { kafkaDown: false, failNextRetryWrite: false };
  faulty = await startFaultyInstance(server, redis, faults);
  return faulty;
}

const newOrder = () => ({ customerId: 'cus_0001', sku: 'SKU-0002', quantity: 1 });
const heldMarks = () => server.models.Order.db.collection(HELD_MARKS_COLLECTION);
const index = () => server.app.services.index;

async function storedOrder(id: string) {
  const doc = await server.models.Order.findById(id).lean();
  return doc === null ? null : { status: doc.status, version: doc.version, history: doc.history.length };
}

/** A FAILED order at version 2, as the processor leaves a declined one. */
async function aFailedOrder(id: string): Promise<string> {
  const at = new Date(Date.now() - 60_000);
  await server.models.Order.create({
    _id: id,
    orderNumber: `ORD-FAILED-${id.slice(-4)}`,
    customerId: 'cus_0001',
    sku: 'SKU-0002',
    quantity: 1,
    total: 5,
    status: 'FAILED',
    version: 2,
    attempts: 1,
    error: 'declined',
    createdAt: at,
    updatedAt: at,
    failedAt: at,
    history: [
      { version: 1, previousStatus: null, status: 'PENDING', at, error: null },
      { version: 2, previousStatus: 'PENDING', status: 'FAILED', at, error: 'declined' },
    ],
  });
  return id;
}

/** Cuts Redis and waits until the instance's Redis client has noticed (its commands fail). */
async function cutRedis(app: App) {
  redis.cut();
  await waitFor('the instance to find Redis away', () =>
    app.services.index.countUnpublished().then(
      () => false,
      () => true,
    ),
  );
}

describe('an order created while Redis is away', () => {
  it('is taken, sent to Kafka at once, its mark held in MongoDB only until then, and listed when Redis is back', async () => {
    const app = await startFaulty();
    const before = await server.messageCount(topic);
    await cutRedis(app);

    const order = await app.services.createOrder(newOrder());
    expect(order.status).toBe('PENDING');
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await heldMarks().countDocuments({ _id: order._id as never })).toBe(0);

    await redis.restore();
    await waitFor('the held index write to list the order', async () => (await index().known([order._id]))[0]);
    expect(await index().isUnpublished(order._id)).toBe(false);
  });

  it('with Kafka away too, is stored with its mark in MongoDB and published and listed by the relay once both are back', async () => {
    const app = await startFaulty();
    const before = await server.messageCount(topic);
    await cutRedis(app);
    faults.kafkaDown = true;

    const order = await app.services.createOrder(newOrder());
    expect(await storedOrder(order._id)).toEqual({ status: 'PENDING', version: 1, history: 1 });
    expect(await heldMarks().countDocuments({ _id: order._id as never })).toBe(1);
    expect(await server.messageCount(topic)).toBe(before);
    // The outbox backlog (orders_outbox_backlog) counts it while Redis is away.
    expect(await app.relay.backlog()).toBe(1);

    // A pass while both are away publishes nothing and keeps the mark.
    await sleep(GRACE_MS);
    expect(await app.relay.runOnce()).toBe(0);
    expect(await heldMarks().countDocuments({ _id: order._id as never })).toBe(1);

    await redis.restore();
    faults.kafkaDown = false;
    await waitFor('Redis back for the instance', () => app.services.index.countUnpublished().then(() => true));
    expect(await app.relay.runOnce()).toBe(1);
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await heldMarks().countDocuments({ _id: order._id as never })).toBe(0);
    expect((await index().known([order._id]))[0]).toBe(true);

    // Nothing left for a second pass.
    expect(await app.relay.runOnce()).toBe(0);
    expect(await server.messageCount(topic)).toBe(before + 1);
  });

  it('with Kafka away too, survives its server dying: the next server publishes it in its first pass', async () => {
    const app = await startFaulty();
    const before = await server.messageCount(topic);
    await cutRedis(app);
    faults.kafkaDown = true;
    const order = await app.services.createOrder(newOrder());
    // The server goes with its held index write: only the mark in MongoDB says the order is there.
    // Redis comes back just before: a stop while Redis is away leaves ioredis's queued commands (the
    // pubsub's UNSUBSCRIBEs) rejected with no one awaiting them, a matter of the shutdown's and not of
    // this test.
    await redis.restore();
    await waitFor('Redis back for the instance', () => app.services.index.countUnpublished().then(() => true));
    await app.stop();
    faulty = undefined;
    await sleep(GRACE_MS);

    const next = await startTestServer('stranded-next', {}, { env: server.env });
    try {
      await waitFor(
        'the next server to publish the order',
        async () => (await server.messageCount(topic)) === before + 1,
      );
      await waitFor('the mark held in MongoDB to go', async () => (await heldMarks().countDocuments()) === 0);
      expect((await index().known([order._id]))[0]).toBe(true);
    } finally {
      await next.close();
    }
  });
});

describe('an order created while Kafka alone is away', () => {
  it('keeps its mark in the index, and the relay publishes it once the broker is back', async () => {
    const app = await startFaulty();
    const before = await server.messageCount(topic);
    faults.kafkaDown = true;
    const order = await app.services.createOrder(newOrder());
    expect(await index().isUnpublished(order._id)).toBe(true);
    expect((await index().known([order._id]))[0]).toBe(true);

    faults.kafkaDown = false;
    await sleep(GRACE_MS);
    expect(await app.relay.runOnce()).toBe(1);
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await index().isUnpublished(order._id)).toBe(false);
  });
});

describe('a retry', () => {
  it('while Redis is away, goes through with its mark held in MongoDB until it is sent', async () => {
    const app = await startFaulty();
    const id = await aFailedOrder('a00000000000000000000001');
    const before = await server.messageCount(topic);
    await cutRedis(app);

    const retried: Order = await app.services.retryOrder(id);
    expect(retried).toMatchObject({ status: 'PENDING', version: 3 });
    expect(await storedOrder(id)).toEqual({ status: 'PENDING', version: 3, history: 3 });
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await heldMarks().countDocuments({ _id: id as never })).toBe(0);
  });

  it('while Redis and Kafka are both away, is stored and left to the relay, which sends it once both are back', async () => {
    const app = await startFaulty();
    const id = await aFailedOrder('a00000000000000000000002');
    const before = await server.messageCount(topic);
    await cutRedis(app);
    faults.kafkaDown = true;

    expect(await app.services.retryOrder(id)).toMatchObject({ status: 'PENDING', version: 3 });
    expect(await heldMarks().countDocuments({ _id: id as never })).toBe(1);
    expect(await server.messageCount(topic)).toBe(before);

    await redis.restore();
    faults.kafkaDown = false;
    await waitFor('Redis back for the instance', () => app.services.index.countUnpublished().then(() => true));
    await sleep(GRACE_MS);
    expect(await app.relay.runOnce()).toBe(1);
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await heldMarks().countDocuments({ _id: id as never })).toBe(0);
  });

  it('whose server dies between its claim and its write is finished by the relay, not refused for ever', async () => {
    const app = await startFaulty();
    const id = await aFailedOrder('a00000000000000000000003');
    const before = await server.messageCount(topic);
    faults.failNextRetryWrite = true;

    await expect(app.services.retryOrder(id)).rejects.toThrow('the server died here');
    // What the crash left: the claim, the mark, the order still FAILED, nothing sent.
    expect(await server.models.StatusChange.exists({ _id: changeId(id, 3) })).not.toBeNull();
    expect(await storedOrder(id)).toEqual({ status: 'FAILED', version: 2, history: 2 });
    expect(await index().isUnpublished(id)).toBe(true);
    expect(await server.messageCount(topic)).toBe(before);
    // Within the grace period the claim may be a retry still in hand: a second retry is refused.
    await expect(app.services.retryOrder(id)).rejects.toMatchObject({
      message: 'ORD-FAILED-0003 is already being retried',
      extensions: { code: 'CONFLICT' },
    });

    await sleep(GRACE_MS);
    expect(await app.relay.runOnce()).toBe(1);
    expect(await storedOrder(id)).toEqual({ status: 'PENDING', version: 3, history: 3 });
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await index().isUnpublished(id)).toBe(false);
  });

  it('whose server dies between its claim and its write, with Redis away, is finished by the next retry after the grace period', async () => {
    const app = await startFaulty();
    const id = await aFailedOrder('a00000000000000000000004');
    const before = await server.messageCount(topic);
    await cutRedis(app);
    faults.failNextRetryWrite = true;
    await expect(app.services.retryOrder(id)).rejects.toThrow('the server died here');
    expect(await storedOrder(id)).toEqual({ status: 'FAILED', version: 2, history: 2 });

    await sleep(GRACE_MS);
    expect(await app.services.retryOrder(id)).toMatchObject({ status: 'PENDING', version: 3 });
    expect(await storedOrder(id)).toEqual({ status: 'PENDING', version: 3, history: 3 });
    expect(await server.messageCount(topic)).toBe(before + 1);
    expect(await heldMarks().countDocuments({ _id: id as never })).toBe(0);
  });
});
